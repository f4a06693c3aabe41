package org.leno.internal.serve;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Request;

/**
 * Closes a connection on which no whole request has arrived for {@code timeout} while none was in
 * progress. A client sending its headers a byte at a time (slowloris) resets Jetty's idle timeout
 * with every byte, but not this one; it holds no thread either way, only a connection, and now only
 * for {@code timeout}.
 */
final class SlowHeaders implements Connection.Listener {
    private static final class State {
        private volatile long since = System.nanoTime();
        private final AtomicInteger active = new AtomicInteger();
    }

    private final ConcurrentMap<Connection, State> open = new ConcurrentHashMap<>();
    private final long timeoutNanos;

    SlowHeaders(Duration timeout, ScheduledExecutorService timer) {
        this.timeoutNanos = timeout.toNanos();
        timer.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void onOpened(Connection connection) {
        open.put(connection, new State());
    }

    @Override
    public void onClosed(Connection connection) {
        open.remove(connection);
    }

    /** A request's headers arrived; its connection is busy until it is answered. */
    void arrived(Request request) {
        State s = open.get(request.getConnectionMetaData().getConnection());
        if (s != null) {
            s.active.incrementAndGet();
            Request.addCompletionListener(request, failure -> {
                s.since = System.nanoTime();
                s.active.decrementAndGet();
            });
        }
    }

    /** Never throws: a scheduled task that throws is not run again. */
    private void sweep() {
        long now = System.nanoTime();
        open.forEach((connection, s) -> {
            if (s.active.get() == 0 && now - s.since > timeoutNanos) {
                open.remove(connection);
                try {
                    connection.close();
                } catch (RuntimeException e) {
                    // closing a connection that is closing already: nothing left to do
                }
            }
        });
    }
}
