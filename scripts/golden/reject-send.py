# Offending packets for scripts/golden/targets-capture.sh (REJECT goldens); run in the sender namespace.
import sys, time
from scapy.all import *
conf.verb = 0
v4 = [
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x1234, ttl=63, flags="DF")/TCP(sport=40000, dport=1001, seq=1000, flags="S", window=64240, options=[('MSS',1460)]),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x1235)/TCP(sport=40001, dport=1001, seq=5000, ack=7777, flags="PA", window=500)/Raw(b"hello"),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x1236)/TCP(sport=40002, dport=1001, seq=9000, flags="F")/Raw(b"abc"),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x1237)/TCP(sport=40003, dport=1001, seq=9000, flags="R"),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x2000, tos=0xff)/UDP(sport=5000, dport=1002)/Raw(b"x"*10),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x2001)/UDP(sport=5001, dport=1002)/Raw(bytes(range(256))*4),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x2002)/UDP(sport=5002, dport=1003)/Raw(b"y"*3),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x2003)/UDP(sport=5003, dport=1002, chksum=0x1111)/Raw(b"bad"),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x2004)/UDP(sport=5004, dport=1002, chksum=0)/Raw(b"nocsum"),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x2005)/TCP(sport=40004, dport=1004, seq=1, flags="S"),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x3000)/ICMP(type=8, id=7, seq=1)/Raw(b"ping"),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x3001)/ICMP(type=3, code=3)/IP(src="10.0.0.2", dst="10.0.0.1")/UDP(sport=1, dport=2),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x3002, frag=100)/UDP(sport=5005, dport=1002)/Raw(b"frag"),
 IP(src="10.0.0.1", dst="10.0.0.2", id=0x3003, options=[IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_NOP()])/UDP(sport=5006, dport=1002)/Raw(b"opts"),
]
v6 = [
 IPv6(src="fd00::1", dst="fd00::2", fl=0x12345, tc=0x28)/TCP(sport=40000, dport=1001, seq=1000, flags="S"),
 IPv6(src="fd00::1", dst="fd00::2")/TCP(sport=40001, dport=1001, seq=5000, ack=7777, flags="PA")/Raw(b"hello"),
 IPv6(src="fd00::1", dst="fd00::2", tc=0xb8)/UDP(sport=5000, dport=1002)/Raw(b"x"*10),
 IPv6(src="fd00::1", dst="fd00::2")/UDP(sport=5001, dport=1002)/Raw(bytes(range(256))*5),
 IPv6(src="fd00::1", dst="fd00::2")/UDP(sport=5002, dport=1003)/Raw(b"y"*3),
 IPv6(src="fd00::1", dst="fd00::2")/ICMPv6EchoRequest(id=7, seq=1, data=b"ping"),
 IPv6(src="fd00::1", dst="fd00::2")/ICMPv6DestUnreach(code=4)/IPv6(src="fd00::2", dst="fd00::1")/UDP(sport=1, dport=2),
 IPv6(src="fd00::1", dst="fd00::2")/IPv6ExtHdrFragment(offset=0, m=1, id=99)/UDP(sport=5007, dport=1002)/Raw(b"f"*16),
 IPv6(src="fd00::1", dst="fd00::2")/IPv6ExtHdrFragment(offset=4, m=0, id=99)/Raw(b"g"*16),
]
for p in v4 + v6:
    send(p, iface="va")
    time.sleep(0.15)
