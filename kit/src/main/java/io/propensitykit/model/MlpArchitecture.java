package io.propensitykit.model;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

import java.util.List;

/**
 * The architecture of a DJL-saved propensity MLP, recorded in the metadata so the loader can
 * rebuild the {@link Block} that the {@code .params} file belongs to.
 *
 * <pre>{@code
 * "architecture": {"type": "mlp", "hidden": [64, 32], "activation": "relu", "sigmoid": true}
 * }</pre>
 *
 * @param hidden the width of each hidden layer, input side first
 * @param activation {@code relu} or {@code tanh}, used after every hidden layer
 * @param sigmoid whether the block ends with a sigmoid (output kind {@code probability})
 */
public record MlpArchitecture(List<Integer> hidden, String activation, boolean sigmoid)
        implements java.io.Serializable {

    /** Validates the layer widths and activation name. */
    public MlpArchitecture {
        hidden = List.copyOf(hidden);
        for (int width : hidden) {
            if (width <= 0) {
                throw new IllegalArgumentException("MLP hidden widths must be positive: " + hidden);
            }
        }
        if (!"relu".equals(activation) && !"tanh".equals(activation)) {
            throw new IllegalArgumentException(
                    "Unknown MLP activation '" + activation + "': use \"relu\" or \"tanh\".");
        }
    }

    /**
     * Builds a fresh, uninitialized block of this shape with one output unit.
     *
     * @return the block, ready for {@code Model.load} or for training
     */
    public Block newBlock() {
        SequentialBlock block = new SequentialBlock();
        for (int width : hidden) {
            block.add(Linear.builder().setUnits(width).build());
            block.add("relu".equals(activation) ? Activation.reluBlock() : Activation.tanhBlock());
        }
        block.add(Linear.builder().setUnits(1).build());
        if (sigmoid) {
            block.add(Activation.sigmoidBlock());
        }
        return block;
    }
}
