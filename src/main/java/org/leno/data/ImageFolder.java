package org.leno.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.opencv.opencv_core.Mat;

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

    private ImageFolder(Path root, List<String> classes, List<Path> files, int[] labels, ImageDecoder decoder) {
        this.root = root;
        this.classes = classes;
        this.files = files;
        this.labels = labels;
        this.decoder = decoder;
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
        for (int c = 0; c < classes.size(); c++) {
            Path classDir = dir.resolve(classes.get(c));
            List<Path> images;
            try (Stream<Path> walk = Files.walk(classDir, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
                images = walk.filter(Files::isRegularFile).filter(ImageFolder::hasImageExtension).sorted().toList();
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new IllegalArgumentException(classDir + ": cannot list (" + e.getMessage() + ")");
            }
            if (images.isEmpty()) {
                throw new IllegalArgumentException(classDir + ": class folder has no images (extensions: "
                        + String.join(", ", EXTENSIONS.stream().sorted().toList()) + ")");
            }
            for (Path p : images) {
                files.add(p);
                labels.add(c);
            }
        }
        return new ImageFolder(dir, Collections.unmodifiableList(classes), files,
                labels.stream().mapToInt(Integer::intValue).toArray(), decoder);
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
