package io.stockade.ext.match;

import io.stockade.rules.MatchExtension;
import java.util.List;

/** Every match module Stockade implements. Add a module here and nowhere else. */
public final class MatchModules {
    private MatchModules() {
    }

    public static final List<MatchExtension> ALL = List.of(
            new CommentMatch(),
            // matches1: core and stateful matches (one line each)
            new TcpMatch(),
            new UdpMatch(),
            IcmpMatch.icmp(),
            IcmpMatch.icmp6(),
            new MultiportMatch(),
            new ConntrackMatch(),
            new StateMatch(),
            new LimitMatch(),
            new RecentMatch(),
            new HashlimitMatch(),
            new ConnlimitMatch(),
            MarkMatch.mark(),
            MarkMatch.connmark(),
            new LengthMatch(),
            TtlMatch.ttl(),
            TtlMatch.hl(),
            new PkttypeMatch(),
            new MacMatch(),
            new IprangeMatch(),
            new TcpmssMatch(),
            new HelperMatch(),
            new QuotaMatch(),
            new StatisticMatch(),
            new ConnbytesMatch(),
            new RpfilterMatch(),
            new OwnerMatch(),
            new AddrtypeMatch(),
            new StringMatch(),
            new TimeMatch(),
            new SetMatch(),
            new RateestMatch(),
            // matches2: header matches and the rest (one line each)
            new DscpMatch(),
            new TosMatch(),
            new EcnMatch(),
            new AhMatch(),
            new Ah6Match(),
            new EspMatch(),
            new FragMatch(),
            new Ipv6HeaderMatch(),
            new RtMatch(),
            HbhDstMatch.hbh(),
            HbhDstMatch.dst(),
            new MhMatch(),
            new IpcompMatch(),
            new Eui64Match(),
            new CpuMatch(),
            new ClusterMatch(),
            new CgroupMatch(),
            new SocketMatch(),
            new ConnlabelMatch(),
            new RealmMatch(),
            new DevgroupMatch(),
            new NfacctMatch(),
            new SctpMatch(),
            new DccpMatch(),
            new PolicyMatch(),
            new IpvsMatch(),
            new PhysdevMatch(),
            new SrhMatch(),
            new U32Match(),
            new BpfMatch(),
            new OsfMatch()
    );
}
