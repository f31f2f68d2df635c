package org.jbits.agent;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback's {@code %msg} with control characters escaped ({@link LogEscaping}): a message carries user input (a
 * job's display name, a URL), which must not be able to start a line of its own in the agent's log. Registered as
 * {@code %safeMsg} ({@link LogConfigurator} and {@link AgentLog}).
 */
public final class EscapedMessageConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return LogEscaping.escape(event.getFormattedMessage());
    }
}
