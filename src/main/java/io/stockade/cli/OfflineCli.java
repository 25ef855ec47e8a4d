package io.stockade.cli;

import io.stockade.syntax.StateStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Dispatch of the offline packet-path commands: {@code trace}, {@code replay}, {@code demo}. */
final class OfflineCli {
    private OfflineCli() {
    }

    static boolean handles(String cmd) {
        return cmd.equals("trace") || cmd.equals("replay") || cmd.equals("demo");
    }

    /** Entry from Main: args start with the command name (after any --state FILE). */
    static int main(List<String> argv) {
        List<String> args = new ArrayList<>(argv);
        Path state = IptablesCli.stateOption(args);
        if (state == null) {
            state = StateStore.defaultPath(System.getenv());
        }
        String cmd = args.remove(0);
        return switch (cmd) {
            case "trace" -> TraceCommand.run(args, state, System.out, System.err);
            case "replay" -> ReplayCommand.run(args, state, System.out, System.err);
            default -> DemoCommand.run(args, Path.of("."), System.out, System.err);
        };
    }
}
