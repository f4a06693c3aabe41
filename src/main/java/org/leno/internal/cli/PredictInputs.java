package org.leno.internal.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.leno.internal.data.datasets.ImageFolder;

/** The images `leno predict` is given: files as they are, folders as their image files, sorted. */
final class PredictInputs {
    private PredictInputs() {
    }

    static List<Path> expand(List<Path> args) {
        List<Path> out = new ArrayList<>();
        for (Path p : args) {
            if (!Files.isDirectory(p)) {
                out.add(p);
                continue;
            }
            List<Path> found = imagesUnder(p);
            if (found.isEmpty()) {
                throw new IllegalArgumentException(p + ": a folder without image files (extensions: "
                        + String.join(", ", ImageFolder.EXTENSIONS.stream().sorted().toList()) + ")");
            }
            out.addAll(found);
        }
        return out;
    }

    /** Image files under {@code dir} (sub-folders included, hidden entries left out), in path order. */
    private static List<Path> imagesUnder(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(f -> !hidden(dir.relativize(f)) && isImageName(f))
                    .sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException(dir + ": cannot list the folder (" + e.getMessage() + ")");
        }
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isImageName(Path f) {
        String name = f.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot >= 0 && ImageFolder.EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
