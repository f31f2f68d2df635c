package org.jbits.agent;

/**
 * The memory all connections' unfinished request lines may hold together: one connection may hold up to a
 * megabyte, but a thousand of them must not hold a gigabyte. Used by the I/O thread only.
 */
final class MemoryBudget implements LineBuffer.Budget {
    private final long limit;
    private long held;

    MemoryBudget(long limit) {
        this.limit = limit;
    }

    @Override
    public boolean grow(int bytes) {
        if (held + bytes > limit) {
            return false;
        }
        held += bytes;
        return true;
    }

    /** Bytes held now. */
    long held() {
        return held;
    }

    @Override
    public void release(int bytes) {
        held -= bytes;
    }

    @Override
    public String toString() {
        return (held >> 10) + " KiB of " + (limit >> 10) + " KiB";
    }
}
