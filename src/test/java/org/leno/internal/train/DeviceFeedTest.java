package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.leno.internal.data.augment.TrainTransform;
import org.leno.internal.data.datasets.DummyImages;
import org.leno.internal.data.loader.Batch;
import org.leno.internal.data.loader.DataLoader;
import org.leno.internal.data.loader.EpochSampler;
import org.leno.internal.nn.ComputeDevice;
import org.leno.internal.nn.Tensors;

/**
 * The input path to the device, on the CPU: there the feed is a no-op (the loader's own batches, in
 * order, same memory), batch buffers are not pinned, and asking for pinned memory is a clear error;
 * the feed's staging order (one batch ahead, each host batch released only after its device batch is
 * closed), which a GPU runs with real copies, is checked with a lane that copies on the CPU.
 */
class DeviceFeedTest {
    private static DataLoader loader(boolean pinned) {
        DummyImages images = new DummyImages(24, 20, 4, 7);
        return new DataLoader(images, TrainTransform.imagenet(16), EpochSampler.single(images.size(), true, 3),
                new DataLoader.Config(4, 2, false, 3, false, false, pinned));
    }

    /** Every batch of epoch 0 as (images, labels) values, read after a pause so that workers run ahead. */
    private static List<float[]> contents(Iterator<Batch> batches, long pauseMillis) throws InterruptedException {
        List<float[]> out = new ArrayList<>();
        while (batches.hasNext()) {
            try (Batch b = batches.next()) {
                Thread.sleep(pauseMillis);
                out.add(Tensors.floats(b.images()));
                out.add(Tensors.floats(b.labels().to(torch.ScalarType.Float)));
            }
        }
        return out;
    }

    @Test
    void onTheCpuTheFeedHandsOutTheLoadersOwnBatchesUnchanged() throws Exception {
        List<float[]> direct;
        try (DataLoader l = loader(false); DataLoader.Epoch e = l.epoch(0)) {
            direct = contents(e, 0);
        }
        try (DataLoader l = loader(false); DataLoader.Epoch e = l.epoch(0);
             DeviceFeed feed = DeviceFeed.of(e, ComputeDevice.cpu(), false)) {
            assertThat(feed.inPlace()).isTrue();
            List<float[]> fed = contents(feed, 30);
            assertThat(fed).hasSameSizeAs(direct);
            for (int i = 0; i < fed.size(); i++) {
                assertThat(fed.get(i)).as("batch part %d", i).containsExactly(direct.get(i));
            }
            assertThatThrownBy(feed::next).isInstanceOf(NoSuchElementException.class);
        }
        try (DataLoader l = loader(false); DataLoader.Epoch e = l.epoch(0)) {
            Batch first = e.next();
            try (Batch b = first) {
                assertThat(b.images().is_pinned()).isFalse();
            }
        }
    }

    @Test
    void pinnedMemoryOnTheCpuBuildIsAClearError() {
        assertThatThrownBy(() -> loader(true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pinned batch memory needs a CUDA device and the GPU build");
    }

    /** A lane that copies (clone) and records when each host batch goes back, as the CUDA lane's protocol. */
    private static final class CopyingLane implements DeviceLane {
        final List<String> events = new ArrayList<>();
        int staged;

        @Override
        public DeviceLane.Staged stage(Batch host) {
            int n = staged++;
            events.add("stage " + n);
            Tensor images = host.images().clone();
            Tensor labels = host.labels().clone();
            return new DeviceLane.Staged() {
                @Override
                public Batch ready() {
                    events.add("ready " + n);
                    return new Batch(images, labels, host.size(), host.real(), this::release);
                }

                @Override
                public void close() {
                    images.close();
                    labels.close();
                    release();
                }

                private void release() {
                    events.add("release " + n);
                    host.close();
                }
            };
        }
    }

    @Test
    void theFeedStagesOneBatchAheadAndReleasesEachHostBatchAfterItsStep() throws Exception {
        List<float[]> direct;
        try (DataLoader l = loader(false); DataLoader.Epoch e = l.epoch(0)) {
            direct = contents(e, 0);
        }
        CopyingLane lane = new CopyingLane();
        try (DataLoader l = loader(false); DataLoader.Epoch e = l.epoch(0); DeviceFeed feed = new DeviceFeed(e, lane)) {
            List<float[]> fed = contents(feed, 10);
            for (int i = 0; i < fed.size(); i++) {
                assertThat(fed.get(i)).as("batch part %d", i).containsExactly(direct.get(i));
            }
        }
        assertThat(lane.events).containsExactly("stage 0", "stage 1", "ready 0", "release 0", "stage 2", "ready 1",
                "release 1", "stage 3", "ready 2", "release 2", "stage 4", "ready 3", "release 3", "stage 5", "ready 4",
                "release 4", "ready 5", "release 5");

        CopyingLane early = new CopyingLane();
        try (DataLoader l = loader(false); DataLoader.Epoch e = l.epoch(0); DeviceFeed feed = new DeviceFeed(e, early)) {
            feed.next().close();
        }
        assertThat(early.events).as("closing the feed frees the batch staged ahead")
                .containsExactly("stage 0", "stage 1", "ready 0", "release 0", "release 1");
    }
}
