package org.leno.internal.nn;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.leno.internal.interop.AtomicFiles;

/**
 * Decides, for each convolution and linear configuration, which {@link KernelPath} computes it: the
 * first that has passed {@link KernelCheck} on this machine. Configurations are checked in a child
 * process the first time they are met (all of a forward pass at once, see {@link #ensure}), and
 * the verdicts are cached on disk under the {@link MachineSignature}, so later runs pay nothing.
 *
 * <p>Settings (system property, else environment variable): {@code leno.kernels} / {@code
 * LENO_KERNELS} = {@code verify} (default) or {@code trust} (no checks: libtorch's own kernels);
 * {@code leno.kernels.cache} / {@code LENO_KERNEL_CACHE}, the verdicts' directory (default
 * {@code ~/.cache/leno/kernels}); the injected faults of {@link KernelFaults}.
 */
public final class KernelGuard {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The cache file's content. */
    record CacheFile(MachineSignature signature, List<KernelVerdict> verdicts) {}

    private final Path cacheDir;
    private final boolean verify;
    private volatile boolean checkInjected = true;
    private final long matmulMaxPixels;
    private final Consumer<String> notices;
    private final Map<KernelFaults, Verdicts> byFaults = new ConcurrentHashMap<>();
    private volatile KernelFaults faults;
    private volatile MachineSignature signatureOverride;

    public KernelGuard(Path cacheDir, boolean verify, KernelFaults faults, Consumer<String> notices) {
        this.cacheDir = cacheDir;
        this.verify = verify;
        this.faults = faults;
        this.notices = notices;
        this.matmulMaxPixels = ConvLayer.MATMUL_MAX_PIXELS;
    }

    /** The process's guard, set up from the system properties and environment on first use. */
    public static KernelGuard shared() {
        return Shared.GUARD;
    }

    private static final class Shared {
        static final KernelGuard GUARD = new KernelGuard(defaultCacheDir(),
                !"trust".equalsIgnoreCase(KernelFaults.setting("leno.kernels", "LENO_KERNELS")),
                KernelFaults.fromSettings(), notice -> System.err.println(notice));
    }

    public static Path defaultCacheDir() {
        String dir = KernelFaults.setting("leno.kernels.cache", "LENO_KERNEL_CACHE");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("leno").resolve("kernels");
    }

    /**
     * Injects {@code injected} until the returned handle is closed (a test switch): their verdicts are
     * kept apart from the real ones, in memory and on disk.
     */
    public AutoCloseable injecting(KernelFaults injected) {
        KernelFaults before = faults;
        faults = injected;
        return () -> faults = before;
    }

    /**
     * Until the returned handle is closed (a test switch), the checks do not see the injected faults, as
     * if they were faults no check can catch: configurations take the paths of their real verdicts, and
     * the injected wrong kernels compute wrongly wherever those paths are libtorch's own.
     */
    public AutoCloseable blindToInjectedFaults() {
        checkInjected = false;
        return () -> checkInjected = true;
    }

    /** Uses {@code signature} instead of this machine's (a test switch: another CPU or libtorch build). */
    void signature(MachineSignature signature) {
        signatureOverride = signature;
        byFaults.clear();
    }

    public boolean verifies() { return verify; }

    public KernelFaults faults() { return faults; }

    public Path cacheDir() { return cacheDir; }

    /** Child processes started so far to check kernels. */
    public int checkProcesses() {
        return byFaults.values().stream().mapToInt(v -> v.checker.processesStarted()).sum();
    }

    /** The path that computes {@code shape}; checks it first (in a child process) if it was never checked here. */
    public KernelPath route(KernelShape shape) {
        if (!verify) {
            return KernelPath.candidates(shape, matmulMaxPixels).get(0);
        }
        Verdicts v = verdicts();
        KernelVerdict known = v.lookup(shape);
        if (known == null) {
            ensure(List.of(shape));
            known = v.lookup(shape);
        }
        return known.route();
    }

    /** Checks every configuration of {@code shapes} not checked on this machine yet, in one child process. */
    public void ensure(Collection<KernelShape> shapes) {
        if (verify) {
            verdicts().ensure(shapes);
        }
    }

    /** The verdicts of {@code shapes} (each distinct one once), checking what is not known yet. */
    public List<KernelVerdict> verdicts(Collection<KernelShape> shapes) {
        ensure(shapes);
        Verdicts v = verdicts();
        return shapes.stream().distinct().map(v::lookup).toList();
    }

    /** Every verdict cached for this machine. */
    public List<KernelVerdict> cachedVerdicts() {
        Verdicts v = verdicts();
        synchronized (v) {
            v.load();
            return List.copyOf(v.known.values());
        }
    }

