# Packets for scripts/golden/targets-capture.sh (LOG goldens); run in the sender namespace.
import time
from scapy.all import *
conf.verb = 0
ps = [
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x1234, ttl=63, flags="DF", tos=0x10)/TCP(sport=40000, dport=2001, seq=1000, flags="S", window=64240, options=[('MSS',1460)]),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x1235, options=[IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_EOL()])/TCP(sport=40001, dport=2002, seq=5000, ack=7777, flags="PAU", window=500, urgptr=3, reserved=5, options=[('NOP',None),('NOP',None),('Timestamp',(1,2))])/Raw(b"hello"),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x1236)/TCP(sport=40002, dport=2003, seq=9000, flags="FEC"),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x2000, tos=0xff)/UDP(sport=5000, dport=3000)/Raw(b"x"*10),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x3000)/ICMP(type=8, id=7, seq=1)/Raw(b"ping"),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x3001)/ICMP(type=3, code=4, nexthopmtu=1400)/IP(src="10.0.0.2", dst="10.0.0.1", id=5)/TCP(sport=1, dport=2, flags="A"),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x3002)/ICMP(type=3, code=3)/IP(src="10.0.0.2", dst="10.0.0.1", id=6)/UDP(sport=1, dport=2),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x3003)/ICMP(type=13),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x3004, proto=47)/Raw(b"\x00\x00\x08\x00"),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x3005, frag=100, flags="MF", proto=6)/Raw(b"fragfragfrag"),
 IPv6(src="fd00::1", dst="fd00::2", fl=0x12345, tc=0x28)/TCP(sport=40000, dport=2001, seq=1000, flags="S"),
 IPv6(src="fd00::1", dst="fd00::2")/TCP(sport=40001, dport=2003, seq=5000, ack=7777, flags="PA")/Raw(b"hello"),
 IPv6(src="fd00::1", dst="fd00::2", tc=0xb8)/UDP(sport=5000, dport=3000)/Raw(b"x"*10),
 IPv6(src="fd00::1", dst="fd00::2")/ICMPv6EchoRequest(id=7, seq=1, data=b"ping"),
 IPv6(src="fd00::1", dst="fd00::2")/ICMPv6DestUnreach(code=4)/IPv6(src="fd00::2", dst="fd00::1")/UDP(sport=1, dport=2),
 IPv6(src="fd00::1", dst="fd00::2")/IPv6ExtHdrHopByHop()/IPv6ExtHdrFragment(offset=0, m=1, id=99)/UDP(sport=5007, dport=3000)/Raw(b"f"*16),
 IPv6(src="fd00::1", dst="fd00::2")/IPv6ExtHdrFragment(offset=4, m=0, id=99, nh=17)/Raw(b"g"*16),
]
for p in ps:
    send(p, iface="va"); time.sleep(0.1)
