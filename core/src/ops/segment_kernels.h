/* segment_kernels.h — segment sum, mean and max over CSR offsets,
 * instantiated for f32 and f64 by float_template.h (no include guard on
 * purpose).
 *
 * Segment s covers rows off[s] .. off[s+1]-1 of x (E, D); D is the row size
 * (every trailing dim flattened). Each loop iteration owns one segment and
 * walks its rows in increasing order, so results do not depend on the thread
 * count. Backward kernels accumulate (+=) into dx. */

/* out (S, D) = sum, or mean when `mean`, of each segment's rows; an empty
 * segment gives 0. */
static void FN(segment_sum_forward)(const real *x, const int32_t *off, real *out, int64_t S,
                                    int64_t D, bool mean)
{
    int64_t work = ((int64_t)off[S] + S) * D;
#pragma omp parallel for schedule(static) if (work > OP_PARALLEL_MIN)
    for (int64_t s = 0; s < S; s++) {
        real *o = out + s * D;
        for (int64_t d = 0; d < D; d++) o[d] = 0;
        for (int64_t e = off[s]; e < off[s + 1]; e++)
            for (int64_t d = 0; d < D; d++) o[d] += x[e * D + d];
        if (mean && off[s + 1] > off[s])
            for (int64_t d = 0; d < D; d++) o[d] /= (real)(off[s + 1] - off[s]);
    }
}

/* dx (E, D) += dout (S, D) of the row's segment, divided by the segment's
 * size when `mean`. */
static void FN(segment_sum_backward)(const real *dout, const int32_t *off, real *dx, int64_t S,
                                     int64_t D, bool mean)
{
    int64_t work = ((int64_t)off[S] + S) * D;
#pragma omp parallel for schedule(static) if (work > OP_PARALLEL_MIN)
    for (int64_t s = 0; s < S; s++) {
        const real *g = dout + s * D;
        real count = mean ? (real)(off[s + 1] - off[s]) : 1;
        for (int64_t e = off[s]; e < off[s + 1]; e++)
            for (int64_t d = 0; d < D; d++) dx[e * D + d] += g[d] / count;
    }
}

/* out (S, D) = maximum of each segment's rows per trailing position, and
 * arg (S, D) the row it came from: the first row on ties, the first NaN if
 * there is one (NaN propagates). An empty segment gives 0 and arg -1. */
static void FN(segment_max_forward)(const real *x, const int32_t *off, real *out, int32_t *arg,
                                    int64_t S, int64_t D)
{
    int64_t work = ((int64_t)off[S] + S) * D;
#pragma omp parallel for schedule(static) if (work > OP_PARALLEL_MIN)
    for (int64_t s = 0; s < S; s++) {
        real *o = out + s * D;
        int32_t *a = arg + s * D;
        bool empty = off[s] == off[s + 1];
        for (int64_t d = 0; d < D; d++) {
            o[d] = empty ? 0 : x[off[s] * D + d];
            a[d] = empty ? -1 : off[s];
        }
        for (int64_t e = (int64_t)off[s] + 1; e < off[s + 1]; e++)
            for (int64_t d = 0; d < D; d++) {
                real v = x[e * D + d];
                if (v > o[d] || (isnan(v) && !isnan(o[d]))) {
                    o[d] = v;
                    a[d] = (int32_t)e;
                }
            }
    }
}

/* dx[arg[s, d], d] += dout[s, d]: only the row that gave the maximum gets the
 * gradient. Rows of different segments are disjoint, so the iterations
 * write disjoint elements. */
static void FN(segment_max_backward)(const real *dout, const int32_t *arg, real *dx, int64_t S,
                                     int64_t D)
{
#pragma omp parallel for schedule(static) if (S * D > OP_PARALLEL_MIN)
    for (int64_t s = 0; s < S; s++)
        for (int64_t d = 0; d < D; d++) {
            int32_t e = arg[s * D + d];
            if (e >= 0) dx[e * D + d] += dout[s * D + d];
        }
}
