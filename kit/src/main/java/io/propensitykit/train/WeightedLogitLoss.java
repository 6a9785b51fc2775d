package io.propensitykit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Binary cross-entropy on logits with a weight on the positive class, in the numerically stable
 * form {@code max(z, 0) - z y + log(1 + exp(-|z|))}.
 */
final class WeightedLogitLoss extends Loss {

    private final float positiveWeight;

    WeightedLogitLoss(float positiveWeight) {
        super("WeightedLogitLoss");
        this.positiveWeight = positiveWeight;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray z = predictions.singletonOrThrow().reshape(-1);
        NDArray y = labels.singletonOrThrow().reshape(-1);
        NDArray perRow = z.maximum(0f).sub(z.mul(y)).add(z.abs().neg().exp().add(1f).log());
        NDArray weights = y.mul(positiveWeight - 1f).add(1f);
        return perRow.mul(weights).mean();
    }
}