    public MachineSignature signature() {
        return verdicts().signature;
    }

    /** The current faults' verdicts; with injected faults, those of the configurations they leave alone are the real ones. */
    private Verdicts verdicts() {
        KernelFaults current = faults;
        Verdicts real = byFaults.computeIfAbsent(KernelFaults.NONE, f -> newVerdicts(f, null));
        return current.none() || !checkInjected ? real : byFaults.computeIfAbsent(current, f -> newVerdicts(f, real));
    }

    private Verdicts newVerdicts(KernelFaults f, Verdicts real) {
        return new Verdicts(signatureOverride != null ? signatureOverride : MachineSignature.current(f), f, real);
    }

    /** The verdicts under one signature: in memory, and in their cache file. */
    private final class Verdicts {
        final MachineSignature signature;
        final KernelChecker checker;
        final KernelFaults faults;
        /** With injected faults: the verdicts without them, for the configurations the faults leave alone. */
        final Verdicts real;
        final Map<String, KernelVerdict> known = new ConcurrentHashMap<>();
        final Set<String> announced = ConcurrentHashMap.newKeySet();

        Verdicts(MachineSignature signature, KernelFaults faults, Verdicts real) {
            this.signature = signature;
            this.faults = faults;
            this.real = real;
            this.checker = new KernelChecker(faults);
        }

        /** Whether an injected fault touches {@code shape} (else its real verdict holds). */
        private boolean injected(KernelShape shape) {
            return real == null || faults.crashes(shape, KernelPath.LIBTORCH) || faults.wrong(shape, KernelPath.LIBTORCH);
        }

        /** The verdict for {@code shape}; a forward-only use is covered by a training verdict. */
        KernelVerdict lookup(KernelShape shape) {
            if (!injected(shape)) {
                return real.lookup(shape);
            }
            KernelVerdict v = known.get(shape.key());
            return v != null || shape.backward() ? v : known.get(shape.withBackward(true).key());
        }

