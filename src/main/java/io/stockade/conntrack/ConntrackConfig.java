package io.stockade.conntrack;

/**
 * The conntrack sysctls ({@code net.netfilter.nf_conntrack_*}) with the defaults of Linux 6.x.
 * Timeouts are in seconds as the sysctls spell them. Set before traffic flows; the tracker reads
 * the fields on every packet, so a change applies to the next packet (as a sysctl write does).
 */
public final class ConntrackConfig {
    /** nf_conntrack_max: entries before early drop / "table full, dropping packet". */
    public int max = 262144;
    /** nf_conntrack_checksum: verify L4 checksums of packets in PREROUTING (bad → INVALID). */
    public boolean checksum = true;
    /** nf_conntrack_acct: print packets=/bytes= in listings. Counters are kept either way. */
    public boolean acct = false;
    /** nf_conntrack_tcp_loose: pick up established connections from a mid-stream ACK. */
    public boolean tcpLoose = true;
    /** nf_conntrack_tcp_be_liberal: only out-of-window RSTs are INVALID. */
    public boolean tcpBeLiberal = false;
    /** nf_conntrack_tcp_ignore_invalid_rst. */
    public boolean tcpIgnoreInvalidRst = false;
    /** nf_conntrack_tcp_max_retrans. */
    public int tcpMaxRetrans = 3;
    /**
     * The old automatic helper assignment ({@code nf_conntrack_helper=1}, removed from Linux in
     * 6.0): a new connection whose reply source port is 21 gets the ftp helper without a
     * {@code -j CT --helper ftp} rule. Off by default, as in current kernels.
     */
    public boolean autoAssignHelpers = false;
    /** The ftp helper's {@code loose} module parameter (accept a PORT/227 naming another host). */
    public boolean ftpLoose = false;
    /** nf_conntrack_expect_max. */
    public int expectMax = 4096;

    public int tcpTimeoutSynSent = 120;
    public int tcpTimeoutSynRecv = 60;
    public int tcpTimeoutEstablished = 432000;
    public int tcpTimeoutFinWait = 120;
    public int tcpTimeoutCloseWait = 60;
    public int tcpTimeoutLastAck = 30;
    public int tcpTimeoutTimeWait = 120;
    public int tcpTimeoutClose = 10;
    public int tcpTimeoutMaxRetrans = 300;
    public int tcpTimeoutUnacknowledged = 300;
    public int udpTimeout = 30;
    public int udpTimeoutStream = 120;
    public int icmpTimeout = 30;
    public int icmpv6Timeout = 30;
    public int genericTimeout = 600;
    /** nf_conntrack_gre_timeout / nf_conntrack_gre_timeout_stream. */
    public int greTimeout = 30;
    public int greTimeoutStream = 180;
    /** nf_conntrack_sctp_timeout_* (Linux 6.x defaults). */
    public int sctpTimeoutClosed = 10;
    public int sctpTimeoutCookieWait = 3;
    public int sctpTimeoutCookieEchoed = 3;
    public int sctpTimeoutEstablished = 210;
    public int sctpTimeoutShutdownSent = 3;
    public int sctpTimeoutShutdownRecd = 3;
    public int sctpTimeoutShutdownAckSent = 3;
    public int sctpTimeoutHeartbeatSent = 30;
    /** The ftp helper's expectation timeout (nf_conntrack_ftp expect_policy: 5 minutes). */
    public int ftpExpectTimeout = 300;

    /** TCP timeout in seconds for a tracker state index (TCP_CONNTRACK_*), incl. RETRANS 10 / UNACK 11. */
    public int tcpTimeout(int state) {
        return switch (state) {
            case TcpTracker.SYN_SENT, TcpTracker.NONE, TcpTracker.SYN_SENT2 -> tcpTimeoutSynSent;
            case TcpTracker.SYN_RECV -> tcpTimeoutSynRecv;
            case TcpTracker.ESTABLISHED -> tcpTimeoutEstablished;
            case TcpTracker.FIN_WAIT -> tcpTimeoutFinWait;
            case TcpTracker.CLOSE_WAIT -> tcpTimeoutCloseWait;
            case TcpTracker.LAST_ACK -> tcpTimeoutLastAck;
            case TcpTracker.TIME_WAIT -> tcpTimeoutTimeWait;
            case TcpTracker.CLOSE -> tcpTimeoutClose;
            case TcpTracker.RETRANS -> tcpTimeoutMaxRetrans;
            case TcpTracker.UNACK -> tcpTimeoutUnacknowledged;
            default -> tcpTimeoutSynSent;
        };
    }
}
