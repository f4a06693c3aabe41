package org.leno.internal.interop;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes a file so that readers see either the old file or the whole new one, never a torn one. */
public final class AtomicFiles {

    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    public static void write(Path target, Writer writer) {
        write(target, writer, null);
    }

    /**
     * As {@link #write(Path, Writer)}, the file getting {@code permissions} (e.g. "rw-r--r--" for a file
     * others serve; the temporary file, and so by default the target, is readable by its owner only).
     */
    public static void write(Path target, Writer writer, String permissions) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 1 << 20)) {
                writer.write(out);
                out.flush();
                ch.force(true);
            }
            if (permissions != null) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(permissions));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // not every file system lets a directory be synced; the rename is still atomic
            }
        } catch (IOException e) {
            throw new InterchangeException("cannot write " + target + ": " + describe(e), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file is hidden and named after the target
                }
            }
        }
    }

    /**
     * Refuses, in one line naming {@code flag}, a target that {@link #write} should not replace: a
     * symbolic link (the rename would replace the link, not what it points to), a folder, an
     * existing file unless {@code replace}, or a file in a folder without write permission (even
     * for root, who could write there anyway).
     */
    public static void checkTarget(Path target, boolean replace, String flag) {
        if (Files.isSymbolicLink(target)) {
            throw new IllegalArgumentException(flag + " " + target + " is a symbolic link; refusing to write through it");
        }
        if (Files.isDirectory(target)) {
            throw new IllegalArgumentException(flag + " " + target + " is a folder");
        }
        if (Files.exists(target) && !replace) {
            throw new IllegalArgumentException(flag + " " + target + " exists; pass --force to replace it");
        }
        Path dir = target.toAbsolutePath().getParent();
        if (Files.isDirectory(dir) && !writable(dir)) {
            throw new IllegalArgumentException(flag + " " + target + ": the folder " + dir + " is read-only");
        }
    }

    private static boolean writable(Path dir) {
        try {
            boolean anyWriteBit = Files.getPosixFilePermissions(dir).stream().anyMatch(p -> p.name().endsWith("_WRITE"));
            return anyWriteBit && Files.isWritable(dir);
        } catch (UnsupportedOperationException | IOException e) {
            return Files.isWritable(dir);
        }
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file or folder";
        }
        if (m != null && m.contains("No space left")) {
            return "no space left on device";
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
