package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's class-data-sharing archive is passed only when the agent runs from one jar with the archive beside it. */
class AgentArchiveTest {
    @TempDir
    Path dir;

    @Test
    void theArchiveBesideTheOneJar() throws Exception {
        Path jar = Files.createFile(dir.resolve("jbits.jar"));
        assertEquals(Optional.empty(), AgentProcess.agentArchive(jar.toString()), "no archive made");
        Path jsa = Files.createFile(dir.resolve(AgentProcess.AGENT_ARCHIVE));
        assertEquals(Optional.of(jsa), AgentProcess.agentArchive(jar.toString()));
        assertEquals(Optional.empty(), AgentProcess.agentArchive(jar + File.pathSeparator + dir.resolve("other.jar")),
                "a class path of several entries is not the one the archive was made for");
        assertEquals(Optional.empty(), AgentProcess.agentArchive(dir.resolve("classes").toString()));
        assertEquals(Optional.empty(), AgentProcess.agentArchive(""));
        assertTrue(AgentProcess.AGENT_JVM_FLAGS.contains("-XX:MaxHeapFreeRatio=20"));
        assertTrue(AgentProcess.AGENT_JVM_FLAGS.contains("-XX:MinHeapFreeRatio=10"));
    }
}
