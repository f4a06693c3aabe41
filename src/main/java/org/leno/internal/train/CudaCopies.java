package org.leno.internal.train;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.cuda.CUDAEvent;
import org.bytedeco.pytorch.cuda.CUDAStream;
import org.bytedeco.pytorch.cuda.CUDAStreamGuard;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch_cuda;
import org.leno.internal.data.loader.Batch;
import org.leno.internal.nn.ComputeDevice;

/**
 * Host-to-GPU copies on a side stream, as timm's PrefetchLoader and NVIDIA's data_prefetcher do:
 * non-blocking copies (asynchronous from pinned memory), an event recorded after them, the step's
 * stream waiting for that event, the device tensors recorded on the step's stream so that the
 * caching allocator does not reuse them early, and the host batch released only after the event.
 * The CUDA classes exist only in the GPU natives: constructed only for a CUDA device. Never run here
 * (no GPU); README "GPUs" says so.
 */
final class CudaCopies implements DeviceLane {
    private final ComputeDevice device;
    private final boolean channelsLast;
    private final CUDAStream side;

    CudaCopies(ComputeDevice device, boolean channelsLast) {
        this.device = device;
        this.channelsLast = channelsLast;
        this.side = torch_cuda.getStreamFromPool(false, device.index());
        side.retainReference();
    }

    @Override
    public DeviceLane.Staged stage(Batch host) {
        try (CUDAStreamGuard onSide = new CUDAStreamGuard(side.unwrap())) {
            Tensor images = device.copyNonBlocking(host.images());
            if (channelsLast) {
                Tensor nhwc = images.contiguous(torch.MemoryFormat.ChannelsLast);
                images.close();
                images = nhwc;
            }
            Tensor labels = device.copyNonBlocking(host.labels());
            CUDAEvent copied = new CUDAEvent();
            copied.record(side);
            return new Copy(host, images, labels, copied);
        }
    }

    /** One batch's copies in flight; its tensors outlive any PointerScope open while it was staged. */
    private final class Copy implements DeviceLane.Staged {
        private final Batch host;
        private final Tensor images;
        private final Tensor labels;
        private final CUDAEvent copied;

        Copy(Batch host, Tensor images, Tensor labels, CUDAEvent copied) {
            this.host = host;
            this.images = images;
            this.labels = labels;
            this.copied = copied;
            images.retainReference();
            labels.retainReference();
            copied.retainReference();
        }

        @Override
        public Batch ready() {
            CUDAStream step = torch_cuda.getCurrentCUDAStream(device.index());
            copied.block(step);
            images.record_stream(step.unwrap());
            labels.record_stream(step.unwrap());
            return new Batch(images, labels, host.size(), host.real(), this::releaseHost);
        }

        @Override
        public void close() {
            images.close();
            labels.close();
            releaseHost();
        }

        private void releaseHost() {
            copied.synchronize();
            copied.close();
            host.close();
        }
    }

    @Override
    public void close() {
        side.releaseReference();
    }
}
