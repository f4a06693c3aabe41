package org.leno.internal.data.datasets;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.leno.internal.data.decode.ImageDecoder;

/**
 * torchvision's ImageFolder: {@code ROOT/<class>/...} with classes the sorted sub-folder names and
 * the files of each class found recursively in sorted order.
 */
public final class ImageFolder implements ImageSource {
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "ppm", "bmp", "pgm", "tif",
            "tiff", "webp");

    private final Path root;
    private final List<String> classes;
    private final List<Path> files;
    private final int[] labels;
    private final ImageDecoder decoder;
    private final String scanSummary;

    private ImageFolder(Path root, List<String> classes, List<Path> files, int[] labels, ImageDecoder decoder,
                        String scanSummary) {
        this.root = root;
        this.classes = classes;
        this.files = files;
        this.labels = labels;
        this.decoder = decoder;
        this.scanSummary = scanSummary;
    }

    /** {@link #scan(Path, ImageDecoder)} with the default pixel limit. */
    public static ImageFolder scan(Path dir) {
        return scan(dir, ImageDecoder.withDefaultLimit());
    }

    /** Scans {@code dir}; a missing folder, no class folders or a class with no images is an error. */
    public static ImageFolder scan(Path dir, ImageDecoder decoder) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": no such folder");
        }
        List<String> classes = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().forEach(classes::add);
        } catch (IOException e) {
            throw new IllegalArgumentException(dir + ": cannot list (" + e.getMessage() + ")");
        }
        if (classes.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no class folders (expected " + dir + "/<class>/<image>)");
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        Skipped skipped = new Skipped(dir);
        for (int c = 0; c < classes.size(); c++) {
            Path classDir = dir.resolve(classes.get(c));
            List<Path> images = imagesUnder(classDir, skipped);
            if (images.isEmpty()) {
                throw new IllegalArgumentException(classDir + ": class folder has no " + (skipped.count > 0 ? "readable " : "")
                        + "images (extensions: " + String.join(", ", EXTENSIONS.stream().sorted().toList()) + ")"
                        + (skipped.count > 0 ? "; " + skipped.summary() : ""));
            }
            for (Path p : images) {
                files.add(p);
                labels.add(c);
            }
        }
        return new ImageFolder(dir, Collections.unmodifiableList(classes), files,
                labels.stream().mapToInt(Integer::intValue).toArray(), decoder, skipped.summary());
    }

    /** Entries the scan could not enter (symlink loops, unreadable folders), counted; the first is named. */
    private static final class Skipped {
        private final Path root;
        private int count;
        private String first;

        Skipped(Path root) {
            this.root = root;
        }

        void add(Path p, IOException e) {
            count++;
            if (first == null) {
                Path rel = root.getParent() == null ? p : root.getParent().relativize(p);
                String why = e instanceof FileSystemLoopException ? "a symlink loop"
                        : e instanceof AccessDeniedException ? "permission denied"
                        : e.getClass().getSimpleName();
                first = rel + ": " + why;
            }
        }

        String summary() {
            return count == 0 ? null : "skipped " + count + " unreadable folder entr" + (count == 1 ? "y" : "ies")
                    + " while scanning (first: " + first + ")";
        }
    }

    /** The image files under {@code classDir} in sorted order, following links; what cannot be entered is skipped. */
    private static List<Path> imagesUnder(Path classDir, Skipped skipped) {
        List<Path> images = new ArrayList<>();
        try {
            Files.walkFileTree(classDir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            if (attrs.isRegularFile() && hasImageExtension(file)) {
                                images.add(file);
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            skipped.add(file, e);
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult postVisitDirectory(Path d, IOException e) {
                            if (e != null) {
                                skipped.add(d, e);
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            skipped.add(classDir, e);
        }
        images.sort(null);
        return images;
    }

    /** One line naming what the scan skipped, or null when it skipped nothing. */
    public String scanSummary() {
        return scanSummary;
    }

    static boolean hasImageExtension(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    @Override
    public int size() { return files.size(); }

    @Override
    public int label(int index) { return labels[index]; }

    @Override
    public Mat rgb(int index) {
        return decoder.decode(files.get(index), describe(index));
    }

    @Override
    public String describe(int index) {
        Path rel = root.getParent() == null ? files.get(index) : root.getParent().relativize(files.get(index));
        return rel.toString();
    }

    @Override
    public List<String> classes() { return classes; }
}
