package io.stockade.cli;

/** Entry point of the {@code stockade} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line; returns the exit status. */
    public static int run(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: stockade iptables|ip6tables|iptables-save|iptables-restore|batch|trace|replay|conntrack ...");
            return 2;
        }
        java.util.List<String> rest = new java.util.ArrayList<>(java.util.List.of(args));
        int cmdAt = rest.get(0).equals("--state") ? 2 : (rest.get(0).startsWith("--state=") ? 1 : 0);
        if (cmdAt < rest.size() && IptablesCli.handles(rest.get(cmdAt))) {
            return IptablesCli.main(rest);
        }
        if (cmdAt < rest.size() && OfflineCli.handles(rest.get(cmdAt))) {
            return OfflineCli.main(rest);
        }
        if (args[0].equals("conntrack")) {
            // No engine runs in this process: the table is empty (see docs/COMPATIBILITY.md).
            return io.stockade.conntrack.ConntrackCli.run(new io.stockade.conntrack.ConntrackTable(),
                    java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err);
        }
        if (args[0].equals("difftest")) {
            return io.stockade.difftest.DiffTest.main(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err);
        }
        System.err.println("stockade: unknown command '" + args[0] + "'");
        return 2;
    }
}
