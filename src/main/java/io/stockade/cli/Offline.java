package io.stockade.cli;

import io.stockade.conntrack.ConntrackConfig;
import io.stockade.conntrack.ConntrackTable;
import io.stockade.engine.CommitException;
import io.stockade.engine.CompiledRuleset;
import io.stockade.engine.Emitter;
import io.stockade.engine.Netfilter;
import io.stockade.engine.Skb;
import io.stockade.engine.StateRegistry;
import io.stockade.host.Host;
import io.stockade.host.HostLoader;
import io.stockade.packet.PacketParser;
import io.stockade.rules.Family;
import io.stockade.rules.Ruleset;
import io.stockade.syntax.CommandFailure;
import io.stockade.syntax.HostResolver;
import io.stockade.syntax.Restore;
import io.stockade.syntax.StateStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The offline engine the {@code trace}, {@code replay} and {@code demo} commands share: the
 * ruleset (from {@code --rules}/{@code --rules6} iptables-save files, else the state file), the
 * host model ({@code --host DIR}, else the default host), a conntrack table configured from the
 * host's sysctls, and a {@link Netfilter} wired to the packet parser. LOG lines are collected per
 * packet in {@link #logLines}.
 */
final class Offline {
    final Ruleset ruleset;
    final Host host;
    final ConntrackTable conntrack;
    final Netfilter nf;
    final List<String> logLines = new ArrayList<>();

    /** A usage or input problem, reported as {@code stockade CMD: message} with exit status 2. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    private Offline(Ruleset ruleset, Host host) throws Failure {
        this.ruleset = ruleset;
        this.host = host;
        ConntrackConfig cfg = new ConntrackConfig();
        cfg.tcpLoose = host.sysctls.tcpLoose != 0;
        cfg.tcpBeLiberal = host.sysctls.tcpBeLiberal != 0;
        cfg.checksum = host.sysctls.conntrackChecksum != 0;
        this.conntrack = new ConntrackTable(cfg);
        CompiledRuleset compiled;
        try {
            compiled = CompiledRuleset.compile(ruleset, new StateRegistry());
        } catch (CommitException e) {
            throw new Failure("ruleset refused: table " + e.table + ", chain " + e.chain
                    + (e.ruleNumber > 0 ? ", rule " + e.ruleNumber : "") + ": " + e.getMessage());
        }
        PacketParser parser = new PacketParser();
        Emitter logs = new Emitter() {
            @Override
            public void emitPacket(int family, MemorySegment ipPacket, int length, Skb cause) {
            }

            @Override
            public void log(int level, CharSequence line) {
                logLines.add("<" + level + ">" + line);
            }
        };
        this.nf = new Netfilter(compiled, host, conntrack, logs, (pd, data, length) -> parser.parse(pd, data, 0, length));
    }

    /**
     * {@code --ipsets FILE}: the sets of an {@code ipset save} file for the set match and the SET
     * target (before the rules are read: iptables looks sets up while parsing).
     */
    static void loadIpsets(Path file) throws Failure, IOException {
        if (!Files.isReadable(file)) {
            throw new Failure(file + ": cannot read the ipset file");
        }
        try {
            io.stockade.ext.match.IpSets.load(Files.readString(file, StandardCharsets.UTF_8));
        } catch (io.stockade.rules.ParameterProblem e) {
            throw new Failure(file + ": " + e.getMessage());
        }
    }

    /** Builds the engine from the common options. */
    static Offline open(Path rules, Path rules6, Path hostDir, Path stateFile) throws Failure, IOException {
        Ruleset rs;
        if (rules == null && rules6 == null) {
            try {
                rs = stateFile == null ? new Ruleset() : new StateStore(stateFile).load();
            } catch (CommandFailure e) {
                throw new Failure("state file " + stateFile + ": " + e.text());
            }
        } else {
            rs = new Ruleset();
            if (rules != null) {
                restore(rs, Family.IPV4, rules);
            }
            if (rules6 != null) {
                restore(rs, Family.IPV6, rules6);
            }
        }
        Host host = hostDir == null ? HostLoader.defaultHost() : HostLoader.load(hostDir);
        return new Offline(rs, host);
    }

    /**
     * TRACE'd packets are written as iptables-nft's {@code xtables-monitor --trace} lines
     * ({@link NftTraceWriter}) into {@link #logLines} instead of ip_tables' kernel log lines.
     */
    void nftTraceFormat() {
        nf.nftTrace(new NftTraceWriter(logLines));
    }

    /** Builds the engine from a ruleset and host directly (tests, demo). */
    static Offline of(Ruleset rs, Host host) throws Failure {
        return new Offline(rs, host);
    }

    private static void restore(Ruleset rs, Family f, Path file) throws Failure, IOException {
        if (!Files.isReadable(file)) {
            throw new Failure(file + ": cannot read the rules file");
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            new Restore(f, HostResolver.STATIC).run(rs, in, Restore.Options.DEFAULT, new StringBuilder());
        } catch (CommandFailure e) {
            throw new Failure(file + ": " + e.text());
        }
    }

    /** ctstate as the conntrack match names it, from {@code Skb.ctStateBits}. */
    static String ctState(int bits) {
        return io.stockade.engine.PathResult.ctStateName(bits);
    }

    /** Appends {@code s} as a JSON string. */
    static void jsonString(StringBuilder b, String s) {
        io.stockade.host.Json.quote(b, s);
    }
}
