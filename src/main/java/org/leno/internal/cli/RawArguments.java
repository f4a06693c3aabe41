package org.leno.internal.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * File names on the command line whose bytes the JVM could not decode. The JVM turns argv into
 * Strings in the locale's charset ({@code sun.jnu.encoding}, fixed at start-up): a name that is not
 * valid UTF-8 (a Latin-1 0xE9), or any non-ASCII name under the C locale, arrives with U+FFFD in
 * it and can no longer be opened. On Linux the original bytes are in /proc/self/cmdline; a Path
 * holding them is made from a file URI with those bytes percent-encoded, which the JDK decodes to
 * bytes, not characters. Used as picocli's converter for Path arguments.
 */
final class RawArguments {
    private static final Path CMDLINE = Path.of("/proc/self/cmdline");
    private final Map<String, Deque<byte[]>> rawByDecoded;

    private RawArguments(Map<String, Deque<byte[]>> rawByDecoded) {
        this.rawByDecoded = rawByDecoded;
    }

    /** The raw bytes of the lossily decoded {@code args}, when this process's argv ends with them. */
    static RawArguments of(String[] args) {
        byte[] cmdline;
        try {
            cmdline = Files.readAllBytes(CMDLINE);
        } catch (IOException | RuntimeException e) {
            return new RawArguments(Map.of());
        }
        return of(args, split(cmdline), jnuCharset());
    }

    static RawArguments of(String[] args, List<byte[]> argv, Charset charset) {
        Map<String, Deque<byte[]>> map = new HashMap<>();
        if (argv.size() < args.length) {
            return new RawArguments(map);
        }
        List<byte[]> tail = argv.subList(argv.size() - args.length, argv.size());
        for (int i = 0; i < args.length; i++) {
            if (!new String(tail.get(i), charset).equals(args[i])) {
                return new RawArguments(Map.of()); // not this process's argv (in-process calls, @argfiles)
            }
        }
        for (int i = 0; i < args.length; i++) {
            if (!Arrays.equals(args[i].getBytes(charset), tail.get(i))) {
                map.computeIfAbsent(args[i], k -> new ArrayDeque<>()).add(tail.get(i));
            }
        }
        return new RawArguments(map);
    }

    /** {@code arg} as a Path, holding its original bytes when its decoding lost them. */
    Path toPath(String arg) {
        Deque<byte[]> raw = rawByDecoded.get(arg);
        if (raw == null || raw.isEmpty()) {
            return Path.of(arg);
        }
        return fromBytes(raw.size() > 1 ? raw.poll() : raw.peek());
    }

    /** A Path of exactly these bytes; a relative one stays relative to the working directory. */
    static Path fromBytes(byte[] raw) {
        boolean absolute = raw.length > 0 && raw[0] == '/';
        Path cwd = Path.of("").toAbsolutePath();
        String base = absolute ? "" : cwd.toUri().getRawPath();
        Path p = Path.of(URI.create("file://" + base + percentEncode(raw)));
        return absolute ? p : cwd.relativize(p);
    }

    private static String percentEncode(byte[] raw) {
        StringBuilder b = new StringBuilder();
        for (byte x : raw) {
            int c = x & 0xff;
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~/".indexOf(c) >= 0)) {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c));
            }
        }
        return b.toString();
    }

    static List<byte[]> split(byte[] cmdline) {
        List<byte[]> out = new java.util.ArrayList<>();
        ByteArrayOutputStream cur = new ByteArrayOutputStream();
        for (byte x : cmdline) {
            if (x == 0) {
                out.add(cur.toByteArray());
                cur.reset();
            } else {
                cur.write(x);
            }
        }
        if (cur.size() > 0) {
            out.add(cur.toByteArray());
        }
        return out;
    }

    private static Charset jnuCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
