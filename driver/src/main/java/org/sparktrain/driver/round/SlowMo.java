package org.sparktrain.driver.round;

import java.io.Serializable;

/**
 * An outer momentum on the averaged update in parameter mode, SlowMo (Wang, Tantia, Ballas, Rabbat, "SlowMo:
 * Improving communication-efficient distributed SGD with slow momentum", ICLR 2020; docs/architecture.md, "The
 * global minibatch"). A round starts from x0 on every worker, the workers take K local steps, x̄ is their
 * average; then, with the round's base learning rate γ:
 * {@code u ← β·u + (x0 − x̄)/γ} and {@code x_next = x0 − α·γ·u} ({@code RoundVector.outerMomentumStep}), on the
 * network's parameters only (optimizer state and BatchNorm statistics are averaged as without it).
 *
 * @param momentum β, {@code --outer-momentum}, in [0, 1); 0 with α = 1 is plain averaging
 * @param learningRate α, {@code --outer-lr}, above 0
 */
public record SlowMo(float momentum, float learningRate) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** None: β = 0, α = 1, plain averaging, the old code path bit for bit. */
    public static final SlowMo OFF = new SlowMo(0f, 1f);

    public SlowMo {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("--outer-momentum must be in [0, 1), got " + momentum);
        }
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("--outer-lr must be a number above 0, got " + learningRate);
        }
    }

    /**
     * Whether rounds take the outer step: any setting but β = 0, α = 1, which is plain averaging (and then the
     * averaging code runs as without SlowMo, so default runs keep their bits; the formula would give x̄ only up
     * to float rounding).
     */
    public boolean enabled() {
        return momentum != 0f || learningRate != 1f;
    }

    /** The settings in words, e.g. "outer momentum 0.5, outer lr 1.0 (SlowMo)". */
    public String describe() {
        return "outer momentum " + momentum + ", outer lr " + learningRate + " (SlowMo)";
    }
}
