package org.leno.internal.distributed;

import java.util.List;
import org.leno.internal.nn.BatchNorm;

/** --sync-bn: the BatchNorm layers of a model take their training statistics over all ranks of a group. */
public final class SyncBatchNorm {
    private SyncBatchNorm() {
    }

    /** As PyTorch's convert_sync_batchnorm: parameters, buffers and state_dict keys are unchanged. */
    public static void enable(List<BatchNorm> layers, RankGroup group) {
        for (BatchNorm bn : layers) {
            bn.synchronize(group::sumInPlace, group.rank(), group.worldSize());
        }
    }
}
