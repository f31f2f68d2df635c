package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.NotifyCmdLine;
import org.jbits.NotifyFlag;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.transport.Transports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notify command line against real programs (small scripts the test writes), with a clock the test moves for
 * BITS' rule that a program exiting non-zero runs again after the retry delay.
 */
class NotifyCmdLineTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;
    private final RetryTimingTest.ManualClock clock = new RetryTimingTest.ManualClock();
    /** Every argument vector the engine started, in order. */
    private final List<List<String>> runs = new CopyOnWriteArrayList<>();
    private PortableEngine engine;
    private Path source;

    @BeforeEach
    void open() throws IOException {
        source = Files.writeString(tmp.resolve("source.txt"), "payload\n");
        engine = openEngine();
    }

    private PortableEngine openEngine() {
        EngineSettings s = EngineSettings.from(Engines.settings());
        NotifyCommands.Launcher counting = (argv, env) -> {
            runs.add(argv);
            return NotifyCommands.PROCESSES.start(argv, env);
        };
        return new PortableEngine(tmp.resolve("state"), s, clock,
                Transports.standard(s.connectTimeoutMillis(), s.readTimeoutMillis()), counting);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    /** A script that appends its arguments and $JBITS_JOB_STATE to {@code out} and exits with the code in {@code codeFile}. */
    private Path script(Path out, Path codeFile) throws IOException {
        Path s = tmp.resolve("notify.sh");
        Files.writeString(s, "#!/bin/sh\necho \"$JBITS_JOB_STATE $*\" >> '" + out + "'\necho printed by the program\n"
                + "exit $(cat '" + codeFile + "' 2>/dev/null || echo 0)\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
        return s;
    }

    private BitsJob localJob(String name) {
        BitsJob job = engine.createJob(name, JobType.DOWNLOAD);
        job.addFile(source.toString(), tmp.resolve(name + ".out").toString());
        return job;
    }

    @Test
    void theProgramRunsOnTransferredWithTheJobIdSubstitutedAndNoShell() throws Exception {
        Path out = tmp.resolve("out.txt");
        Path prog = script(out, tmp.resolve("code"));
        BitsJob job = localJob("ok");
        job.setNotifyCmdLine(prog.toString(), prog + " done %jobid% 'two words' $HOME");
        assertEquals(new NotifyCmdLine(prog.toString(), prog + " done %jobid% 'two words' $HOME"), job.notifyCmdLine());
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        Await.until(TIMEOUT, "the program's line", () -> Files.exists(out));
        assertEquals("Transferred done " + job.id() + " two words $HOME", Files.readString(out).trim(),
                "the id replaces %jobid%; quotes group words; nothing is expanded");
        assertEquals(List.of(prog.toString(), "done", job.id().toString(), "two words", "$HOME"), runs.get(0).subList(0, 5));
        Await.until(TIMEOUT, "the run to be recorded as done", () -> !engine.stateMachine().locked(
                () -> ((EngineJob) job).rec.notifyPending));
        clock.advance(Duration.ofHours(1));
        engine.poke();
        Await.sleep(300);
        assertEquals(1, runs.size(), "a program that exited 0 runs once");
    }

    @Test
    void aProgramExitingNonZeroRunsAgainAfterTheRetryDelayUntilTheJobIsCompleted() throws Exception {
        Path out = tmp.resolve("out.txt");
        Path code = Files.writeString(tmp.resolve("code"), "3");
        Path prog = script(out, code);
        BitsJob job = localJob("retry");
        job.setMinimumRetryDelay(60);
        job.setNotifyCmdLine(prog.toString(), null);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        Await.until(TIMEOUT, "the first run", () -> runs.size() == 1 && !running(job));
        clock.advance(Duration.ofSeconds(59));
        engine.poke();
        Await.sleep(300);
        assertEquals(1, runs.size(), "not before the retry delay");
        clock.advance(Duration.ofSeconds(1));
        engine.poke();
        Await.until(TIMEOUT, "the second run after 60 s", () -> runs.size() == 2 && !running(job));
        assertEquals(JobState.TRANSFERRED, job.state());
        job.complete();
        clock.advance(Duration.ofSeconds(120));
        engine.poke();
        Await.sleep(300);
        assertEquals(2, runs.size(), "a completed job's program does not run again");
    }

    private static int lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p).size() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private boolean running(BitsJob job) {
        return engine.stateMachine().locked(() -> ((EngineJob) job).notifyRunning);
    }

    @Test
    void anUnrunnableProgramIsAnErrorOnTheJobNotACrashAndIsTriedAgain() throws Exception {
        BitsJob job = localJob("missing");
        job.setMinimumRetryDelay(30);
        Path missing = tmp.resolve("no-such-program");
        job.setNotifyCmdLine(missing.toString(), missing + " %jobid%");
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        Await.until(TIMEOUT, "the failure on the job", () -> job.error().isPresent());
        JobError e = job.error().orElseThrow();
        assertEquals(ErrorContext.QUEUE_MANAGER_NOTIFICATION, e.context());
        assertEquals(HResult.ERROR_FILE_NOT_FOUND, e.hresult());
        assertTrue(e.description().contains(missing.toString()), e.description());
        assertEquals(JobState.TRANSFERRED, job.state(), "the job stays Transferred");
        clock.advance(Duration.ofSeconds(30));
        engine.poke();
        Await.until(TIMEOUT, "the second attempt", () -> runs.size() == 2);
        job.complete();
    }

    @Test
    void theFlagsDecideAndAnErrorRunsItWhenAsked() throws Exception {
        Path out = tmp.resolve("out.txt");
        Path prog = script(out, tmp.resolve("code"));
        BitsJob quiet = localJob("quiet");
        quiet.setNotifyFlags(EnumSet.of(NotifyFlag.JOB_ERROR));
        quiet.setNotifyCmdLine(prog.toString(), null);
        quiet.resume();
        Await.state(quiet, TIMEOUT, JobState.TRANSFERRED);
        Await.sleep(300);
        assertEquals(0, runs.size(), "Transferred without the transferred flag runs nothing");

        BitsJob failing = engine.createJob("failing", JobType.DOWNLOAD);
        failing.addFile(tmp.resolve("absent.txt").toString(), tmp.resolve("absent.out").toString());
        failing.setNotifyFlags(EnumSet.of(NotifyFlag.JOB_ERROR));
        failing.setNotifyCmdLine(prog.toString(), prog + " failed");
        failing.resume();
        Await.state(failing, TIMEOUT, JobState.ERROR);
        Await.until(TIMEOUT, "the program's line", () -> Files.exists(out));
        assertEquals("Error failed", Files.readString(out).trim());
        assertEquals(HResult.ERROR_FILE_NOT_FOUND, failing.error().orElseThrow().hresult(),
                "the job's own error is kept");
    }

    @Test
    void aPendingRunSurvivesARestart() throws Exception {
        Path out = tmp.resolve("out.txt");
        Path code = Files.writeString(tmp.resolve("code"), "1");
        Path prog = script(out, code);
        BitsJob job = localJob("restart");
        job.setNotifyCmdLine(prog.toString(), null);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        Await.until(TIMEOUT, "the failing run", () -> runs.size() == 1 && !running(job));
        engine.close();
        Files.writeString(code, "0");
        engine = openEngine();
        Await.until(TIMEOUT, "the run after the restart", () -> runs.size() == 2);
        Await.until(TIMEOUT, "its line", () -> lines(out) == 2);
    }

    @Test
    void badCommandLinesAreRefusedAndBothNullRemovesIt() {
        BitsJob job = localJob("bad");
        record Bad(String program, String params, int hr) {
        }
        for (Bad b : List.of(new Bad("relative/prog", null, HResult.E_INVALIDARG),
                new Bad("/bin/true", "/bin/false x", HResult.E_INVALIDARG),
                new Bad("/bin/true", "/bin/true 'unclosed", HResult.E_INVALIDARG),
                new Bad("/" + "p".repeat(260), null, HResult.BG_E_STRING_TOO_LONG),
                new Bad("/bin/true", "/bin/true " + "a".repeat(4000), HResult.BG_E_STRING_TOO_LONG),
                new Bad(null, "/bin/true", HResult.E_INVALIDARG))) {
            BitsException e = assertThrows(BitsException.class, () -> job.setNotifyCmdLine(b.program(), b.params()),
                    b.toString());
            assertEquals(b.hr(), e.hresult(), b + ": " + e.getMessage());
        }
        assertNull(job.notifyCmdLine());
        job.setNotifyCmdLine("/bin/true", "\"/bin/true\" %jobid%");
        job.setNotifyCmdLine(null, null);
        assertNull(job.notifyCmdLine());
    }
}
