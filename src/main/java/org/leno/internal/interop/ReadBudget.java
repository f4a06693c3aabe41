package org.leno.internal.interop;

/** What one read of one file has allocated so far, against its {@link ReadLimits}. */
final class ReadBudget {
    private final String source;
    private final ReadLimits limits;
    private long used;

    ReadBudget(String source, ReadLimits limits) {
        this.source = source;
        this.limits = limits;
    }

    ReadLimits limits() { return limits; }

    long used() { return used; }

    /** Counts {@code bytes} more, or refuses the file naming {@code what} needed them. */
    void charge(long bytes, String what) {
        if (bytes < 0 || bytes > limits.maxBytes() - used) {
            throw new InterchangeException(source + ": reading it would take more than "
                    + ReadLimits.megabytes(limits.maxBytes()) + " of memory (" + what + "); the limit is "
                    + limits.basis());
        }
        used += bytes;
    }
}
