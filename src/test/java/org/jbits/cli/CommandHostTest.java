package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command host's request frames and its choice of what it runs (the socket end to end: FastClientIT). */
class CommandHostTest {
    private final ByteArrayOutputStream wire = new ByteArrayOutputStream();

    private CommandHostTest frame(char tag, byte[] data) {
        wire.write(tag);
        wire.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        wire.writeBytes(data);
        return this;
    }

    private CommandHostTest frame(char tag, String text) {
        return frame(tag, text.getBytes(StandardCharsets.UTF_8));
    }

    private CommandHost.Request read() throws IOException {
        return CommandHost.readRequest(new DataInputStream(new ByteArrayInputStream(wire.toByteArray())));
    }

    @Test
    void aWholeRequestIsReadAsTheClientsLocaleEncodesIt() throws IOException {
        frame('J', "1:2.000000003").frame('K', "ISO-8859-1").frame('C', "/home/d\u00e9".getBytes(StandardCharsets.ISO_8859_1))
                .frame('U', "027").frame('T', "101").frame('W', "120 40").frame('V', "COLUMNS=99")
                .frame('A', "start").frame('A', "caf\u00e9.bin".getBytes(StandardCharsets.ISO_8859_1)).frame('A', "")
                .frame('R', "");
        CommandHost.Request r = read();
        assertEquals("1:2.000000003", r.build());
        assertEquals(Path.of("/home/d\u00e9"), r.cwd());
        assertEquals(027, r.umask());
        assertTrue(r.inTty());
        assertFalse(r.outTty());
        assertTrue(r.errTty());
        assertEquals(List.of(120, 40), List.of(r.size()[0], r.size()[1]));
        assertEquals("99", r.env().get("COLUMNS"));
        assertEquals(List.of("start", "caf\u00e9.bin", ""), r.args());
    }

    @Test
    void brokenRequestsAreRefusedAndAClientThatLeftIsNone() throws IOException {
        assertNull(read(), "nothing sent");
        frame('J', "x").frame('A', "get");
        assertNull(read(), "no R: the client went away between frames, and nothing runs");
        wire.reset();
        frame('J', "x");
        wire.write('A');
        wire.writeBytes(ByteBuffer.allocate(4).putInt(10).array());
        wire.writeBytes("get".getBytes(StandardCharsets.US_ASCII));
        assertThrows(IOException.class, this::read, "the client went away inside a frame");
        wire.reset();
        frame('J', "x").frame('C', "relative/dir").frame('R', "");
        assertThrows(IOException.class, this::read, "a relative working directory");
        wire.reset();
        frame('C', "/").frame('R', "");
        assertThrows(IOException.class, this::read, "no build");
        wire.reset();
        frame('J', "x").frame('C', "/").frame('Q', "");
        assertThrows(IOException.class, this::read, "an unknown frame");
        wire.reset();
        wire.write('A');
        wire.writeBytes(ByteBuffer.allocate(4).putInt(2 << 20).array());
        assertThrows(IOException.class, this::read, "over the request's 1 MiB");
        wire.reset();
        wire.write('A');
        wire.writeBytes(ByteBuffer.allocate(4).putInt(-1).array());
        assertThrows(IOException.class, this::read, "a negative length");
        wire.reset();
        frame('J', "x").frame('C', "/").frame('K', "NO-SUCH-CHARSET").frame('R', "");
        assertThrows(IOException.class, this::read, "a charset this JVM lacks: the JVM launcher runs it");
    }

    @Test
    void onlyJobCommandsWithoutProcessWideOptionsRunInTheAgent() {
        assertTrue(CommandHost.runsHere(List.of("start", "a", "b")));
        assertTrue(CommandHost.runsHere(List.of("get", "--json")));
        assertTrue(CommandHost.runsHere(List.of("remove", "j")));
        assertFalse(CommandHost.runsHere(List.of("agent", "stop")));
        assertFalse(CommandHost.runsHere(List.of("serve-uploads", "--dir", "/x")));
        assertFalse(CommandHost.runsHere(List.of("monitor")));
        assertFalse(CommandHost.runsHere(List.of("--help")));
        assertFalse(CommandHost.runsHere(List.of()));
        assertFalse(CommandHost.runsHere(List.of("get", "--host", "ssh://h")));
        assertFalse(CommandHost.runsHere(List.of("--backend=native", "get")));
        assertFalse(CommandHost.runsHere(List.of("start", "--remote-jbits", "/x", "a", "b")));
    }
}
