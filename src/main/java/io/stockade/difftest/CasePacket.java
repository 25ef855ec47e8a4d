package io.stockade.difftest;

/**
 * One packet of a case: the IP packet (from the IP header), where it enters ({@code eth0},
 * {@code eth1}, or {@code local} for a packet the gateway itself sends through OUTPUT) and a short
 * human label for reproductions ({@code "tcp 10.0.0.2:1234 > 203.0.113.5:80 S"}).
 */
record CasePacket(String via, byte[] ip, String label) {
    int identity() {
        return Pkt.identity(ip);
    }

    int family() {
        return Pkt.version(ip);
    }
}
