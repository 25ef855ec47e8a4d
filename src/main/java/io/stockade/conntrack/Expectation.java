package io.stockade.conntrack;

/**
 * A connection a helper expects ({@code struct nf_conntrack_expect}): the tuple of its first
 * packet with the source port wildcarded (as the ftp helper registers it), the master entry it
 * will be RELATED to, and an expiry on packet time. The first new connection matching it gets
 * {@link Conn#IPS_EXPECTED}, {@code master}, and the master's mark; the expectation is used up.
 */
public final class Expectation {
    public final Conn master;
    public final int ipVersion;
    public final int protocol;
    public final int zone;
    public final long srcHi, srcLo, dstHi, dstLo;
    /** Expected source port, or -1 for any. */
    public final int srcPort;
    public final int dstPort;
    public final long expiresNanos;
    /** Helper of the expected connection, or null. */
    public final String helper;

    public Expectation(Conn master, int ipVersion, int protocol, long srcHi, long srcLo, long dstHi, long dstLo,
            int srcPort, int dstPort, long expiresNanos, String helper) {
        this.master = master;
        this.ipVersion = ipVersion;
        this.protocol = protocol;
        this.zone = master.zone;
        this.srcHi = srcHi;
        this.srcLo = srcLo;
        this.dstHi = dstHi;
        this.dstLo = dstLo;
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        this.expiresNanos = expiresNanos;
        this.helper = helper;
    }

    boolean matches(int ver, int proto, int z, long sHi, long sLo, long dHi, long dLo, int sp, int dp) {
        return ver == ipVersion && proto == protocol && z == zone && sHi == srcHi && sLo == srcLo
                && dHi == dstHi && dLo == dstLo && dp == dstPort && (srcPort < 0 || sp == srcPort);
    }

    boolean sameTuple(Expectation o) {
        return o.master == master && o.ipVersion == ipVersion && o.protocol == protocol && o.zone == zone
                && o.srcHi == srcHi && o.srcLo == srcLo && o.dstHi == dstHi && o.dstLo == dstLo
                && o.srcPort == srcPort && o.dstPort == dstPort;
    }
}
