// The measurement behind the choice of HTTP layer for `leno serve` (docs/serving.md#the-http-layer).
// Usage: scripts/http_layer_bench.sh [SECONDS] [ROUNDS]   (one server: java -cp JARS scripts/HttpLayerBench.java KIND [SECONDS])
// Starts one server on 127.0.0.1 (an ephemeral port) in this JVM, KIND: jdk (the JDK's HttpServer, 16 handler threads),
// jdk-cached (the same, a thread per connection) or jetty (Jetty 12, its own pool of at most 64 threads): GET /ready answers "ok", POST /echo reads the body (a 100 KB
// image-sized upload) and answers its length as JSON. Then, on loopback only, bounded in time:
//   1. throughput and p50/p99 of POST /echo with 16, then 64 keep-alive clients (SECONDS each);
//   2. 1,000 slowloris connections trickling a header byte a second, while GET /ready is timed every 100 ms;
//   3. a 2 GB Content-Length whose body trickles, 32 of them, while GET /ready is timed likewise.
// Prints one line per phase. Nothing is sent anywhere but 127.0.0.1, and every loop ends by itself.

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

public final class HttpLayerBench {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    static final byte[] BODY = new byte[100_000];

    interface Running extends AutoCloseable {
        int port();

        @Override
        void close() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        long t0 = System.nanoTime();
        try (Running server = kind.equals("jetty") ? jetty() : jdk(kind.equals("jdk-cached"))) {
            System.out.printf("%s start %.0f ms%n", kind, (System.nanoTime() - t0) / 1e6);
            for (int clients : new int[] {16, 64}) {
                load(kind, server.port(), clients, seconds);
            }
            hostile(kind, server.port(), "slowloris x1000", 1000, false);
            hostile(kind, server.port(), "2GB slow body x32", 32, true);
        }
        System.exit(0);
    }

    static Running jdk(boolean threadPerConnection) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
        ExecutorService pool = threadPerConnection ? Executors.newCachedThreadPool() : Executors.newFixedThreadPool(16);
        s.setExecutor(pool);
        s.createContext("/ready", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] b = "ok".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        s.createContext("/echo", ex -> {
            int n = ex.getRequestBody().readNBytes(64 << 20).length;
            byte[] b = ("{\"bytes\":" + n + "}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        s.start();
        return new Running() {
            public int port() { return s.getAddress().getPort(); }

            public void close() {
                s.stop(0);
                pool.shutdownNow();
            }
        };
    }

    static Running jetty() throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        Server s = new Server(threads);
        ServerConnector c = new ServerConnector(s);
        c.setHost("127.0.0.1");
        c.setPort(0);
        c.setIdleTimeout(30_000);
        s.addConnector(c);
        s.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                if (request.getHttpURI().getPath().equals("/ready")) {
                    response.write(true, ByteBuffer.wrap("ok".getBytes(StandardCharsets.UTF_8)), callback);
                    return true;
                }
                Content.Source.asByteArrayAsync(request, 64 << 20, new Promise.Invocable<byte[]>() {
                    @Override
                    public void succeeded(byte[] b) {
                        String json = "{\"bytes\":" + b.length + "}";
                        response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
                    }

                    @Override
                    public void failed(Throwable x) {
                        callback.failed(x);
                    }
                });
                return true;
            }
        });
        s.start();
        return new Running() {
            public int port() { return c.getLocalPort(); }

            public void close() throws Exception { s.stop(); }
        };
    }

    /** {@code clients} keep-alive connections posting BODY for {@code seconds}. */
    static void load(String kind, int port, int clients, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        byte[] head = ("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\nContent-Length: "
                + BODY.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> {
                try (Socket s = new Socket(LOOPBACK, port)) {
                    s.setSoTimeout(30_000);
                    OutputStream out = s.getOutputStream();
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    while (System.nanoTime() < end) {
                        long a = System.nanoTime();
                        out.write(head);
                        out.write(BODY);
                        out.flush();
                        if (readResponse(in) != 200) {
                            errors.incrementAndGet();
                        }
                        latencies.add(System.nanoTime() - a);
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("%s load %d clients: %.0f req/s, p50 %.2f ms, p99 %.2f ms, errors %d%n", kind, clients,
                sorted.size() / (double) seconds, pct(sorted, 0.50), pct(sorted, 0.99), errors.get());
    }

    /** {@code n} connections that never finish their request; /ready timed every 100 ms for 10 s meanwhile. */
    static void hostile(String kind, int port, String what, int n, boolean slowBody) throws Exception {
        List<Socket> open = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket(LOOPBACK, port);
            String start = slowBody ? "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000000\r\n\r\nx"
                    : "POST /echo HTTP/1.1\r\nHost: x\r\nX-Slow: ";
            s.getOutputStream().write(start.getBytes(StandardCharsets.US_ASCII));
            open.add(s);
        }
        Thread trickle = new Thread(() -> {
            for (int round = 0; round < 12 && !Thread.currentThread().isInterrupted(); round++) {
                for (Socket s : open) {
                    try {
                        s.getOutputStream().write('a');
                    } catch (IOException e) {
                        // closed by the server: what a defence does
                    }
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        trickle.start();
        List<Long> ready = new ArrayList<>();
        int failed = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            long a = System.nanoTime();
            try (Socket s = new Socket(LOOPBACK, port)) {
                s.setSoTimeout(2_000);
                s.getOutputStream().write("GET /ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                if (readResponse(new BufferedInputStream(s.getInputStream())) == 200) {
                    ready.add(System.nanoTime() - a);
                } else {
                    failed++;
                }
            } catch (IOException e) {
                failed++;
            }
            Thread.sleep(100);
        }
        trickle.interrupt();
        trickle.join();
        for (Socket s : open) {
            s.close();
        }
        Collections.sort(ready);
        System.out.printf("%s %s: /ready answered %d, failed or over 2 s %d, p50 %.2f ms, max %.2f ms%n", kind, what,
                ready.size(), failed, pct(ready, 0.5), ready.isEmpty() ? Double.NaN : ready.get(ready.size() - 1) / 1e6);
        Thread.sleep(1000);
    }

    static double pct(List<Long> sorted, double p) {
        return sorted.isEmpty() ? Double.NaN : sorted.get((int) Math.min(sorted.size() - 1, p * sorted.size())) / 1e6;
    }

    /** Reads one response (status line, headers, Content-Length body); returns its status. */
    static int readResponse(InputStream in) throws IOException {
        String status = line(in);
        int length = 0;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(h.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return Integer.parseInt(status.split(" ")[1]);
    }

    static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("closed");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
