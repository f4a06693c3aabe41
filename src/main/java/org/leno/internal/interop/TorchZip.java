package org.leno.internal.interop;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** The zip container of torch.save (PyTorch 1.6 and later): a pickle plus one record per storage. */
public final class TorchZip {

    private static final int ALIGNMENT = 64;
    private static final long FIXED_TIME = 315532800000L + 86_400_000L; // 1980-01-02, for reproducible files

    private TorchZip() {
    }

    /** Reads a torch.save file with the limits of a file of its size. */
    public static Object read(Path file) {
        return read(file, ReadLimits.forFile(file.toFile().length()));
    }

    /**
     * Reads a torch.save file within {@code limits}: a record is charged at its declared size before
     * it is inflated, is read to exactly that size, and must match its CRC-32.
     */
    public static Object read(Path file, ReadLimits limits) {
        String name = file.toString();
        ReadBudget budget = new ReadBudget(name, limits);
        if (file.toFile().length() > limits.maxBytes()) {
            throw new InterchangeException(name + ": the file is " + ReadLimits.megabytes(file.toFile().length())
                    + ", more than it may hold (" + limits.basis() + ")");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            budget.charge(256L * zip.size(), "the zip directory");
            String prefix = archivePrefix(zip, name);
            checkByteOrder(zip, prefix, name, budget);
            byte[] pickle = readEntry(zip, zip.getEntry(prefix + "data.pkl"), name, budget);
            return PickleReader.read(pickle, name, (key, dtype, numel) -> {
                ZipEntry e = zip.getEntry(prefix + "data/" + key);
                if (e == null) {
                    throw new InterchangeException(name + ": storage record data/" + key + " is missing");
                }
                if (e.getSize() != numel * dtype.size()) {
                    throw new InterchangeException(name + ": storage record data/" + key + " holds " + e.getSize()
                            + " bytes, the pickle says " + numel + " x " + dtype.size());
                }
                try {
                    return readEntry(zip, e, name, budget);
                } catch (IOException io) {
                    throw readError(name, io);
                }
            }, budget);
        } catch (IOException e) {
            throw readError(name, e);
        }
    }

    private static InterchangeException readError(String name, IOException e) {
        if (e instanceof java.io.EOFException) {
            return new InterchangeException(name + ": truncated zip file");
        }
        if (e instanceof java.util.zip.ZipException) {
            return new InterchangeException(name + ": not a readable torch.save zip file ("
                    + InterchangeException.printable(e.getMessage()) + ")");
        }
        return new InterchangeException("cannot read " + name + ": " + AtomicFiles.describe(e), e);
    }

    private static String archivePrefix(ZipFile zip, String name) {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            String entry = entries.nextElement().getName();
            if (entry.endsWith("data.pkl")) {
                String prefix = entry.substring(0, entry.length() - "data.pkl".length());
                if (prefix.contains("..") || prefix.startsWith("/") || prefix.chars().filter(c -> c == '/').count() > 1) {
                    throw new InterchangeException(name + ": refusing archive entry '"
                            + InterchangeException.printable(entry) + "'");
                }
                return prefix;
            }
        }
        throw new InterchangeException(name + ": zip file without data.pkl (not written by torch.save)");
    }

    /** Our readers assume little-endian storages, which is what every torch.save on x86 and ARM writes. */
    private static void checkByteOrder(ZipFile zip, String prefix, String name, ReadBudget budget) throws IOException {
        ZipEntry e = zip.getEntry(prefix + "byteorder");
        if (e == null) {
            return;
        }
        if (e.getSize() > 16) {
            throw new InterchangeException(name + ": byteorder record of " + e.getSize() + " bytes");
        }
        String order = new String(readEntry(zip, e, name, budget), StandardCharsets.US_ASCII).strip();
        if (!order.equals("little")) {
            throw new InterchangeException(name + ": storages are '" + InterchangeException.printable(order)
                    + "'-endian; only little-endian files are read");
        }
    }

    /** Reads a record whole: its declared size is charged first, then exactly that many bytes are read and CRC-checked. */
    private static byte[] readEntry(ZipFile zip, ZipEntry e, String name, ReadBudget budget) throws IOException {
        long size = e.getSize();
        if (size < 0 || size > Integer.MAX_VALUE - 16) {
            throw new InterchangeException(name + ": record " + InterchangeException.printable(e.getName())
                    + " declares " + size + " bytes");
        }
        budget.charge(size, "record " + InterchangeException.printable(e.getName()));
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes((int) size);
            if (b.length != size) {
                throw new InterchangeException(name + ": record " + InterchangeException.printable(e.getName())
                        + " is truncated (" + b.length + " of " + size + " bytes)");
            }
            if (in.read() != -1) {
                throw new InterchangeException(name + ": record " + InterchangeException.printable(e.getName())
                        + " holds more than the " + size + " bytes it declares");
            }
            CRC32 crc = new CRC32();
            crc.update(b);
            if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
                throw new InterchangeException(name + ": record " + InterchangeException.printable(e.getName())
                        + " fails its CRC-32 check (file corrupt)");
            }
            return b;
        }
    }

    /** Writes {@code root} as torch.save would, atomically. */
    public static void write(Path file, Object root) {
        PickleWriter.Pickled p = PickleWriter.write(root);
        AtomicFiles.write(file, out -> write(out, p));
    }

    static void write(OutputStream target, PickleWriter.Pickled p) throws IOException {
        CountingStream counting = new CountingStream(target);
        ZipOutputStream zip = new ZipOutputStream(counting);
        zip.setMethod(ZipOutputStream.STORED);
        stored(zip, counting, "archive/data.pkl", ByteBuffer.wrap(p.pickle()));
        stored(zip, counting, "archive/byteorder", ByteBuffer.wrap("little".getBytes(StandardCharsets.US_ASCII)));
        List<HostTensor> storages = p.storages();
        for (int i = 0; i < storages.size(); i++) {
            String name = "archive/data/" + i;
            storages.get(i).withBytesWriting(bytes -> stored(zip, counting, name, bytes));
        }
        stored(zip, counting, "archive/version", ByteBuffer.wrap("3\n".getBytes(StandardCharsets.US_ASCII)));
        zip.finish();
        zip.flush();
    }

    private static void stored(ZipOutputStream zip, CountingStream counting, String name, ByteBuffer data)
            throws IOException {
        zip.closeEntry();
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.remaining());
        e.setCompressedSize(data.remaining());
        CRC32 crc = new CRC32();
        crc.update(data.duplicate());
        e.setCrc(crc.getValue());
        e.setTime(FIXED_TIME);
        int nameLen = name.getBytes(StandardCharsets.UTF_8).length;
        long headerEnd = counting.count + 30 + nameLen + 4;
        int pad = (int) ((ALIGNMENT - headerEnd % ALIGNMENT) % ALIGNMENT);
        byte[] extra = new byte[4 + pad];
        extra[0] = 'F';
        extra[1] = 'B';
        extra[2] = (byte) pad;
        extra[3] = (byte) (pad >> 8);
        e.setExtra(extra);
        zip.putNextEntry(e);
        HostTensor.copy(data.duplicate(), zip);
        zip.closeEntry();
    }

    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
