package org.jbits.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jbits.testing.Cli;
import org.jbits.testing.NginxServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the CLI tests against an nginx share: the class's nginx (each test class starts its own in a
 * {@code @BeforeAll}, with the options and files it needs; closed here after the class), and per test a home
 * directory with its own agent ({@link #cli}) and an empty destination directory ({@link #dest}).
 */
abstract class NginxCliTest {
    static NginxServer nginx;

    @TempDir
    Path tmp;
    Cli cli;
    Path dest;

    @BeforeEach
    void openCli() throws Exception {
        cli = new Cli(tmp.resolve("home"));
        dest = Files.createDirectories(tmp.resolve("dest"));
    }

    @AfterEach
    void closeCli() {
        cli.close();
    }

    @AfterAll
    static void stopNginx() {
        if (nginx != null) {
            nginx.close();
            nginx = null;
        }
    }
}
