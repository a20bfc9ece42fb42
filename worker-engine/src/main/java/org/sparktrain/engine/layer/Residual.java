package org.sparktrain.engine.layer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.sparktrain.engine.ParamRanges;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.SplitMix;

/**
 * A residual block (He et al. 2016): {@code y = F(x) + P(x)}, where F is a sub-sequence of layers and P
 * is the identity when F keeps the shape, otherwise a projection: a 1×1 convolution (with the stride
 * that maps the spatial size, no bias) for image inputs, a dense layer without bias for vectors.
 * Backward: {@code dx = dF/dx·dy + dP/dx·dy}. The block's parameters are its layers' parameters, laid
 * out one after the other (body, then projection) inside the block's range of the flat vector.
 */
public final class Residual extends Layer {

    public record Config(List<LayerConfig> body) implements LayerConfig {
        public Config {
            body = List.copyOf(body);
            if (body.isEmpty()) {
                throw new IllegalArgumentException("residual: 'layers' must hold at least one layer");
            }
        }

        @Override
        public String type() {
            return "residual";
        }

        @Override
        public Shape outputShape(Shape in, String layerName) {
            Shape s = in;
            for (int i = 0; i < body.size(); i++) {
                s = body.get(i).outputShape(s, layerName + " > layer " + (i + 1) + " (" + body.get(i).type() + ")");
            }
            projection(in, s, layerName);
            return s;
        }

        /** The projection that maps {@code in} to {@code out}, null for the identity. */
        LayerConfig projection(Shape in, Shape out, String layerName) {
            if (in.equals(out)) {
                return null;
            }
            if (in.rank() == 1 && out.rank() == 1) {
                return new Dense.Config(out.dim(0), false, Init.XAVIER);
            }
            if (in.rank() == 3 && out.rank() == 3) {
                int sh = stride(in.dim(1), out.dim(1));
                int sw = stride(in.dim(2), out.dim(2));
                if (sh > 0 && sw > 0) {
                    return new Conv2D.Config(out.dim(0), 1, 1, sh, sw, 0, 0, false, Init.XAVIER);
                }
            }
            throw new ShapeException(layerName + ": the block maps " + in + " to " + out
                    + ", which no 1×1 projection can add to its input; keep the rank, and make the spatial"
                    + " size the input's divided by a whole stride");
        }

        /** The stride s with floor((in − 1)/s) + 1 = out, or 0 when none exists. */
        private static int stride(int in, int out) {
            for (int s = 1; s <= in; s++) {
                if ((in - 1) / s + 1 == out) {
                    return s;
                }
            }
            return 0;
        }

        @Override
        public Layer create(Shape in, String layerName) {
            return new Residual(layerName, in, this);
        }
    }

    private final List<Layer> body = new ArrayList<>();
    private final Layer projection;
    private float[] y;
    private float[] dx;

    Residual(String name, Shape in, Config config) {
        super(name, in, config.outputShape(in, name));
        Shape s = in;
        for (int i = 0; i < config.body().size(); i++) {
            LayerConfig c = config.body().get(i);
            Layer l = c.create(s, name + " > layer " + (i + 1) + " (" + c.type() + ")");
            body.add(l);
            s = l.outShape();
        }
        LayerConfig p = config.projection(in, s, name);
        projection = p == null ? null : p.create(in, name + " > projection");
    }

    @Override
    public List<Layer> sublayers() {
        return java.util.Collections.unmodifiableList(all());
    }

    private List<Layer> all() {
        List<Layer> a = new ArrayList<>(body);
        if (projection != null) {
            a.add(projection);
        }
        return a;
    }

    @Override
    public int paramCount() {
        int n = 0;
        for (Layer l : all()) {
            n += l.paramCount();
        }
        return n;
    }

    @Override
    public int stateCount() {
        int n = 0;
        for (Layer l : all()) {
            n += l.stateCount();
        }
        return n;
    }

    @Override
    public void bind(float[] params, float[] grads, int pOff, float[] state, int sOff) {
        super.bind(params, grads, pOff, state, sOff);
        for (Layer l : all()) {
            l.bind(params, grads, pOff, state, sOff);
            pOff += l.paramCount();
            sOff += l.stateCount();
        }
    }

    @Override
    public void setNeedInputGrad(boolean need) {
        super.setNeedInputGrad(need);
        body.get(0).setNeedInputGrad(need);
        if (projection != null) {
            projection.setNeedInputGrad(need);
        }
    }

    @Override
    public void initParams(SplittableRandom rnd) {
        List<Layer> a = all();
        long base = rnd.nextLong();
        for (int i = 0; i < a.size(); i++) {
            a.get(i).initParams(new SplittableRandom(SplitMix.derive(base, i)));
        }
    }

    @Override
    public void initState() {
        for (Layer l : all()) {
            l.initState();
        }
    }

    @Override
    public void addPenalizedRanges(ParamRanges.Builder b) {
        for (Layer l : all()) {
            l.addPenalizedRanges(b);
        }
    }

    @Override
    public void setRandomSeed(long seed) {
        List<Layer> a = all();
        for (int i = 0; i < a.size(); i++) {
            a.get(i).setRandomSeed(SplitMix.derive(seed, i));
        }
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training) {
        float[] f = x;
        for (Layer l : body) {
            f = l.forward(f, batch, training);
        }
        float[] p = projection == null ? x : projection.forward(x, batch, training);
        int n = batch * outShape.size();
        y = ensure(y, n);
        for (int i = 0; i < n; i++) {
            y[i] = f[i] + p[i];
        }
        return y;
    }

    @Override
    public float[] backward(float[] dOut, int batch) {
        float[] g = dOut;
        for (int i = body.size() - 1; i >= 0; i--) {
            g = body.get(i).backward(g, batch);
        }
        float[] gp = projection == null ? dOut : projection.backward(dOut, batch);
        if (!needInputGrad) {
            return null;
        }
        int n = batch * inShape.size();
        dx = ensure(dx, n);
        for (int i = 0; i < n; i++) {
            dx[i] = g[i] + gp[i];
        }
        return dx;
    }
}
