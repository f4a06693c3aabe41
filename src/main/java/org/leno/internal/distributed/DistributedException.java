package org.leno.internal.distributed;

/** A failed rendezvous or collective: a peer died or hung, a port was taken, the master was unreachable. */
public final class DistributedException extends RuntimeException {
    public DistributedException(String message, Throwable cause) {
        super(message, cause);
    }
}
