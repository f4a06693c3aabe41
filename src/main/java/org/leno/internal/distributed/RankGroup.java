package org.leno.internal.distributed;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.zip.CRC32;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.BackendOptional;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.IntOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ProcessGroup;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.ReduceOp;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Natives;
import org.leno.internal.nn.Tensors;

/**
 * c10d from Java: a TCPStore rendezvous (rank 0 serves it) and a Gloo process group, with the
 * collectives data-parallel training needs. With {@code --dist-backend nccl} an NCCL group on this
 * rank's CUDA device is added for the model's tensors (gradients, broadcasts, SyncBatchNorm), as
 * PyTorch's "cpu:gloo,cuda:nccl"; Gloo keeps the small host-side reductions. Every failure of a
 * peer (death, hang past the timeout) surfaces as a {@link DistributedException} naming this rank
 * and the operation.
 */
public final class RankGroup implements AutoCloseable {
    private final DistConfig config;
    private final TCPStore store;
    private final ProcessGroupGloo gloo;
    /** The NCCL backend, or null (gloo). */
    private final Backend nccl;
    private final ServerSocketChannel listener;
    private ProcessGroup c10dGroup;

    private RankGroup(DistConfig config, TCPStore store, ProcessGroupGloo gloo, Backend nccl,
                      ServerSocketChannel listener) {
        this.config = config;
        this.store = store;
        this.gloo = gloo;
        this.nccl = nccl;
        this.listener = listener;
    }

    /** The backend for the model's tensors: NCCL when this group has it, else Gloo. */
    private Backend tensors() {
        return nccl != null ? nccl : gloo;
    }

    /** The backend's name, for messages. */
    public String backend() {
        return nccl != null ? "nccl" : "gloo";
    }

    /**
     * The c10d ProcessGroup over our Gloo backend, for the native DDP Reducer. (Its
     * (store, rank, size) constructor aborts in the bindings: the store's intrusive pointer is
     * taken twice; the (rank, size) one with the backend set works.)
     */
    synchronized ProcessGroup c10d() {
        if (c10dGroup == null) {
            c10dGroup = new ProcessGroup(rank(), worldSize());
            c10dGroup.setBackend(torch.DeviceType.CPU, ProcessGroup.BackendType.GLOO,
                    new BackendOptional(gloo));
            c10dGroup.setDefaultBackend(ProcessGroup.BackendType.GLOO);
            if (nccl != null) {
                c10dGroup.setBackend(torch.DeviceType.CUDA, ProcessGroup.BackendType.NCCL,
                        new BackendOptional(nccl));
                c10dGroup.setDefaultBackend(ProcessGroup.BackendType.NCCL);
            }
            // its destructor, run by the garbage collector after close(), aborts the JVM: never run it
            c10dGroup.deallocate(false);
        }
        return c10dGroup;
    }

    public static RankGroup connect(DistConfig c) {
        return connect(c, -1);
    }

    /**
     * Joins the group; {@code cudaDevice} is this rank's CUDA device (-1: the CPU), which the nccl
     * backend needs (checked first: a one-line error where the natives or the device are missing).
     */
    public static RankGroup connect(DistConfig c, int cudaDevice) {
        if (c.backend().equals("nccl")) {
            Nccl.require(cudaDevice);
        }
        Natives.load();
        Milliseconds timeout = new Milliseconds(c.timeoutSeconds() * 1000L);
        TCPStore store;
        ServerSocketChannel listener = null;
        try {
            TCPStoreOptions o = new TCPStoreOptions();
            if (c.rank() == 0) {
                listener = listen(c);
                if (listener != null) {
                    o.masterListenFd(new IntOptional(fd(listener)));
                }
            }
            o.port((short) c.port());
            o.isServer(c.rank() == 0);
            o.numWorkers(new SizeTPointer(1).put(c.worldSize()));
            o.waitWorkers(true);
            o.timeout(timeout);
            store = new TCPStore(c.host(), o);
        } catch (RuntimeException e) {
            String hint;
            if (c.rank() != 0) {
                hint = "; is rank 0 running and reachable?";
            } else if (String.valueOf(e.getMessage()).contains("Timed out")) {
                hint = "; not every rank joined within --dist-timeout " + c.timeoutSeconds() + " s";
            } else {
                hint = "; is the port in use?";
            }
            throw new DistributedException("rank " + c.rank() + ": rendezvous at " + c.host() + ":" + c.port()
                    + " failed (" + firstLine(e) + ")" + hint, e);
        }
        try {
            ProcessGroupGloo.Options options = ProcessGroupGloo.Options.create(timeout);
            options.devices(new GlooDeviceVector(isLoopback(c.host())
                    ? ProcessGroupGloo.createDeviceForHostname("127.0.0.1") : ProcessGroupGloo.createDefaultDevice()));
            ProcessGroupGloo gloo = new ProcessGroupGloo(store, c.rank(), c.worldSize(), options);
            Backend nccl = c.backend().equals("nccl") ? Nccl.connect(store, c, cudaDevice, timeout) : null;
            return new RankGroup(c, store, gloo, nccl, listener);
        } catch (RuntimeException e) {
            throw new DistributedException("rank " + c.rank() + ": cannot form the Gloo group of " + c.worldSize()
                    + " (" + firstLine(e) + ")", e);
        }
    }

