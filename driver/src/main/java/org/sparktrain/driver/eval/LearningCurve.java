package org.sparktrain.driver.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A learning curve (docs/architecture.md, "Learning curves"): one model per training-set size, each trained on a
 * nested subset of the same training part and validated on the same rows, and the bias/variance reading of its
 * numbers. Error is 1 − accuracy.
 *
 * <p>The rule, on the largest subset's training error e_t and gap g = e_v − e_t, and the smallest subset's gap g0:
 * <ul>
 * <li>high bias (underfitting): e_t ≥ {@value #HIGH_ERROR} and g &lt; {@value #LARGE_GAP}: both errors high and
 *     close;</li>
 * <li>high variance (overfitting): e_t &lt; {@value #HIGH_ERROR}, g ≥ {@value #LARGE_GAP} and g &lt; g0: a large
 *     gap that shrinks with data;</li>
 * <li>high bias and high variance: e_t ≥ {@value #HIGH_ERROR} and g ≥ {@value #LARGE_GAP};</li>
 * <li>a large gap that does not shrink: e_t &lt; {@value #HIGH_ERROR}, g ≥ {@value #LARGE_GAP}, g ≥ g0 (one
 *     point, or the gap grew);</li>
 * <li>neither: e_t &lt; {@value #HIGH_ERROR} and g &lt; {@value #LARGE_GAP}.</li>
 * </ul>
 */
public final class LearningCurve {
    /** A training error at or above this is high (10 points: the thresholds are stated, not tuned). */
    public static final double HIGH_ERROR = 0.10;
    /** A validation error this far above the training error (5 points) or more is a large gap. */
    public static final double LARGE_GAP = 0.05;

    /** The default training-set sizes, as fractions of the training part. */
    public static final List<Double> DEFAULT_FRACTIONS = List.of(0.1, 0.25, 0.5, 1.0);

    private LearningCurve() {
    }

    /** One size: the fraction of the training part, its rows, and the model's metrics on them and on validation. */
    public record Point(double fraction, long trainRows, double trainLoss, double trainAccuracy, double valLoss,
                        double valAccuracy) {
        public double trainError() {
            return 1 - trainAccuracy;
        }

        public double valError() {
            return 1 - valAccuracy;
        }

        public double gap() {
            return valError() - trainError();
        }
    }

    public enum Kind {
        HIGH_BIAS("high bias (underfitting)"),
        HIGH_VARIANCE("high variance (overfitting)"),
        BIAS_AND_VARIANCE("high bias and high variance"),
        GAP_NOT_SHRINKING("a large gap that does not shrink with data"),
        NEITHER("neither high bias nor high variance");

        public final String words;

        Kind(String words) {
            this.words = words;
        }
    }

    /** The reading and the paragraph that says it, with the numbers it used. */
    public record Reading(Kind kind, String text) {
    }

    /** The reading of {@code points} (in growing size), by the rule in this class's documentation. */
    public static Reading read(List<Point> points) {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a learning curve needs at least one point");
        }
        Point first = points.get(0);
        Point last = points.get(points.size() - 1);
        double et = last.trainError();
        double g = last.gap();
        double g0 = first.gap();
        // errors are 1 - correct/count: 1 - 0.9 is 0.0999..., so the thresholds are compared within float noise
        boolean high = et >= HIGH_ERROR - 1e-9;
        boolean large = g >= LARGE_GAP - 1e-9;
        boolean shrinks = points.size() > 1 && g < g0;
        Kind kind = high ? (large ? Kind.BIAS_AND_VARIANCE : Kind.HIGH_BIAS)
                : large ? (shrinks ? Kind.HIGH_VARIANCE : Kind.GAP_NOT_SHRINKING) : Kind.NEITHER;
        String numbers = String.format(Locale.ROOT, "At %d training rows (%s of the training part) the training error"
                        + " is %.4f and the validation error %.4f, a gap of %.4f; at %d rows (%s) the gap was %.4f"
                        + " (training %.4f, validation %.4f).", last.trainRows(), percentOf(last.fraction()), et,
                last.valError(), g, first.trainRows(), percentOf(first.fraction()), g0, first.trainError(),
                first.valError());
        String rule = String.format(Locale.ROOT, " Rule: a training error of %.2f or more is high, a gap of %.2f or"
                + " more is large, and the gap shrinks when it is smaller at the largest size than at the smallest.",
                HIGH_ERROR, LARGE_GAP);
        String advice = switch (kind) {
            case HIGH_BIAS -> "Both errors are high and close: the model underfits; more data will not help, a larger"
                    + " model, more epochs or less regularisation may.";
            case HIGH_VARIANCE -> "The validation error is well above the training error and the gap shrinks as"
                    + " rows are added: the model overfits; more data should help, as may regularisation (l2,"
                    + " dropout) or a smaller model.";
            case BIAS_AND_VARIANCE -> "The training error is high and the validation error well above it: the model"
                    + " both underfits and does not generalise; look at the model and its training first.";
            case GAP_NOT_SHRINKING -> "The validation error is well above the training error and the gap does not"
                    + " shrink with more rows here: overfitting that these sizes do not cure; try regularisation"
                    + " (l2, dropout) or a smaller model, or check that training and validation rows are alike.";
            case NEITHER -> "The training error is low and the validation error close to it: no sign of either.";
        };
        return new Reading(kind, "Reading: " + kind.words + ". " + numbers + " " + advice + rule);
    }

    /**
     * The {@code --learning-curve} value: fractions of the training part in (0, 1], comma-separated, sorted and
     * without repeats; {@code null} or empty for {@link #DEFAULT_FRACTIONS}.
     */
    public static List<Double> fractions(String text) {
        if (text == null || text.isBlank() || text.equals("true")) {
            return DEFAULT_FRACTIONS;
        }
        TreeSet<Double> set = new TreeSet<>();
        for (String part : text.split(",")) {
            double f;
            try {
                f = Double.parseDouble(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--learning-curve takes fractions of the training part like"
                        + " 0.1,0.25,0.5,1, got '" + text + "'");
            }
            if (!(f > 0 && f <= 1)) {
                throw new IllegalArgumentException("--learning-curve fractions must lie in (0, 1], got " + part.trim());
            }
            set.add(f);
        }
        return new ArrayList<>(set);
    }

    public static String percentOf(double fraction) {
        return java.math.BigDecimal.valueOf(fraction).movePointRight(2).stripTrailingZeros().toPlainString() + "%";
    }
}
