#!/bin/bash
# Re-captures the kernel goldens of src/test/java/io/stockade/ext/target/{RejectGoldenTest,LogGoldenTest}:
# two namespaces joined by veth, REJECT/LOG rules in the receiver, packets from scapy in the sender,
# replies captured with tcpdump, LOG lines from dmesg (needs net.netfilter.nf_log_all_netns=1, which
# this script sets for its run and restores). Root only; prints the pcap path and the log lines.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-/tmp/stockade-golden}
mkdir -p "$out"
A=stk-gold-a B=stk-gold-b
old=$(sysctl -n net.netfilter.nf_log_all_netns)
cleanup() { ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true;
            sysctl -qw net.netfilter.nf_log_all_netns="$old"; }
trap cleanup EXIT
ip netns add $A; ip netns add $B
ip link add va netns $A type veth peer name vb netns $B
ip -n $A link set va address 02:00:00:00:00:0a; ip -n $B link set vb address 02:00:00:00:00:0b
ip -n $A addr add 10.0.0.1/24 dev va; ip -n $B addr add 10.0.0.2/24 dev vb
ip -n $A addr add fd00::1/64 dev va nodad; ip -n $B addr add fd00::2/64 dev vb nodad
for ns in $A $B; do ip -n $ns link set lo up; done
ip -n $A link set va up; ip -n $B link set vb up
ip -n $A neigh add 10.0.0.2 lladdr 02:00:00:00:00:0b dev va; ip -n $B neigh add 10.0.0.1 lladdr 02:00:00:00:00:0a dev vb
ip -n $A neigh add fd00::2 lladdr 02:00:00:00:00:0b dev va; ip -n $B neigh add fd00::1 lladdr 02:00:00:00:00:0a dev vb
N="ip netns exec $B"
# REJECT rules (the test cases name the type each packet met)
$N iptables -A INPUT -p tcp --dport 1001 -j REJECT --reject-with tcp-reset
$N iptables -A INPUT -p udp --dport 1002 -j REJECT
$N iptables -A INPUT -p udp --dport 1003 -j REJECT --reject-with icmp-host-prohibited
$N iptables -A INPUT -p tcp --dport 1004 -j REJECT --reject-with icmp-net-unreachable
$N iptables -A INPUT -p icmp --icmp-type echo-request -j REJECT --reject-with icmp-admin-prohibited
$N iptables -A INPUT -p icmp -j REJECT
$N ip6tables -A INPUT -p ipv6-icmp --icmpv6-type neighbour-solicitation -j ACCEPT
$N ip6tables -A INPUT -p ipv6-icmp --icmpv6-type neighbour-advertisement -j ACCEPT
$N ip6tables -A INPUT -p tcp --dport 1001 -j REJECT --reject-with tcp-reset
$N ip6tables -A INPUT -p udp --dport 1002 -j REJECT
$N ip6tables -A INPUT -p udp --dport 1003 -j REJECT --reject-with icmp6-adm-prohibited
$N ip6tables -A INPUT -p ipv6-icmp --icmpv6-type echo-request -j REJECT --reject-with icmp6-no-route
$N ip6tables -A INPUT -p ipv6-icmp -j REJECT
ip netns exec $A timeout 15 tcpdump -i va -w "$out/reject.pcap" -U 2>/dev/null & dump=$!
sleep 1
ip netns exec $A "${PYTHON:-/usr/bin/python3}" "$here/reject-send.py"
sleep 1; kill $dump 2>/dev/null || true; wait $dump 2>/dev/null || true
# LOG rules
$N iptables -F; $N ip6tables -F
sysctl -qw net.netfilter.nf_log_all_netns=1
$N iptables -A INPUT -p tcp --dport 2001 -j LOG --log-prefix "T1: "
$N iptables -A INPUT -p tcp --dport 2002 -j LOG --log-prefix "T2: " --log-tcp-sequence --log-tcp-options --log-ip-options --log-level 6
$N iptables -A INPUT -p tcp --dport 2003 -j LOG --log-prefix "T3: " --log-macdecode
$N iptables -A INPUT -p udp -j LOG --log-prefix "U1: " --log-ip-options
$N iptables -A INPUT -p icmp -j LOG --log-prefix "I1: "
$N iptables -A INPUT -p 47 -j LOG --log-prefix "G1: "
$N ip6tables -A INPUT -p tcp --dport 2001 -j LOG --log-prefix "T61: "
$N ip6tables -A INPUT -p tcp --dport 2003 -j LOG --log-prefix "T63: " --log-macdecode --log-tcp-sequence
$N ip6tables -A INPUT -p udp -j LOG --log-prefix "U61: " --log-ip-options
$N ip6tables -A INPUT -p ipv6-icmp --icmpv6-type echo-request -j LOG --log-prefix "I61: "
$N ip6tables -A INPUT -p ipv6-icmp --icmpv6-type destination-unreachable -j LOG --log-prefix "I62: "
ip netns exec $A "${PYTHON:-/usr/bin/python3}" "$here/log-send.py"
sleep 1
dmesg | grep -E ' (T|U|I|G)[0-9]*: IN=' | sed 's/^\[[ 0-9.]*\] //' > "$out/log.txt" || true
echo "replies: $out/reject.pcap"; cat "$out/log.txt"