        synchronized void ensure(Collection<KernelShape> shapes) {
            if (real != null) {
                real.ensure(shapes.stream().filter(s -> !injected(s)).toList());
            }
            List<KernelShape> missing = missing(shapes);
            if (missing.isEmpty()) {
                return;
            }
            Path file = cacheDir.resolve(signature.id() + ".json");
            try {
                Files.createDirectories(cacheDir);
                try (FileChannel lockChannel = FileChannel.open(cacheDir.resolve(signature.id() + ".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock lock = lockChannel.lock()) {
                    load();
                    missing = missing(shapes);
                    if (!missing.isEmpty()) {
                        check(missing);
                        save(file);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("kernel verdicts in " + cacheDir + ": " + e.getMessage(), e);
            }
            announce(shapes);
        }

        private List<KernelShape> missing(Collection<KernelShape> shapes) {
            return new LinkedHashSet<>(shapes).stream().filter(s -> lookup(s) == null).toList();
        }

        /**
         * Tries each shape's paths in order until one passes; a crash only ends the child it happened in.
         * Each crash costs a process, so of the shapes of one {@link KernelShape#crashFamily()} one goes
         * first; if its libtorch kernel crashes the others skip it (status SKIPPED) and go to their fallbacks.
         */
        private void check(List<KernelShape> shapes) {
            notices.accept(String.format("leno: checking %d kernel configuration%s on this machine against float64 "
                    + "(once per CPU and libtorch build; cached in %s)", shapes.size(), shapes.size() == 1 ? "" : "s", cacheDir));
            Map<KernelShape, List<KernelVerdict.Check>> tried = new LinkedHashMap<>();
            Map<KernelShape, KernelPath> passed = new HashMap<>();
            shapes.forEach(s -> tried.put(s, new ArrayList<>()));
            Map<String, KernelVerdict.Check> crashed = crashedFamilies();
            Set<String> survived = new HashSet<>();
            List<KernelShape> waiting = new ArrayList<>(shapes);
            List<KernelChecker.Job> round = new ArrayList<>();
            while (!waiting.isEmpty() || !round.isEmpty()) {
                Set<String> scouting = new HashSet<>();
                for (Iterator<KernelShape> it = waiting.iterator(); it.hasNext(); ) {
                    KernelShape s = it.next();
                    KernelPath first = KernelPath.candidates(s, matmulMaxPixels).get(0);
                    String family = s.crashFamily();
                    KernelVerdict.Check sibling = crashed.get(family);
                    if (first != KernelPath.LIBTORCH || survived.contains(family) || sibling == null && scouting.add(family)) {
                        round.add(new KernelChecker.Job(s, first));
                    } else if (sibling != null) {
                        tried.get(s).add(sibling);
                        nextCandidate(new KernelChecker.Job(s, first)).ifPresent(round::add);
                    } else {
                        continue;
                    }
                    it.remove();
                }
                Map<KernelChecker.Job, KernelChecker.Outcome> outcomes = checker.run(round);
                List<KernelChecker.Job> next = new ArrayList<>();
                for (KernelChecker.Job job : round) {
                    KernelChecker.Outcome o = outcomes.get(job);
                    double[] e = o.errors();
                    KernelVerdict.Check check = new KernelVerdict.Check(job.path(), o.status(), e[0], e[1], e[2], o.detail());
                    tried.get(job.shape()).add(check);
                    if (job.path() == KernelPath.LIBTORCH) {
                        if (o.status() == KernelVerdict.Status.CRASH) {
                            crashed.putIfAbsent(job.shape().crashFamily(), KernelVerdict.Check.skipped(job.shape(), o.detail()));
                        } else {
                            survived.add(job.shape().crashFamily());
                        }
                    }
                    if (o.status() == KernelVerdict.Status.OK) {
                        passed.put(job.shape(), job.path());
                    } else {
                        nextCandidate(job).ifPresent(next::add);
                    }
                }
                round = next;
            }
            for (var entry : tried.entrySet()) {
                KernelPath route = passed.get(entry.getKey());
                if (route == null) {
                    throw new IllegalStateException("no kernel computes " + entry.getKey().describe()
                            + " right on this machine, not even in float64: " + entry.getValue());
                }
                known.put(entry.getKey().key(), new KernelVerdict(entry.getKey().key(), route, entry.getValue()));
            }
        }

        /** By {@link KernelShape#crashFamily()}, the check a sibling of a known crash gets instead of its own. */
        private Map<String, KernelVerdict.Check> crashedFamilies() {
            Map<String, KernelVerdict.Check> out = new HashMap<>();
            for (KernelVerdict v : known.values()) {
                if (v.first().status() == KernelVerdict.Status.CRASH) {
                    out.putIfAbsent(v.kernelShape().crashFamily(), KernelVerdict.Check.skipped(v.kernelShape(), v.first().detail()));
                }
            }
            return out;
        }

        private Optional<KernelChecker.Job> nextCandidate(KernelChecker.Job job) {
            List<KernelPath> paths = KernelPath.candidates(job.shape(), matmulMaxPixels);
            int i = paths.indexOf(job.path());
            return i + 1 < paths.size() ? Optional.of(new KernelChecker.Job(job.shape(), paths.get(i + 1)))
                    : Optional.empty();
        }

        /** One line when configurations of this process first turn out to need a fallback. */
        private void announce(Collection<KernelShape> shapes) {
            List<KernelVerdict> fallbacks = new ArrayList<>();
            int crashes = 0;
            for (KernelShape s : new LinkedHashSet<>(shapes)) {
                KernelVerdict v = lookup(s);
                if (v != null && v.fallback()) {
                    fallbacks.add(v);
                    crashes += v.first().status() == KernelVerdict.Status.WRONG ? 0 : 1;
                }
            }
            boolean fresh = fallbacks.stream().anyMatch(v -> announced.add(v.shape()));
            if (fresh) {
                notices.accept(String.format("leno: %d of %d kernel configurations of this model crash (%d) or compute "
                        + "wrongly (%d) in libtorch's oneDNN %s on this CPU; they run through verified fallbacks "
                        + "(leno doctor lists each)", fallbacks.size(), new LinkedHashSet<>(shapes).size(), crashes,
                        fallbacks.size() - crashes, signature.onednn()));
            }
        }

        /** Reads the cache file, if any; a damaged one is ignored (and rewritten by the next check). */
        synchronized void load() {
            Path file = cacheDir.resolve(signature.id() + ".json");
            if (!Files.isRegularFile(file)) {
                return;
            }
            try {
                CacheFile cached = JSON.readValue(file.toFile(), CacheFile.class);
                if (signature.equals(cached.signature())) {
                    for (KernelVerdict v : cached.verdicts()) {
                        known.putIfAbsent(v.shape(), v);
                    }
                }
            } catch (IOException | RuntimeException e) {
                notices.accept("leno: ignoring the damaged kernel verdicts " + file + " (" + e.getMessage().lines().findFirst().orElse("") + ")");
            }
        }

        private void save(Path file) {
            List<KernelVerdict> all = new ArrayList<>(known.values());
            all.sort((a, b) -> a.shape().compareTo(b.shape()));
            byte[] bytes;
            try {
                bytes = JSON.writeValueAsBytes(new CacheFile(signature, all));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            AtomicFiles.write(file, out -> out.write(bytes));
        }
    }
}
