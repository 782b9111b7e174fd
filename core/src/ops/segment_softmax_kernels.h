/* segment_softmax_kernels.h — softmax over the rows of each segment,
 * instantiated for f32 and f64 by float_template.h (no include guard on
 * purpose).
 *
 * Segment s covers rows off[s] .. off[s+1]-1 of x (E, D); each of the D
 * trailing positions (e.g. H heads) gets its own softmax. Each loop iteration
 * owns one segment and walks its rows in increasing order, so results do not
 * depend on the thread count. Segments are short (a node's incoming edges),
 * so the strided walk down one column of a segment stays in cache. */

/* y (E, D) = exp(x - m) / sum over the segment of exp(x - m), m the
 * segment's maximum: no exponent is positive, so nothing overflows. */
static void FN(segment_softmax_forward)(const real *x, const int32_t *off, real *y, int64_t S,
                                        int64_t D)
{
#pragma omp parallel for schedule(static) if ((int64_t)off[S] * D > OP_PARALLEL_MIN)
    for (int64_t s = 0; s < S; s++)
        for (int64_t d = 0; d < D; d++) {
            const real *xs = x + off[s] * D + d;
            real *ys = y + off[s] * D + d;
            int64_t n = off[s + 1] - off[s];
            real m = n > 0 ? xs[0] : 0, z = 0;
            for (int64_t e = 1; e < n; e++) m = xs[e * D] > m ? xs[e * D] : m;
            for (int64_t e = 0; e < n; e++) {
                ys[e * D] = (real)exp((double)(xs[e * D] - m));
                z += ys[e * D];
            }
            for (int64_t e = 0; e < n; e++) ys[e * D] /= z;
        }
}

/* dx (E, D) += y * (dy - sum over the segment of y * dy), per position. */
static void FN(segment_softmax_backward)(const real *y, const real *dy, const int32_t *off,
                                         real *dx, int64_t S, int64_t D)
{
#pragma omp parallel for schedule(static) if ((int64_t)off[S] * D > OP_PARALLEL_MIN)
    for (int64_t s = 0; s < S; s++)
        for (int64_t d = 0; d < D; d++) {
            int64_t base = off[s] * D + d, n = off[s + 1] - off[s];
            real dot = 0;
            for (int64_t e = 0; e < n; e++) dot += y[base + e * D] * dy[base + e * D];
            for (int64_t e = 0; e < n; e++)
                dx[base + e * D] += y[base + e * D] * (dy[base + e * D] - dot);
        }
}
