package org.leno.internal.train;

import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/** An optimizer over parameter groups, with its state in PyTorch's {@code optimizer.state_dict()} layout. */
public interface Optimizer {
    /** One update of every parameter that has a gradient, at the current rate. */
    void step();

    /** Sets the rate of every group (the schedule's value). */
    void setLr(double lr);

    double lr();

    /** All parameters, in the order of their state indices. */
    List<Tensor> params();

    /** PyTorch's layout: {@code state} by parameter index, {@code param_groups} with their hyper-parameters. */
    Map<String, Object> stateDict();

    /** Restores the state from a PyTorch state dict of the same kind and groups; {@code source} names the file. */
    void loadStateDict(Map<?, ?> stateDict, String source);
}
