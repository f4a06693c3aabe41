package org.leno.internal.nn;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs {@link KernelCheck} in child JVMs: one for a list of checks, and after a crash another for
 * the checks left, until every check has an outcome. Counts the processes it starts.
 */
final class KernelChecker {
    /** One configuration on one path. */
    record Job(KernelShape shape, KernelPath path) {}

    /** The outcome of one check: errors of output, input gradient, weight gradient; detail of a crash. */
    record Outcome(KernelVerdict.Status status, double[] errors, String detail) {}

    private static final long CHILD_TIMEOUT_MINUTES = 30;

    private final KernelFaults faults;
    private int processes;

    KernelChecker(KernelFaults faults) {
        this.faults = faults;
    }

    int processesStarted() { return processes; }

    Map<Job, Outcome> run(List<Job> jobs) {
        Map<Job, Outcome> outcomes = new LinkedHashMap<>();
        List<Job> left = new ArrayList<>(jobs);
        while (!left.isEmpty()) {
            runChild(left, outcomes);
            left.removeIf(outcomes::containsKey);
        }
        return outcomes;
    }

    /** One child over {@code jobs}; records what it finished and, if it died, the check it died in. */
    private void runChild(List<Job> jobs, Map<Job, Outcome> outcomes) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("leno-kernel-check");
            Path jobFile = dir.resolve("jobs.tsv");
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                lines.add(i + "\t" + jobs.get(i).path().name() + "\t" + jobs.get(i).shape().key());
            }
            Files.write(jobFile, lines, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(command(dir, jobFile)).redirectErrorStream(true).start();
            processes++;
            int running = -1;
            StringBuilder tail = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("begin ")) {
                        running = Integer.parseInt(line.substring(6).trim());
                    } else if (line.startsWith("result ")) {
                        String[] w = line.split(" ");
                        outcomes.put(jobs.get(Integer.parseInt(w[1])), new Outcome(KernelVerdict.Status.valueOf(w[2]),
                                new double[] {Double.parseDouble(w[3]), Double.parseDouble(w[4]), Double.parseDouble(w[5])}, ""));
                        running = -1;
                    } else {
                        tail.append(line).append('\n');
                    }
                }
            }
            if (!p.waitFor(CHILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
            }
            int exit = p.isAlive() ? -1 : p.exitValue();
            if (running >= 0) {
                outcomes.put(jobs.get(running), new Outcome(KernelVerdict.Status.CRASH, new double[3],
                        crashDetail(dir, exit, tail.toString())));
            } else if (exit != 0 || outcomes.isEmpty() && !jobs.isEmpty()) {
                throw new IllegalStateException("the kernel check process failed before its first check (exit " + exit
                        + "): " + String.join(" ", tail.toString().strip().lines().limit(3).toList()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the kernel check process: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking kernels", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private List<String> command(Path dir, Path jobFile) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // JavaCPP's own limit on the process's memory is 4x the heap here, and a ResNet stem at 224, batch
        // 64, in float64, takes 4.9 GB: libtorch's tensors are not the heap's, so no limit but the machine's
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-Xmx512m", "-XX:TieredStopAtLevel=1",
                "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0", "-Dorg.bytedeco.javacpp.maxBytes=0",
                "-XX:ErrorFile=" + dir.resolve("hs_err.log"), "-XX:-CreateCoredumpOnCrash"));
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.addAll(faults.asProperties());
        cmd.addAll(List.of("-cp", classPath(), KernelCheck.class.getName(), jobFile.toString()));
        return cmd;
    }

    /**
     * The class path that loaded this library: java.class.path, unless a URLClassLoader of its own
     * did (Maven's exec:java, application servers), whose files it then is.
     */
    static String classPath() {
        List<String> files = new ArrayList<>();
        for (ClassLoader l = KernelCheck.class.getClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof URLClassLoader u) {
                for (URL url : u.getURLs()) {
                    if ("file".equals(url.getProtocol())) {
                        try {
                            files.add(Path.of(url.toURI()).toString());
                        } catch (URISyntaxException | IllegalArgumentException e) {
                            // not a local file: the child could not read it either
                        }
                    }
                }
            }
        }
        return files.isEmpty() ? System.getProperty("java.class.path") : String.join(File.pathSeparator, files);
    }

    /**
     * The signal and native frame of the JVM's crash report, e.g. {@code SIGFPE in dnnl::...est_eff_1x1()};
     * without one, the exception the child died of (a path libtorch refuses for the configuration).
     */
    private static String crashDetail(Path dir, int exit, String output) {
        Path report = dir.resolve("hs_err.log");
        if (!Files.exists(report)) {
            String thrown = output.lines().filter(l -> l.startsWith("Exception in thread")).findFirst()
                    .map(l -> l.replaceFirst("^Exception in thread \"[^\"]*\" ", "")).orElse("");
            if (thrown.startsWith("java.lang.OutOfMemoryError")) {
                throw new IllegalStateException("the kernel check process ran out of memory: " + thrown);
            }
            return exit == -1 ? "hung (killed after " + CHILD_TIMEOUT_MINUTES + " min)"
                    : "died (exit " + exit + (thrown.isEmpty() ? "" : ": " + thrown) + ")";
        }
        try (Stream<String> lines = Files.lines(report, StandardCharsets.ISO_8859_1)) {
            String signal = "";
            String frame = "";
            for (String l : (Iterable<String>) lines.limit(40)::iterator) {
                if (signal.isEmpty() && l.matches("#\\s+SIG[A-Z]+.*")) {
                    signal = l.replaceFirst("#\\s+(SIG[A-Z]+).*", "$1");
                } else if (frame.isEmpty() && l.matches("# [CVj]  .*")) {
                    frame = l.substring(2).replaceFirst("^[CVj]\\s+(\\[[^]]*\\])?\\s*", "").strip();
                }
            }
            return (signal.isEmpty() ? "crashed" : signal) + (frame.isEmpty() ? "" : " in " + frame);
        } catch (IOException e) {
            return "crashed (exit " + exit + ")";
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
