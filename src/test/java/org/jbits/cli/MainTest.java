package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The one stderr line every failure ends in. */
class MainTest {
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
