package org.sparktrain.engine.io;

/**
 * Images read from an IDX file: {@code count} images of {@code rows × cols} pixels, stored row-major,
 * one image after the other, each pixel scaled from its unsigned byte to [0, 1] (divided by 255).
 *
 * <p>The pixel array is large (60 000 Fashion-MNIST images are 188 MB of floats), so {@link #pixels()}
 * hands out the object's own array rather than a copy: treat it as read-only.
 */
public final class IdxImages {
    private final int count;
    private final int rows;
    private final int cols;
    private final float[] pixels;

    /**
     * @param pixels {@code count · rows · cols} values, image-major then row-major; kept, not copied
     * @throws IllegalArgumentException if a size is not positive or the array length does not match
     */
    public IdxImages(int count, int rows, int cols, float[] pixels) {
        if (count <= 0 || rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(
                    "image count, rows and cols must be positive, got " + count + ", " + rows + ", " + cols);
        }
        if ((long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException("pixel array holds " + pixels.length + " values but "
                    + count + " images of " + rows + "×" + cols + " need " + (long) count * rows * cols);
        }
        this.count = count;
        this.rows = rows;
        this.cols = cols;
        this.pixels = pixels;
    }

    /** Number of images. */
    public int count() {
        return count;
    }

    /** Pixel rows per image. */
    public int rows() {
        return rows;
    }

    /** Pixel columns per image. */
    public int cols() {
        return cols;
    }

    /** Values per image ({@code rows · cols}): the feature count of a flattened image. */
    public int features() {
        return rows * cols;
    }

    /** All pixels in [0, 1]; image {@code i} starts at {@code i · features()}. The object's own array: do not modify. */
    public float[] pixels() {
        return pixels;
    }
}
