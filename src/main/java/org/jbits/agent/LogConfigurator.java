package org.jbits.agent;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;

/**
 * jbits' logging set-up, made in code at the first logger (a {@link Configurator} service, found by logback's
 * {@code ServiceLoader}), instead of parsing an XML file at every start (Joran took 270-430 ms of the agent's start):
 * every process logs to stderr with {@link #CONSOLE_PATTERN}, the root at {@code jbits.log.level} (WARN unless
 * set: stderr is for the CLI's one-line errors, stdout for its output), {@code okhttp3} and
 * {@code org.freedesktop.dbus} (dbus-java reports its connections at INFO; the agent logs the cost changes itself)
 * at WARN, {@code jcifs} at {@code jbits.smb.log.level} (ERROR unless set: jcifs-ng warns with a stack trace for
 * every request in flight when a connection drops, and SmbTransport reports the failure once, with its BITS code).
 * Logback never prints its own status. The agent adds its file ({@link AgentLog}).
 *
 * <p>A {@code -Dlogback.configurationFile} or a {@code logback-test.xml} on the class path is left to logback's own
 * configurator, as before.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    /** The console's line; {@code %safeMsg}/{@code %safeEx} are {@code %msg}/{@code %ex} with controls escaped. */
    static final String CONSOLE_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} - %safeMsg%n%safeEx";

    @Override
    public ExecutionStatus configure(LoggerContext ctx) {
        if (System.getProperty("logback.configurationFile") != null
                || LogConfigurator.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        ctx.getStatusManager().add(new NopStatusListener());
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setName("STDERR");
        console.setTarget("System.err");
        console.setEncoder(encoder(ctx, CONSOLE_PATTERN));
        console.start();
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(level("jbits.log.level", "WARN"));
        root.addAppender(console);
        ctx.getLogger("okhttp3").setLevel(Level.WARN);
        ctx.getLogger("jcifs").setLevel(level("jbits.smb.log.level", "ERROR"));
        ctx.getLogger("org.freedesktop.dbus").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * The level a system property (else an environment variable of that name, as logback's {@code ${name:-dflt}}
     * looks them up) names, else {@code dflt}; a name that is no level is DEBUG, as logback reads it.
     */
    static Level level(String property, String dflt) {
        String v = System.getProperty(property);
        if (v == null) {
            v = System.getenv(property);
        }
        return Level.toLevel(v == null ? dflt : v);
    }

    /** An encoder of {@code pattern} with jbits' escaping converters ({@code %safeMsg}, {@code %safeEx}). */
    static LayoutWrappingEncoder<ILoggingEvent> encoder(LoggerContext ctx, String pattern) {
        PatternLayout layout = new PatternLayout();
        layout.setContext(ctx);
        // Messages carry user input (display names, URLs): control characters are escaped, so none starts a line.
        layout.getInstanceConverterMap().put("safeMsg", EscapedMessageConverter.class.getName());
        layout.getInstanceConverterMap().put("safeEx", EscapedThrowableConverter.class.getName());
        layout.setPattern(pattern);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(ctx);
        encoder.setLayout(layout);
        encoder.start();
        return encoder;
    }
}
