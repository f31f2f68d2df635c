package org.jbits.agent;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;

/**
 * Logback's {@code %ex} with each exception's message escaped ({@link LogEscaping}): the stack trace keeps its
 * lines, but a message that quotes user input cannot add lines of its own. Registered as {@code %safeEx}.
 */
public final class EscapedThrowableConverter extends ThrowableProxyConverter {
    @Override
    protected String throwableProxyToString(IThrowableProxy tp) {
        return super.throwableProxyToString(tp == null ? null : new Escaped(tp));
    }

    /** The same throwable with its message, and those of its causes and suppressed ones, escaped. */
    private record Escaped(IThrowableProxy of) implements IThrowableProxy {
        @Override
        public String getMessage() {
            return LogEscaping.escape(of.getMessage());
        }

        @Override
        public String getClassName() {
            return of.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return of.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return of.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return of.getCause() == null ? null : new Escaped(of.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] s = of.getSuppressed();
            if (s == null) {
                return null;
            }
            IThrowableProxy[] out = new IThrowableProxy[s.length];
            for (int i = 0; i < s.length; i++) {
                out[i] = new Escaped(s[i]);
            }
            return out;
        }

        @Override
        public boolean isCyclic() {
            return of.isCyclic();
        }
    }
}
