package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The logging set-up in code is the one the XML file made (kept as {@code logging/logback-before.xml}, read here by
 * logback's own Joran): the same loggers at the same levels, the same appender, and the same line for the same
 * event, escapes and stack trace included.
 */
class LogConfiguratorTest {
    private static LoggerContext fromCode() {
        LoggerContext ctx = new LoggerContext();
        LogConfigurator c = new LogConfigurator();
        c.setContext(ctx);
        c.configure(ctx);
        return ctx;
    }

    private static LoggerContext fromXml() throws Exception {
        LoggerContext ctx = new LoggerContext();
        JoranConfigurator j = new JoranConfigurator();
        j.setContext(ctx);
        j.doConfigure(LogConfiguratorTest.class.getResource("/logging/logback-before.xml"));
        return ctx;
    }

    @ParameterizedTest(name = "jbits.log.level={0}")
    @ValueSource(strings = {"", "INFO", "DEBUG", "nonsense"})
    void theLoggersAndLevelsAreTheXmlsOnes(String level) throws Exception {
        String before = System.getProperty("jbits.log.level");
        try {
            if (level.isEmpty()) {
                System.clearProperty("jbits.log.level");
            } else {
                System.setProperty("jbits.log.level", level);
            }
            LoggerContext code = fromCode();
            LoggerContext xml = fromXml();
            for (String name : List.of(org.slf4j.Logger.ROOT_LOGGER_NAME, "okhttp3", "jcifs", "org.freedesktop.dbus",
                    "org.jbits.engine.JobStateMachine", "okhttp3.internal.http2")) {
                assertEquals(xml.getLogger(name).getEffectiveLevel(), code.getLogger(name).getEffectiveLevel(), name);
            }
        } finally {
            if (before == null) {
                System.clearProperty("jbits.log.level");
            } else {
                System.setProperty("jbits.log.level", before);
            }
        }
    }

    @Test
    void theLineIsTheXmlsLineByteForByte() throws Exception {
        LoggerContext code = fromCode();
        LoggerContext xml = fromXml();
        Encoder<ILoggingEvent> fromCode = encoder(code);
        Encoder<ILoggingEvent> fromXml = encoder(xml);
        ch.qos.logback.classic.Logger logger = code.getLogger("org.jbits.engine.JobStateMachine");
        LoggingEvent plain = new LoggingEvent("x", logger, Level.WARN, "job {}: '{}'", null,
                new Object[] {"42", "name\nforged INFO line\u001b[31m"});
        LoggingEvent failed = new LoggingEvent("x", logger, Level.ERROR, "failed", new IllegalStateException(
                "bad\r\nthing"), null);
        for (LoggingEvent e : List.of(plain, failed)) {
            e.setTimeStamp(1_700_000_000_123L);
            String a = new String(fromXml.encode(e), StandardCharsets.UTF_8);
            String b = new String(fromCode.encode(e), StandardCharsets.UTF_8);
            assertEquals(a, b);
            assertFalse(b.substring(0, b.indexOf('\n')).contains("\u001b"), b);
        }
    }

    @SuppressWarnings("unchecked")
    private static Encoder<ILoggingEvent> encoder(LoggerContext ctx) {
        Appender<ILoggingEvent> a = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        return ((ConsoleAppender<ILoggingEvent>) a).getEncoder();
    }
}
