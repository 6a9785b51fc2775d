package io.propensitykit.model;

import java.util.Locale;

/** How the model's weights are stored. */
public enum ModelFormat {
    /** A TorchScript file ({@code .pt}) saved by PyTorch with {@code torch.jit.save}. */
    TORCHSCRIPT,
    /** A directory with DJL's {@code NAME-0000.params}, rebuilt from the metadata's architecture. */
    DJL;

    static ModelFormat parse(String text) {
        for (ModelFormat format : values()) {
            if (format.jsonName().equals(text)) {
                return format;
            }
        }
        throw new IllegalArgumentException(
                "Unknown model format '" + text + "': use \"torchscript\" or \"djl\".");
    }

    String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
