package org.leno.internal.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.nn.NativeScope;

/**
 * PyTorch's dynamic loss scaler for fp16 training ({@code torch.cuda.amp.GradScaler}), method for
 * method: {@link #scale} multiplies the loss by the scale (initially 2^16), {@link #unscale}
 * multiplies the gradients by its float32 reciprocal and notes whether any gradient was inf/NaN,
 * {@link #step} runs the optimizer step only when none was, and {@link #update} halves the scale
 * after a skipped step and doubles it after {@code growthInterval} (2000) finite steps in a row.
 * Its {@link #stateDict} has PyTorch's keys ({@code scale}, {@code growth_factor},
 * {@code backoff_factor}, {@code growth_interval}, {@code _growth_tracker}) and goes into the
 * checkpoint under {@code scaler}.
 *
 * <p>Use per step: {@code scale(loss).backward(); [unscale(params); clip;] step(params, sgd::step); update();}
 */
public final class GradScaler {
    private enum Stage { READY, UNSCALED, STEPPED }

    private float scale;
    private double growthFactor;
    private double backoffFactor;
    private int growthInterval;
    private int growthTracker;
    private Stage stage = Stage.READY;
    private boolean foundInf;

    /** PyTorch's defaults: initial scale 2^16, growth x2 every 2000 finite steps, backoff x0.5. */
    public GradScaler() {
        this(65536.0, 2.0, 0.5, 2000);
    }

    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        if (!(growthFactor > 1.0) || !(backoffFactor < 1.0) || growthInterval < 1 || !(initScale > 0)) {
            throw new IllegalArgumentException("loss scaler: needs growth factor > 1, backoff factor < 1, a positive"
                    + " growth interval and initial scale");
        }
        this.scale = (float) initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
    }

    /** {@code loss * scale}, to call backward on. */
    public Tensor scale(Tensor loss) {
        return loss.mul(new Scalar((double) scale));
    }

    /**
     * Divides the gradients of {@code params} by the scale (multiplying by its reciprocal, computed in
     * fp64 and rounded to fp32 as PyTorch does) and records whether any was inf or NaN before that.
     * Once per step, before clipping; {@link #step} calls it when it was not called.
     */
    public void unscale(List<Tensor> params) {
        if (stage == Stage.UNSCALED) {
            throw new IllegalStateException("unscale() has already been called since the last update()");
        }
        if (stage == Stage.STEPPED) {
            throw new IllegalStateException("unscale() is being called after step()");
        }
        Scalar inverse = new Scalar((double) (float) (1.0 / (double) scale));
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            TensorVector finite = new TensorVector();
            for (Tensor p : params) {
                Tensor grad = p.grad();
                if (!grad.defined()) {
                    continue;
                }
                finite.push_back(torch.isfinite(grad).all());
                grad.mul_(inverse);
            }
            // one host synchronisation for all gradients
            foundInf = finite.size() > 0 && !torch.stack(finite).all().item_bool();
        }
        stage = Stage.UNSCALED;
    }

    /**
     * Unscales (unless {@link #unscale} was called) and runs {@code optimizerStep} unless a gradient
     * was inf or NaN. Returns whether it ran.
     */
    public boolean step(List<Tensor> params, Runnable optimizerStep) {
        if (stage == Stage.STEPPED) {
            throw new IllegalStateException("step() has already been called since the last update()");
        }
        if (stage == Stage.READY) {
            unscale(params);
        }
        stage = Stage.STEPPED;
        if (foundInf) {
            return false;
        }
        optimizerStep.run();
        return true;
    }

    /**
     * The end of a step: backoff after a skipped step, growth after {@code growthInterval}
     * consecutive finite ones (PyTorch's _amp_update_scale_: products in fp64, stored as fp32, a
     * growth that would overflow fp32 is not applied).
     */
    public void update() {
        if (stage == Stage.READY) {
            throw new IllegalStateException("update() without unscale() or step() in this iteration");
        }
        if (foundInf) {
            scale = (float) (scale * backoffFactor);
            growthTracker = 0;
        } else {
            int successful = growthTracker + 1;
            if (successful == growthInterval) {
                float grown = (float) (scale * growthFactor);
                if (Float.isFinite(grown)) {
                    scale = grown;
                }
                growthTracker = 0;
            } else {
                growthTracker = successful;
            }
        }
        stage = Stage.READY;
    }

    public double getScale() { return scale; }

    public int growthTracker() { return growthTracker; }

    /** Whether the last unscale found an inf or NaN gradient (so that step skipped the update). */
    public boolean foundInf() { return foundInf; }

    /** PyTorch's GradScaler.state_dict(): Python floats and ints. */
    public Map<String, Object> stateDict() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("scale", (double) scale);
        s.put("growth_factor", growthFactor);
        s.put("backoff_factor", backoffFactor);
        s.put("growth_interval", (long) growthInterval);
        s.put("_growth_tracker", (long) growthTracker);
        return s;
    }

    /** Restores a {@link #stateDict} (ours or PyTorch's); {@code source} names the file in errors. */
    public void loadStateDict(Map<?, ?> state, String source) {
        scale = (float) number(state, "scale", source).doubleValue();
        growthFactor = number(state, "growth_factor", source).doubleValue();
        backoffFactor = number(state, "backoff_factor", source).doubleValue();
        growthInterval = number(state, "growth_interval", source).intValue();
        growthTracker = number(state, "_growth_tracker", source).intValue();
        stage = Stage.READY;
        foundInf = false;
    }

    private static Number number(Map<?, ?> state, String key, String source) {
        if (state.get(key) instanceof Number n) {
            return n;
        }
        throw new IllegalArgumentException(source + ": the loss scaler state has no number '" + key + "'");
    }
}
