package org.leno.internal.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.leno.internal.distributed.DistributedFlags;
import org.leno.internal.train.TrainConfig;

/**
 * {@code --multiprocessing-distributed}: starts one worker JVM per local process slot with the
 * same flags plus its global rank, the multiplied world size and its share of the batch, loader
 * threads and compute threads; waits for them, and when one fails stops the others and exits
 * with the failed worker's code.
 */
final class WorkerLauncher {
    private final int nproc;
    private final int nodes;
    private final int nodeRank;
    private final int batchSize;
    private final int workers;
    private final int threads;
    private final long seed;
    private final List<String> originalArgs;
    private final boolean nccl;
    private final int maxRestarts;
    /** Set when the launcher itself is asked to stop (SIGINT/SIGTERM): no restart then. */
    private volatile boolean stopped;

    /** For the resolved configuration; {@code originalArgs} start with the verb. */
    WorkerLauncher(TrainConfig cfg, String[] originalArgs) {
        DistributedFlags d = cfg.distributed();
        this.nproc = d.nprocPerNode();
        this.nodes = d.worldSize() > 0 ? d.worldSize() : 1;
        this.nodeRank = Math.max(d.rank(), 0);
        if (nodeRank >= nodes) {
            throw new IllegalArgumentException("--rank " + d.rank() + " is not a node of --world-size " + nodes);
        }
        this.batchSize = cfg.data().batchSize();
        this.workers = cfg.data().workers();
        this.threads = cfg.runtime().threads();
        this.seed = cfg.runtime().seed();
        this.originalArgs = List.of(originalArgs);
        this.nccl = d.nccl();
        this.maxRestarts = d.maxRestarts();
    }

    /** Copies a worker's output line by line, so that the workers' lines never interleave mid-line. */
    private final List<Thread> relays = new ArrayList<>();

    private void relayLines(java.io.InputStream in, java.io.PrintStream out) {
        Thread t = new Thread(() -> {
            try (java.io.BufferedReader r = new java.io.BufferedReader(
                    new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (out) {
                        out.println(line);
                    }
                }
            } catch (java.io.IOException ignored) {
                // the worker is gone
            }
        }, "leno-worker-output");
        t.setDaemon(true);
        t.start();
        relays.add(t);
    }

    private void drainOutput() throws InterruptedException {
        for (Thread t : relays) {
            t.join(5000);
        }
    }

    /**
     * Runs the workers; when one fails and restarts remain, stops the others and starts them all
     * again with --resume auto, so that they continue from the latest checkpoint.
     */
    int run() throws InterruptedException {
        int code = runOnce(List.of());
        // 130 and 143: a worker stopped by SIGINT/SIGTERM after saving, as asked; that is not a failure to recover from
        for (int restart = 1; code != 0 && code != 130 && code != 143 && !stopped && restart <= maxRestarts; restart++) {
            System.err.printf("leno train: restarting the workers from the latest checkpoint (restart %d of %d)%n",
                    restart, maxRestarts);
            code = runOnce(List.of("--resume", "auto"));
        }
        return code;
    }

    private int runOnce(List<String> extraArgs) throws InterruptedException {
        relays.clear();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int localPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            localPort = s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot find a free local port for the rendezvous", e);
        }
        List<Process> procs = new ArrayList<>();
        int cores = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < nproc; i++) {
            List<String> cmd = new ArrayList<>(List.of(java));
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            cmd.addAll(missingJdk24Flags(cmd));
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
            cmd.addAll(originalArgs);
            if (nodes == 1 && !originalArgs.contains("--dist-url") && !originalArgs.contains("--dist_url")) {
                cmd.addAll(List.of("--dist-url", "tcp://127.0.0.1:" + localPort));
            }
            // the original arguments start with the verb; later flags win (overwritten options are allowed)
            cmd.addAll(List.of("--spawned-worker", "--world-size", String.valueOf(nodes * nproc),
                    "--rank", String.valueOf(nodeRank * nproc + i),
                    "--threads", String.valueOf(Math.max(1, (threads > 0 ? threads : cores) / nproc))));
            if (nccl) { // one CUDA device per worker: its local rank (issue 14)
                cmd.addAll(List.of("--gpu", String.valueOf(i)));
            }
            // one seed for all workers: their shards come from the same shuffle
            cmd.addAll(List.of("--seed", String.valueOf(seed), "--batch-size", String.valueOf(Math.max(1, batchSize / nproc)),
                    "--workers", String.valueOf((workers + nproc - 1) / nproc)));
            cmd.addAll(extraArgs);
            try {
                Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT).start();
                relayLines(p.getInputStream(), System.out);
                relayLines(p.getErrorStream(), System.err);
                procs.add(p);
            } catch (java.io.IOException e) {
                procs.forEach(Process::destroyForcibly);
                throw new IllegalStateException("cannot start worker " + i + ": " + e.getMessage(), e);
            }
        }
        Thread hook = new Thread(() -> {
            stopped = true;
            procs.forEach(Process::destroy);
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return supervise(procs);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it stops the workers
            }
        }
    }

    /**
     * The flags ./leno gives Java 24 and later (JavaCPP's JNI loads and indexers warn without them) that
     * this JVM was started without, as by a plain {@code java -jar}: its manifest's Enable-Native-Access
     * does not reach a worker started with -cp.
     */
    static List<String> missingJdk24Flags(List<String> jvmArgs) {
        if (Runtime.version().feature() < 24) {
            return List.of();
        }
        return List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow").stream()
                .filter(flag -> jvmArgs.stream().noneMatch(a -> a.startsWith(flag.substring(0, flag.indexOf('=')))))
                .toList();
    }

    /** Waits for the workers; the first that fails stops the others, and its exit code is returned. */
    private int supervise(List<Process> procs) throws InterruptedException {
        while (true) {
            boolean allDone = true;
            for (int i = 0; i < procs.size(); i++) {
                Process p = procs.get(i);
                if (p.isAlive()) {
                    allDone = false;
                } else if (p.exitValue() != 0) {
                    int code = p.exitValue();
                    System.err.println("leno train: worker " + (nodeRank * nproc + i) + " failed with exit code " + code
                            + "; stopping the others");
                    for (Process other : procs) {
                        other.destroy();
                    }
                    for (Process other : procs) {
                        if (!other.waitFor(10, TimeUnit.SECONDS)) {
                            other.destroyForcibly();
                        }
                    }
                    drainOutput();
                    return code;
                }
            }
            if (allDone) {
                drainOutput();
                return 0;
            }
            Thread.sleep(200);
        }
    }
}
