package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The one stderr line every failure ends in; the command line built with only the command that is run. */
class MainTest {
    @Test
    void theCommandWordIsTheFirstThatIsNotAGlobalOptionOrItsValue() {
        assertEquals("start", Main.commandWord("start", "a", "b"));
        assertEquals("start", Main.commandWord("--backend", "portable", "start", "--json"));
        assertEquals("get", Main.commandWord("--host=ssh://h", "--remote-jbits", "/opt/jbits", "get"));
        assertNull(Main.commandWord("--help"));
        assertNull(Main.commandWord("-V", "start"));
        assertNull(Main.commandWord("--backend"));
        assertNull(Main.commandWord("--remote-jbits", "monitor", "get", "x"), "a command's name as an option's value");
        assertNull(Main.commandWord());
    }

    @Test
    void aCommandBuiltAloneHasTheOptionsAndHelpItHasAmongAllCommands() {
        CommandLine all = Main.commandLine();
        assertEquals(Main.COMMANDS.size(), all.getSubcommands().size());
        for (Map.Entry<String, CommandLine> e : all.getSubcommands().entrySet()) {
            CommandLine alone = Main.commandLine("--backend", "portable", e.getKey(), "--help");
            assertEquals(List.of(e.getKey()), List.copyOf(alone.getSubcommands().keySet()));
            CommandLine sub = alone.getSubcommands().get(e.getKey());
            assertEquals(e.getValue().getUsageMessage(), sub.getUsageMessage(), e.getKey());
            assertEquals(names(e.getValue()), names(sub), e.getKey());
        }
        assertEquals(Main.COMMANDS.size(), Main.commandLine("strat").getSubcommands().size(),
                "an unknown name gets every command, for its suggestions");
    }

    private static List<String> names(CommandLine cl) {
        List<String> n = new ArrayList<>();
        cl.getCommandSpec().options().forEach(o -> n.add(String.join("|", o.names())));
        cl.getSubcommands().forEach((k, v) -> n.add(k + names(v)));
        return n;
    }

    @Test
    void everyHelpTextRendersWithoutPicocliWarnings() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            render(Main.commandLine());
        } finally {
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("picocli WARN"), text);
    }

    private static void render(CommandLine cl) {
        cl.getUsageMessage();
        cl.getSubcommands().values().forEach(MainTest::render);
    }

    @Test
    void aMessageWithoutACodeGetsTheCodeOfItsExitStatus() {
        assertEquals("jbits: Unknown option: '--bogus' [E_INVALIDARG 0x80070057]",
                Main.errorLine("Unknown option: '--bogus'", CliException.USAGE));
        assertEquals("jbits: lost the connection to the agent [RPC_S_SERVER_UNAVAILABLE 0x800706BA]",
                Main.errorLine("lost the connection to the agent", CliException.AGENT_UNREACHABLE));
        assertEquals("jbits: no such job [BG_E_NOT_FOUND 0x80200001]", Main.errorLine("no such job", CliException.NOT_FOUND));
    }

    @Test
    void aMessageThatNamesItsCodeKeepsIt() {
        assertEquals("jbits: job x failed: BG_E_HTTP_ERROR_404 0x80190194 in RemoteFile: HTTP 404",
                Main.errorLine("job x failed: BG_E_HTTP_ERROR_404 0x80190194 in RemoteFile: HTTP 404", CliException.JOB_ERROR));
        assertEquals("jbits: too long [BG_E_STRING_TOO_LONG 0x80200021]",
                Main.errorLine("too long [BG_E_STRING_TOO_LONG 0x80200021]", CliException.USAGE));
    }

    @Test
    void aBareCodeNameGetsItsValue() {
        assertEquals("jbits: --all-users is not supported [E_NOTIMPL 0x80004001]",
                Main.errorLine("--all-users is not supported [E_NOTIMPL]", CliException.USAGE));
    }

    @Test
    void aMessageQuotingControlCharactersStaysOneLine() {
        assertEquals("jbits: unknown priority 'a\\nb\\x1b[2J' [E_INVALIDARG 0x80070057]",
                Main.errorLine("unknown priority 'a\nb\u001b[2J'", CliException.USAGE));
    }
}
