package org.jbits.transport;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.jbits.CostState;
import org.jbits.ProxySettings;

/**
 * Everything one transfer needs from the job around it, passed in rather than read from anywhere else: whether to
 * stop and a hook to abort blocking I/O when it is stopped, the proxy, the server's and the proxy's credentials,
 * the custom headers, the TLS options, where a reported redirect goes, the pacer the byte loops call, and the network's cost. Immutable but for the stop flag.
 */
public final class TransferContext {
    private final ProxySettings proxy;
    private final List<Credentials> serverCredentials;
    private final List<Credentials> proxyCredentials;
    private final List<Header> headers;
    private final TlsOptions tls;
    private final java.util.function.Consumer<java.net.URI> redirected;
    private final Pacer pacer;
    private final Supplier<CostState> cost;
    /** Shared with the contexts derived from this one ({@link #withServerCredentials}): one transfer, one stop. */
    private final StopSignal stop;

    /** Whether the transfer was asked to stop, and what aborts its blocking I/O when it is. */
    private static final class StopSignal {
        final List<Runnable> hooks = new CopyOnWriteArrayList<>();
        volatile boolean stopped;
    }

    /** One custom request header: a name and a value with neither CR nor LF (checked where the job takes them). */
    public record Header(String name, String value) {
        public Header {
            Objects.requireNonNull(name);
            Objects.requireNonNull(value);
        }

        /** Values may be secrets (tokens): only the name is shown. */
        @Override
        public String toString() {
            return name + ": ***";
        }
    }

    private TransferContext(Builder b, StopSignal stop) {
        this.proxy = b.proxy;
        this.serverCredentials = b.serverCredentials;
        this.proxyCredentials = b.proxyCredentials;
        this.headers = List.copyOf(b.headers);
        this.tls = b.tls;
        this.redirected = b.redirected;
        this.pacer = b.pacer;
        this.cost = b.cost;
        this.stop = stop;
    }

    /**
     * This context with other credentials for the server (one file's own, say), stopped together with it.
     * {@code credentials} null keeps these.
     */
    public TransferContext withServerCredentials(Credentials credentials) {
        if (credentials == null) {
            return this;
        }
        Builder b = copy();
        b.serverCredentials = List.of(credentials);
        return new TransferContext(b, stop);
    }

    /** This context reporting a redirect to {@code listener} (one file's), stopped together with it. */
    public TransferContext withRedirectListener(java.util.function.Consumer<java.net.URI> listener) {
        Builder b = copy();
        b.redirected = Objects.requireNonNull(listener);
        return new TransferContext(b, stop);
    }

    private Builder copy() {
        Builder b = new Builder();
        b.proxy = proxy;
        b.serverCredentials = serverCredentials;
        b.proxyCredentials = proxyCredentials;
        b.headers = headers;
        b.tls = tls;
        b.redirected = redirected;
        b.pacer = pacer;
        b.cost = cost;
        return b;
    }

    /** A context with BITS' defaults: the system's proxy, no credentials, no headers, no pacing, unrestricted cost. */
    public static Builder builder() {
        return new Builder();
    }

    /** True once the owner of the transfer asked it to stop (suspend, preemption, cancel, shutdown). */
    public boolean isStopped() {
        return stop.stopped;
    }

    /** Runs {@code action} when the transfer is stopped (at once if it already is). Used to abort a blocking read. */
    public void onStop(Runnable action) {
        stop.hooks.add(action);
        if (stop.stopped) {
            action.run();
        }
    }

    /** Asks the transfer to stop and runs the hooks that abort its blocking I/O. For the transfer's owner only. */
    public void stop() {
        stop.stopped = true;
        for (Runnable r : stop.hooks) {
            r.run();
        }
    }

    /** The job's proxy settings. */
    public ProxySettings proxy() {
        return proxy;
    }

    /**
     * The credentials for the server, or null: the one a protocol with a single scheme uses (SMB: NTLM, else
     * Negotiate, else the first given).
     */
    public Credentials serverCredentials() {
        return preferred(serverCredentials);
    }

    /** The credentials for the proxy, or null. */
    public Credentials proxyCredentials() {
        return preferred(proxyCredentials);
    }

    /** Every credential for the server, one per scheme: the one for the scheme the server asks for answers it. */
    public List<Credentials> serverCredentialList() {
        return serverCredentials;
    }

    /** Every credential for the proxy, one per scheme. */
    public List<Credentials> proxyCredentialList() {
        return proxyCredentials;
    }

    private static Credentials preferred(List<Credentials> list) {
        for (Credentials.Scheme s : List.of(Credentials.Scheme.NTLM, Credentials.Scheme.NEGOTIATE)) {
            for (Credentials c : list) {
                if (c.scheme() == s) {
                    return c;
                }
            }
        }
        return list.isEmpty() ? null : list.get(0);
    }

    /** The job's TLS options: its security flags, the authorities it trusts, its client certificate. */
    public TlsOptions tls() {
        return tls;
    }

    /**
     * Tells the job that the file's remote name is now {@code finalUri} (a redirect under
     * {@link org.jbits.SecurityFlags#REDIRECT_POLICY_ALLOW_REPORT}).
     */
    public void redirected(java.net.URI finalUri) {
        redirected.accept(finalUri);
    }

    /** Headers sent with every request of the transfer, in order. */
    public List<Header> headers() {
        return headers;
    }

    /** The pacer every byte loop calls before it moves more bytes. */
    public Pacer pacer() {
        return pacer;
    }

    /** The current cost of the network, as the engine sees it now. */
    public CostState cost() {
        return cost.get();
    }

    /** Builds a {@link TransferContext}. */
    public static final class Builder {
        private ProxySettings proxy = ProxySettings.DEFAULT;
        private List<Credentials> serverCredentials = List.of();
        private List<Credentials> proxyCredentials = List.of();
        private List<Header> headers = List.of();
        private TlsOptions tls = TlsOptions.NONE;
        private java.util.function.Consumer<java.net.URI> redirected = u -> { };
        private Pacer pacer = Pacer.UNLIMITED;
        private Supplier<CostState> cost = () -> CostState.UNRESTRICTED;

        private Builder() {
        }

        public Builder proxy(ProxySettings proxy) {
            this.proxy = Objects.requireNonNull(proxy);
            return this;
        }

        public Builder serverCredentials(Credentials c) {
            this.serverCredentials = c == null ? List.of() : List.of(c);
            return this;
        }

        public Builder proxyCredentials(Credentials c) {
            this.proxyCredentials = c == null ? List.of() : List.of(c);
            return this;
        }

        /** The server's credentials, at most one per scheme. */
        public Builder serverCredentials(List<Credentials> list) {
            this.serverCredentials = List.copyOf(list);
            return this;
        }

        /** The proxy's credentials, at most one per scheme. */
        public Builder proxyCredentials(List<Credentials> list) {
            this.proxyCredentials = List.copyOf(list);
            return this;
        }

        public Builder tls(TlsOptions tls) {
            this.tls = Objects.requireNonNull(tls);
            return this;
        }

        public Builder headers(List<Header> headers) {
            this.headers = List.copyOf(headers);
            return this;
        }

        public Builder pacer(Pacer pacer) {
            this.pacer = Objects.requireNonNull(pacer);
            return this;
        }

        public Builder cost(Supplier<CostState> cost) {
            this.cost = Objects.requireNonNull(cost);
            return this;
        }

        public TransferContext build() {
            return new TransferContext(this, new StopSignal());
        }
    }
}
