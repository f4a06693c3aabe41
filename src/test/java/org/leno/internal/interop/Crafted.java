package org.leno.internal.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hand-assembled pickles and zips, as a hostile user would write them, and a heap-allocation meter. */
final class Crafted {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static Crafted pickle() {
        Crafted c = new Crafted();
        c.op(0x80).op(2);
        return c;
    }

    Crafted op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    Crafted repeat(int times, int... bytes) {
        for (int i = 0; i < times; i++) {
            op(bytes);
        }
        return this;
    }

    Crafted mark() { return op('('); }

    Crafted dict() { return op('}'); }

    Crafted list() { return op(']'); }

    Crafted str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        out.writeBytes(b);
        return this;
    }

    Crafted integer(long v) {
        op(0x8a, 8);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        return this;
    }

    Crafted global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    Crafted tuple(long... values) {
        mark();
        for (long v : values) {
            integer(v);
        }
        return op('t');
    }

    Crafted setItems() { return op('u'); }

    Crafted stop() { return op('.'); }

    /** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()). */
    Crafted tensor(String storageKey, String storageType, long storageNumel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().str("storage").global("torch", storageType).str(storageKey).str("cpu").integer(storageNumel).op('t');
        op('Q');
        integer(offset).tuple(size).tuple(stride).op(0x89);
        global("collections", "OrderedDict").op(')', 'R');
        return op('t', 'R');
    }

    byte[] bytes() { return out.toByteArray(); }

    /** A torch.save-like zip: archive/data.pkl, then archive/data/KEY for each record (stored or deflated). */
    static void zip(Path file, byte[] pickle, Map<String, byte[]> records, boolean deflate) {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            entry(zip, "archive/data.pkl", pickle, false);
            for (Map.Entry<String, byte[]> r : records.entrySet()) {
                entry(zip, "archive/data/" + r.getKey(), r.getValue(), deflate);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void entry(ZipOutputStream zip, String name, byte[] data, boolean deflate) throws IOException {
        ZipEntry e = new ZipEntry(name);
        if (!deflate) {
            e.setMethod(ZipEntry.STORED);
            e.setSize(data.length);
            e.setCompressedSize(data.length);
            CRC32 crc = new CRC32();
            crc.update(data);
            e.setCrc(crc.getValue());
        }
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** A deflated zip record of {@code size} zero bytes, written in chunks (a deflate bomb). */
    static void zerosEntry(ZipOutputStream zip, String name, long size) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        byte[] chunk = new byte[1 << 20];
        for (long left = size; left > 0; left -= chunk.length) {
            zip.write(chunk, 0, (int) Math.min(left, chunk.length));
        }
        zip.closeEntry();
    }

    static void write(Path file, byte[] bytes) {
        try (OutputStream o = Files.newOutputStream(file)) {
            o.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What running a reader did: what it threw (null if nothing) and how many heap bytes its thread allocated. */
    record Outcome(Throwable thrown, long allocated) {}

    /** Runs {@code r}, counting the bytes this thread allocates on the Java heap (HotSpot's per-thread counter). */
    static Outcome measure(Runnable r) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        Throwable thrown = null;
        try {
            r.run();
        } catch (Throwable t) {
            thrown = t;
        }
        return new Outcome(thrown, mx.getCurrentThreadAllocatedBytes() - before);
    }
}
