package org.leno.internal.nn;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Where a run computes: the CPU, or one CUDA device when the GPU natives
 * ({@code org.bytedeco:pytorch:...:linux-x86_64-gpu}) and a CUDA driver are present. Moving a
 * tensor to the CPU device returns it unchanged, so the CPU runs the same calls as a GPU would.
 */
public final class ComputeDevice {
    private final int cudaIndex;
    private final Device device;
    private final TensorOptions options;

    private ComputeDevice(int cudaIndex) {
        Natives.load();
        this.cudaIndex = cudaIndex;
        this.device = cudaIndex < 0 ? new Device(torch.DeviceType.CPU) : new Device(torch.DeviceType.CUDA, (byte) cudaIndex);
        this.options = new TensorOptions(device);
    }

    public static ComputeDevice cpu() {
        return new ComputeDevice(-1);
    }

    /** CUDA device {@code index}, or a one-line error naming what is missing. */
    public static ComputeDevice cuda(int index) {
        Natives.load();
        if (!Natives.cudaBuild()) {
            throw new IllegalArgumentException("--gpu " + index + ": no CUDA device is available: this is the CPU build"
                    + " of leno (the GPU build: LENO_GPU=1 ./leno, docs/distributed.md, \"GPUs\")");
        }
        if (!torch.cuda_is_available()) {
            throw new IllegalArgumentException("--gpu " + index + ": no CUDA device is available (the GPU build is"
                    + " loaded, but CUDA finds no device: is the NVIDIA driver installed and a GPU visible?)");
        }
        int count = torch.cuda_device_count();
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("--gpu " + index + ": this machine has " + count + " CUDA device"
                    + (count == 1 ? "" : "s") + " (0.." + (count - 1) + ")");
        }
        return new ComputeDevice(index);
    }

    /** {@code cuda(gpu)} for a non-negative index, else the CPU. */
    public static ComputeDevice of(int gpu) {
        return gpu < 0 ? cpu() : cuda(gpu);
    }

    public boolean isCuda() { return cudaIndex >= 0; }

    /** The CUDA device index (meaningful only when {@link #isCuda()}). */
    public byte index() { return (byte) cudaIndex; }

    /** The autocast device type for this device. */
    public torch.DeviceType type() {
        return isCuda() ? torch.DeviceType.CUDA : torch.DeviceType.CPU;
    }

    /** {@code t} on this device, keeping its memory format (the same tensor when it is already there). */
    public Tensor put(Tensor t) {
        return t.to(options, false, false, new MemoryFormatOptional());
    }

    /**
     * {@code t} on this device by a non-blocking copy, asynchronous on the current CUDA stream when
     * {@code t} is in pinned memory (PyTorch's {@code t.to(device, non_blocking=True)}); the same
     * tensor when it is already there.
     */
    public Tensor copyNonBlocking(Tensor t) {
        return t.to(options, true, false, new MemoryFormatOptional());
    }

    /** Moves a module's parameters and buffers in place (the tensor handles stay valid). */
    public void moveModule(Module module) {
        if (isCuda()) {
            module.to(device, false);
        }
    }

    @Override
    public String toString() {
        return isCuda() ? "cuda:" + cudaIndex : "cpu";
    }
}
