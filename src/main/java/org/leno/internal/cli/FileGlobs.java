package org.leno.internal.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** Expands file arguments that are globs ('runs/x/checkpoint_epoch*.pth.tar'), for shells that did not. */
final class FileGlobs {
    private FileGlobs() {
    }

    static boolean isGlob(String value) {
        return value.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /** Each value as a path, a glob replaced by its matching files in name order; a missing file is an error. */
    static List<Path> expand(String flag, List<String> values) {
        List<Path> out = new ArrayList<>();
        for (String v : values) {
            if (v.isBlank()) {
                throw new IllegalArgumentException(flag + ": empty file name");
            }
            if (isGlob(v)) {
                List<Path> matches = matches(v);
                if (matches.isEmpty()) {
                    throw new IllegalArgumentException(flag + " '" + v + "': no file matches");
                }
                out.addAll(matches);
            } else {
                Path p = Path.of(v);
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException(flag + " " + v + ": no such file");
                }
                out.add(p);
            }
        }
        return out;
    }

    private static List<Path> matches(String glob) {
        String[] segments = glob.replace('\\', '/').split("/", -1);
        int first = 0;
        while (!isGlob(segments[first])) {
            first++;
        }
        String base = String.join("/", Arrays.copyOfRange(segments, 0, first));
        boolean relativeToHere = base.isEmpty() && !glob.startsWith("/");
        Path dir = relativeToHere ? Path.of(".") : base.isEmpty() ? Path.of("/") : Path.of(base);
        String rest = String.join("/", Arrays.copyOfRange(segments, first, segments.length));
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + rest);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir, segments.length - first)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> matcher.matches(dir.relativize(p)))
                    .map(p -> relativeToHere ? dir.relativize(p) : p)
                    .sorted()
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException("cannot list " + dir + " for '" + glob + "': " + e.getMessage());
        }
    }
}
