/* reduce_kernels.h — kernels of sum, mean, max along an axis and of sum_all,
 * instantiated for f32 and f64 by float_template.h (no include guard on
 * purpose).
 *
 * x is seen as (outer, len, inner) with `len` the reduced axis; out is
 * (outer, inner). Sums accumulate in double in increasing index order and
 * round once. Tasks cover whole output elements (a tile of up to RED_TILE
 * consecutive inner positions of one outer index), so no two threads add
 * into one element. Backward kernels accumulate (+=). */

/* acc[0..m) = sum over l of x[l * stride + 0..m), in increasing l. */
static void FN(sum_tile)(const real *x, int64_t len, int64_t stride, int64_t m, double *acc)
{
    for (int64_t i = 0; i < m; i++) acc[i] = 0;
    if (m == 1) {
        double s = 0;
        for (int64_t l = 0; l < len; l++) s += x[l * stride];
        acc[0] = s;
        return;
    }
    for (int64_t l = 0; l < len; l++)
        for (int64_t i = 0; i < m; i++) acc[i] += x[l * stride + i];
}

/* y (outer, inner) = sum over len of x (outer, len, inner), divided by div
 * (1 for sum, len for mean). */
static void FN(sum_forward)(const real *x, real *y, int64_t outer, int64_t len, int64_t inner,
                            double div)
{
    int64_t tiles = (inner + RED_TILE - 1) / RED_TILE;
#pragma omp parallel for schedule(static) if (outer * len * inner > OP_PARALLEL_MIN)
    for (int64_t t = 0; t < outer * tiles; t++) {
        int64_t o = t / tiles, i0 = t % tiles * RED_TILE;
        int64_t m = inner - i0 < RED_TILE ? inner - i0 : RED_TILE;
        double acc[RED_TILE];
        FN(sum_tile)(x + o * len * inner + i0, len, inner, m, acc);
        for (int64_t i = 0; i < m; i++) y[o * inner + i0 + i] = (real)(acc[i] / div);
    }
}

/* dx (outer, len, inner) += dy (outer, inner) / div */
static void FN(sum_backward)(const real *dy, real *dx, int64_t outer, int64_t len, int64_t inner,
                             double div)
{
    real d = (real)div;
#pragma omp parallel for collapse(2) schedule(static) if (outer * len * inner > OP_PARALLEL_MIN)
    for (int64_t o = 0; o < outer; o++)
        for (int64_t l = 0; l < len; l++) {
            const real *g = dy + o * inner;
            real *w = dx + (o * len + l) * inner;
            for (int64_t i = 0; i < inner; i++) w[i] += g[i] / d;
        }
}

/* True when v replaces best as the maximum: strictly greater (so ties keep
 * the first index), or the first NaN (so NaN propagates as in torch.max). */
static inline bool FN(max_beats)(real v, real best)
{
    return v > best || (isnan(v) && !isnan(best));
}

/* y (outer, inner) = max over len (>= 1) of x (outer, len, inner); arg, when
 * not NULL, receives the first index of each maximum. */
static void FN(max_forward)(const real *x, real *y, int64_t *arg, int64_t outer, int64_t len,
                            int64_t inner)
{
    int64_t tiles = (inner + RED_TILE - 1) / RED_TILE;
#pragma omp parallel for schedule(static) if (outer * len * inner > OP_PARALLEL_MIN)
    for (int64_t t = 0; t < outer * tiles; t++) {
        int64_t o = t / tiles, i0 = t % tiles * RED_TILE;
        int64_t m = inner - i0 < RED_TILE ? inner - i0 : RED_TILE;
        const real *xo = x + o * len * inner + i0;
        real *best = y + o * inner + i0;
        int64_t where[RED_TILE];
        for (int64_t i = 0; i < m; i++) {
            best[i] = xo[i];
            where[i] = 0;
        }
        for (int64_t l = 1; l < len; l++)
            for (int64_t i = 0; i < m; i++)
                if (FN(max_beats)(xo[l * inner + i], best[i])) {
                    best[i] = xo[l * inner + i];
                    where[i] = l;
                }
        if (arg)
            for (int64_t i = 0; i < m; i++) arg[o * inner + i0 + i] = where[i];
    }
}

/* dx[o, arg[o, i], i] += dy[o, i]: only the first maximum gets the gradient. */
static void FN(max_backward)(const real *dy, const int64_t *arg, real *dx, int64_t outer,
                             int64_t len, int64_t inner)
{
#pragma omp parallel for schedule(static) if (outer * inner > OP_PARALLEL_MIN)
    for (int64_t e = 0; e < outer * inner; e++) {
        int64_t o = e / inner, i = e % inner;
        dx[(o * len + arg[e]) * inner + i] += dy[e];
    }
}

/* *y = sum of x (n): fixed blocks summed in parallel, then the block sums in
 * order; the blocks depend on n alone. */
static void FN(sum_all_forward)(const real *x, real *y, int64_t n)
{
    int64_t len = sum_block_len(n), blocks = (n + len - 1) / len;
    double part[SUM_BLOCKS], s = 0;
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t k = 0; k < blocks; k++) {
        int64_t end = (k + 1) * len < n ? (k + 1) * len : n;
        double b = 0;
        for (int64_t i = k * len; i < end; i++) b += x[i];
        part[k] = b;
    }
    for (int64_t k = 0; k < blocks; k++) s += part[k];
    *y = (real)s;
}

/* dx (n) += dy, a scalar */
static void FN(sum_all_backward)(const real *dy, real *dx, int64_t n)
{
    real g = dy[0];
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) dx[i] += g;
}
