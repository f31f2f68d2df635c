package org.jbits.agent;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * The log of an agent started in the background: {@code agent.log} in its state directory, rolled over at
 * {@link #MAX_BYTES} into {@code agent.log.1} … {@code agent.log.}{@value #KEEP}, so an agent that runs for
 * months does not fill the disk. An agent run in the foreground (a terminal, a systemd unit) logs to stderr
 * instead, where its supervisor keeps the log. Every file is 0600 ({@link PrivateRollingFileAppender}), and control
 * characters in messages are escaped ({@link EscapedMessageConverter}).
 */
public final class AgentLog {
    /** The size at which agent.log is rolled over. */
    public static final long MAX_BYTES = 10L << 20;
    /** How many rolled-over files are kept. */
    public static final int KEEP = 3;
    private static final long CHECK_MILLIS = 1000;
    /** One line per event; {@code %safeMsg}/{@code %safeEx} are {@code %msg}/{@code %ex} with control characters escaped. */
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{20} - %safeMsg%n%safeEx";

    private AgentLog() {
    }

    /** Sends every log event of this process to {@code file}, rolled over by size, instead of the console. */
    public static void toFile(Path file) {
        toFile(file, MAX_BYTES);
    }

    static void toFile(Path file, long maxBytes) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        LayoutWrappingEncoder<ILoggingEvent> encoder = LogConfigurator.encoder(ctx, PATTERN);

        RollingFileAppender<ILoggingEvent> appender = new PrivateRollingFileAppender<>();
        appender.setContext(ctx);
        appender.setName("AGENT_LOG");
        appender.setFile(file.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);

        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(ctx);
        rolling.setParent(appender);
        rolling.setFileNamePattern(file + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(KEEP);
        rolling.start();

        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(ctx);
        trigger.setMaxFileSize(new FileSize(maxBytes));
        // Logback looks at the file's size at most this often (its default is once a minute).
        trigger.setCheckIncrement(Duration.buildByMilliseconds(CHECK_MILLIS));
        trigger.start();

        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        appender.start();

        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
    }
}
