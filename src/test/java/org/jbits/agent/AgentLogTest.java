package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class AgentLogTest {
    @TempDir
    Path dir;

    @AfterEach
    void restoreTheDefaultConfiguration() throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        new ContextInitializer(ctx).autoConfig();
    }

    @Test
    void theLogRollsOverBySizeAndKeepsThreeOldFiles() throws Exception {
        Path log = dir.resolve("agent.log");
        AgentLog.toFile(log, 4096);
        Logger logger = LoggerFactory.getLogger("org.jbits.test");
        String line = "x".repeat(200);
        // The size is checked about once a second: keep writing, a little at a time, until it has rolled 3 times.
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!Files.exists(dir.resolve("agent.log.3")) && System.nanoTime() < deadline) {
            for (int i = 0; i < 5; i++) {
                logger.warn("{} {}", i, line);
            }
            Thread.sleep(50);
        }
        // Once more past the limit: the fourth roll-over must drop the oldest file, not keep a fourth.
        for (int i = 0; i < 30; i++) {
            logger.warn("{} {}", i, line);
            Thread.sleep(60);
        }
        assertTrue(Files.exists(dir.resolve("agent.log.1")), "rolled once");
        assertTrue(Files.exists(dir.resolve("agent.log.3")), "rolled three times");
        assertFalse(Files.exists(dir.resolve("agent.log.4")), "only three old files are kept");
        assertTrue(Files.size(log) < 64 * 1024, "the live log stays near the limit: " + Files.size(log));
        assertTrue(Files.readString(log).contains(line));
    }

    @Test
    void theLogAndItsRolledOverFilesAreAllPrivate() throws Exception {
        Path log = dir.resolve("agent.log");
        AgentLog.toFile(log, 4096);
        Logger logger = LoggerFactory.getLogger("org.jbits.test");
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!Files.exists(dir.resolve("agent.log.2")) && System.nanoTime() < deadline) {
            logger.warn("{}", "y".repeat(500));
            Thread.sleep(20);
        }
        logger.warn("after the roll-over");
        for (String name : new String[]{"agent.log", "agent.log.1", "agent.log.2"}) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))), name);
        }
    }

    @Test
    void controlCharactersInAMessageOrAnExceptionCannotStartALine() throws Exception {
        Path log = dir.resolve("agent.log");
        AgentLog.toFile(log);
        Logger logger = LoggerFactory.getLogger("org.jbits.test");
        logger.warn("job created: '{}'", "evil\nFORGED INFO line\u001b[2J");
        logger.error("failed", new IllegalArgumentException("bad name 'x\nFORGED ERROR line'"));
        List<String> lines = Files.readAllLines(log);
        for (String l : lines) {
            assertFalse(l.startsWith("FORGED"), l);
            assertFalse(l.contains("\u001b"), l);
        }
        String text = String.join("\n", lines);
        assertTrue(text.contains("evil\\nFORGED INFO line\\u001b[2J"), text);
        assertTrue(text.contains("java.lang.IllegalArgumentException: bad name 'x\\nFORGED ERROR line'"), text);
        assertTrue(text.contains("\tat org.jbits.agent.AgentLogTest"), "the stack trace keeps its lines: " + text);
    }
}
