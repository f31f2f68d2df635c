package org.jbits.cli;

import java.util.Arrays;
import picocli.CommandLine;

/**
 * An experiment of bench/run startup, not a launcher: `jbits get` as it would start if the CLI built only the
 * picocli model of the command it runs (Main builds every command's model, options and help, at each start).
 * Lives in org.jbits.cli to reach the package-private command class; the figure says what the lead could gain.
 */
public final class LazyMain {
    public static void main(String[] args) {
        Object command = args.length > 0 && args[0].equals("get") ? new JobCommands.Get() : new Main();
        String[] rest = command instanceof Main ? args : Arrays.copyOfRange(args, 1, args.length);
        int code = new CommandLine(command).execute(rest);
        System.out.flush();
        System.exit(code);
    }
}
