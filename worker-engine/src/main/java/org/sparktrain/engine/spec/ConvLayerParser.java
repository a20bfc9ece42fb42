package org.sparktrain.engine.spec;

import java.util.List;
import org.sparktrain.engine.layer.AvgPool2D;
import org.sparktrain.engine.layer.BatchNorm;
import org.sparktrain.engine.layer.Conv2D;
import org.sparktrain.engine.layer.Init;
import org.sparktrain.engine.layer.LayerConfig;
import org.sparktrain.engine.layer.MaxPool2D;
import org.sparktrain.engine.layer.Residual;

/**
 * Reads the convolutional layer types. Sizes ({@code kernel}, {@code stride}, {@code padding},
 * {@code size}) are one number or {@code [height, width]}.
 * <ul>
 * <li>{@code conv2d}: filters, kernel, stride (1), padding (0), bias (true), init, activation;</li>
 * <li>{@code maxpool2d} / {@code avgpool2d}: size, stride (= size), padding (0), ceil_mode (false);</li>
 * <li>{@code batchnorm}: momentum (0.1), eps (1e-5) — dense or conv from the input's rank;</li>
 * <li>{@code residual}: layers (a list like the top-level one); a 1×1 projection is added when the
 *     block changes the shape.</li>
 * </ul>
 */
final class ConvLayerParser {
    private ConvLayerParser() {
    }

    /** Adds the configs for {@code type} to {@code out} and returns the main one, or null if unknown. */
    static LayerConfig parse(String type, SpecMap m, String where, List<LayerConfig> out) {
        LayerConfig c;
        switch (type) {
            case "conv2d", "conv" -> {
                m.allowOnly("type", "filters", "kernel", "stride", "padding", "bias", "init", "activation");
                int[] k = m.pair("kernel", null);
                int[] s = m.pair("stride", 1);
                int[] p = m.pair("padding", 0);
                checkSizes(m, k, s, p);
                c = new Conv2D.Config(m.positive("filters", null), k[0], k[1], s[0], s[1], p[0], p[1],
                        m.bool("bias", true), Init.parse(m.string("init", LayerParser.defaultInit(m)), where));
                out.add(c);
                LayerParser.addActivation(m, out, where);
            }
            case "maxpool2d", "maxpool", "avgpool2d", "avgpool" -> {
                m.allowOnly("type", "size", "stride", "padding", "ceil_mode");
                int[] k = m.pair("size", null);
                int[] s = m.has("stride") ? m.pair("stride", null) : k;
                int[] p = m.pair("padding", 0);
                checkSizes(m, k, s, p);
                boolean ceil = m.bool("ceil_mode", false);
                c = type.startsWith("max")
                        ? new MaxPool2D.Config(k[0], k[1], s[0], s[1], p[0], p[1], ceil)
                        : new AvgPool2D.Config(k[0], k[1], s[0], s[1], p[0], p[1], ceil);
                out.add(c);
            }
            case "batchnorm", "batch_norm" -> {
                m.allowOnly("type", "momentum", "eps");
                double mom = m.number("momentum", 0.1);
                double eps = m.number("eps", 1e-5);
                if (!(mom > 0 && mom <= 1) || !(eps > 0)) {
                    throw new SpecException(where + ": momentum must be in (0, 1] and eps > 0");
                }
                c = new BatchNorm.Config((float) mom, (float) eps);
                out.add(c);
            }
            case "residual" -> {
                m.allowOnly("type", "layers");
                c = new Residual.Config(LayerParser.parseList(m.raw().get("layers"), where));
                out.add(c);
            }
            default -> c = null;
        }
        return c;
    }

    private static void checkSizes(SpecMap m, int[] k, int[] s, int[] p) {
        for (int i = 0; i < 2; i++) {
            if (k[i] <= 0 || s[i] <= 0 || p[i] < 0) {
                throw new SpecException(m.where() + ": kernel/size and stride must be > 0 and padding >= 0, got kernel "
                        + k[0] + "×" + k[1] + ", stride " + s[0] + "×" + s[1] + ", padding " + p[0] + "×" + p[1]);
            }
        }
    }
}
