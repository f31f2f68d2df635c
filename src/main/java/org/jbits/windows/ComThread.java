package org.jbits.windows;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jbits.BitsException;
import org.jbits.HResult;

/**
 * The one thread that talks to BITS. It joins the multithreaded apartment (CoInitializeEx MTA), sets the process'
 * COM security with impersonation (BITS requires at least RPC_C_IMP_LEVEL_IMPERSONATE, reference §2.1), and runs
 * every COM call of its manager, so interface pointers never cross apartments and COM set-up happens once.
 */
final class ComThread implements AutoCloseable {
    private final ExecutorService executor;
    private final AtomicReference<Thread> thread = new AtomicReference<>();
    private final Ole32 ole32;
    /** What CoInitializeEx returned: S_OK, or S_FALSE when the thread was already in the MTA (written before the constructor returns). */
    private volatile int initializeResult;
    /** What CoInitializeSecurity returned: S_OK, or RPC_E_TOO_LATE when the process had already set it. */
    private final int securityResult;
    /** What CoIncrementMTAUsage returned (written on the COM thread before the constructor returns). */
    private volatile int pinResult;

    ComThread(Ole32 ole32, String name) {
        this.ole32 = ole32;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread.set(t);
            return t;
        });
        this.securityResult = call(this::initialize);
    }

    private int initialize() {
        int hr = ole32.CoInitializeEx(null, Ole32.COINIT_MULTITHREADED);
        initializeResult = hr;
        HResults.check(hr, "CoInitializeEx(COINIT_MULTITHREADED)");
        // Pin the MTA for the life of the process (the cookie is never given back). Without this, closing the last
        // manager tears the apartment down, and under Wine the callbacks of every later manager were never
        // delivered (the objects BITS holds proxies to belong to the apartment, not to a manager).
        try {
            pinResult = ole32.CoIncrementMTAUsage(new com.sun.jna.ptr.PointerByReference());
        } catch (UnsatisfiedLinkError beforeWindows8) {
            pinResult = HResult.E_NOTIMPL;
        }
        int sec = ole32.CoInitializeSecurity(null, -1, null, null, Ole32.RPC_C_AUTHN_LEVEL_CONNECT,
                Ole32.RPC_C_IMP_LEVEL_IMPERSONATE, null, Ole32.EOAC_NONE, null);
        // Once per process: a second manager (or a host that set security itself) gets RPC_E_TOO_LATE and
        // inherits the process' settings.
        if (sec != HResults.RPC_E_TOO_LATE) {
            HResults.check(sec, "CoInitializeSecurity(RPC_C_IMP_LEVEL_IMPERSONATE)");
        }
        return sec;
    }

    /** CoInitializeEx's result. */
    int initializeResult() {
        return initializeResult;
    }

    /** CoInitializeSecurity's result. */
    int securityResult() {
        return securityResult;
    }

    Ole32 ole32() {
        return ole32;
    }

    /** True on the COM thread itself. */
    boolean isComThread() {
        return Thread.currentThread() == thread.get();
    }

    /** Runs {@code task} on the COM thread (directly when already on it) and returns its result; rethrows its failure. */
    <T> T call(Callable<T> task) {
        if (isComThread()) {
            return runHere(task);
        }
        Future<T> f;
        try {
            f = executor.submit(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new BitsException(HResult.E_UNEXPECTED, "the native BITS manager is closed", e);
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BitsException(HResult.E_UNEXPECTED, "interrupted while waiting for a BITS call", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new BitsException(HResult.E_FAIL, "a BITS call failed: " + c, c);
        }
    }

    /** Runs {@code task} on the COM thread for its effect. */
    void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** Queues {@code task} without waiting (releases from the cleaner); dropped once closed. */
    void post(Runnable task) {
        try {
            executor.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the apartment is gone and with it every pointer the task would touch
        }
    }

    private static <T> T runHere(Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new BitsException(HResult.E_FAIL, "a BITS call failed: " + e, e);
        }
    }

    /** Runs {@code last} on the COM thread, leaves the apartment and stops the thread. */
    void close(Runnable last) {
        try {
            executor.execute(() -> {
                try {
                    last.run();
                } finally {
                    ole32.CoUninitialize();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException alreadyClosed) {
            return;
        }
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(() -> { });
    }
}