    /**
     * The store's listening socket, bound only to the --dist-url address (c10d's own binds every
     * interface). Handing its descriptor to c10d needs {@code --add-opens
     * java.base/sun.nio.ch=ALL-UNNAMED}, which ./leno passes; without it c10d listens itself, on all
     * interfaces, and a warning says so.
     */
    private static ServerSocketChannel listen(DistConfig c) {
        ServerSocketChannel ch;
        try {
            ch = ServerSocketChannel.open();
            ch.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName(c.host()), c.port()), 4096);
        } catch (IOException e) {
            throw new DistributedException("rank 0: rendezvous at " + c.host() + ":" + c.port() + " failed ("
                    + e.getMessage() + "); is the port in use?", e);
        }
        try {
            fd(ch);
            return ch;
        } catch (IllegalStateException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing was handed over yet
            }
            System.err.println("leno: warning: the rendezvous store listens on all interfaces (run through ./leno"
                    + " to bind it to " + c.host() + " only)");
            return null;
        }
    }

    private static int fd(ServerSocketChannel ch) {
        try {
            java.lang.reflect.Method m = ch.getClass().getDeclaredMethod("getFDVal");
            m.setAccessible(true);
            return (Integer) m.invoke(ch);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("no access to the socket's descriptor", e);
        }
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.");
    }

    public int rank() { return config.rank(); }

    public int worldSize() { return config.worldSize(); }

    private void await(Work work, String what) {
        try {
            work._wait();
        } catch (RuntimeException e) {
            throw peerFailure(what, e);
        }
    }

    /** The one-line error for a collective ({@code what}) that failed because a peer died or hung. */
    public DistributedException peerFailure(String what, RuntimeException e) {
        return new DistributedException("rank " + rank() + ": " + what + " failed, a peer died or hung ("
                + firstLine(e) + ")", e);
    }

    /** Copies rank 0's values of {@code tensors} into every rank's. */
    public void broadcast(List<Tensor> tensors) {
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            for (Tensor t : tensors) {
                Tensor c = t.contiguous(); // channels-last weights are broadcast through a contiguous copy
                await(tensors().broadcast(new TensorVector(c)), "broadcast");
                t.copy_(c);
            }
        }
    }

    /**
     * Averages the gradients of {@code params} over all ranks in one coalesced allreduce: the
     * gradients are packed into one flat buffer, summed, divided by the world size and unpacked.
     */
    public void averageGradients(List<Tensor> params) {
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            TensorVector flat = new TensorVector();
            for (Tensor p : params) {
                flat.push_back(p.grad().reshape(-1));
            }
            Tensor buffer = torch.cat(flat);
            await(tensors().allreduce(new TensorVector(buffer)), "gradient allreduce");
            buffer.div_(new Scalar((double) worldSize()));
            long offset = 0;
            for (Tensor p : params) {
                Tensor grad = p.grad();
                long n = grad.numel();
                grad.copy_(buffer.narrow(0, offset, n).view(Tensors.shape(grad)));
                offset += n;
            }
        }
    }

    /** Sums {@code t} element-wise over the ranks, in place (on the model's backend: NCCL for CUDA tensors). */
    public void sumInPlace(Tensor t) {
        await(tensors().allreduce(new TensorVector(t)), "allreduce of BatchNorm statistics");
    }

    /**
     * Fails unless every rank holds bit-identical {@code tensors} (a CRC of their bytes, compared by
     * allreduce); returns the CRC.
     */
    public long requireIdentical(List<Tensor> tensors) {
        CRC32 crc = new CRC32();
        try (NativeScope scope = NativeScope.open()) {
            for (Tensor p : tensors) {
                Tensors.lazy(p).withBytes(crc::update);
            }
        }
        double mine = crc.getValue();
        double[] max = max(new double[] {mine, -mine});
        if (max[0] != mine || -max[1] != mine) {
            throw new IllegalStateException("rank " + rank() + ": parameters differ between ranks after the epoch");
        }
        return (long) mine;
    }

    /** Element-wise sum over ranks. */
    public double[] sum(double[] values) {
        return reduce(values, ReduceOp.RedOpType.SUM, "allreduce of sums");
    }

    public double[] max(double[] values) {
        return reduce(values, ReduceOp.RedOpType.MAX, "allreduce of maxima");
    }

    private double[] reduce(double[] values, ReduceOp.RedOpType op, String what) {
        try (NativeScope scope = NativeScope.open()) {
            Tensor t = torch.from_blob(new DoublePointer(values), new long[] {values.length},
                    new TensorOptions(torch.ScalarType.Double)).clone();
            AllreduceOptions o = new AllreduceOptions();
            o.reduceOp(new ReduceOp(op));
            await(gloo.allreduce(new TensorVector(t), o), what);
            double[] out = new double[values.length];
            t.data_ptr_double().get(out);
            return out;
        }
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public void close() {
        if (nccl != null) {
            nccl.shutdown();
            nccl.close();
        }
        gloo.close();
        store.close();
        if (listener != null) {
            try {
                listener.close();
            } catch (IOException ignored) {
                // the store owned the descriptor by now
            }
        }
    }
}
