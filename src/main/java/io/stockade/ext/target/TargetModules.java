package io.stockade.ext.target;

import io.stockade.rules.TargetExtension;
import java.util.List;

/** Every target module Stockade implements. Add a module here and nowhere else. */
public final class TargetModules {
    private TargetModules() {
    }

    public static final List<TargetExtension> ALL = List.of(
            new RejectTarget(),
            new LogTarget(),
            new MarkTarget(),
            new ConnmarkTarget(),
            new SnatTarget(),
            new DnatTarget(),
            new MasqueradeTarget(),
            new RedirectTarget(),
            new NetmapTarget(),
            new TcpmssTarget(),
            new NotrackTarget(),
            new CtTarget(),
            new TraceTarget(),
            new NfqueueTarget(),
            new NflogTarget(),
            new TosTarget(),
            new DscpTarget(),
            new ClassifyTarget(),
            new TtlTarget(io.stockade.rules.Family.IPV4),
            new TtlTarget(io.stockade.rules.Family.IPV6),
            new EcnTarget(),
            new TcpoptstripTarget(),
            new AuditTarget(),
            new ChecksumTarget(),
            new ConnsecmarkTarget(),
            new SecmarkTarget(),
            new SetTarget(),
            new SynproxyTarget(),
            new TeeTarget(),
            new TproxyTarget(),
            new IdletimerTarget(),
            new LedTarget(),
            new HmarkTarget(),
            new RateestTarget(),
            new NptTarget(true),
            new NptTarget(false)
    );
}
