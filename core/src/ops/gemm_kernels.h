/* gemm_kernels.h — the two paths of op_gemm.c, instantiated for f32 and f64
 * by float_template.h (no include guard on purpose): a plain loop for small
 * products and single-threaded BLAS calls on fixed tiles for large ones.
 * Each output element is summed by one thread, over terms j then k in
 * increasing order (loop) or in BLAS's order for that tile's shape. */

/* c[i] += a * y[i * ys] for i < n; the unit-stride case vectorises. */
static inline void FN(gemm_axpy)(int64_t n, real a, const real *restrict y, int64_t ys,
                                 real *restrict c)
{
    if (ys == 1) {
#pragma omp simd
        for (int64_t i = 0; i < n; i++) c[i] += a * y[i];
    } else {
        for (int64_t i = 0; i < n; i++) c[i] += a * y[i * ys];
    }
}

/* Row `row` of output o: c (N) (+)= sum over its terms j of op(x_j)[row, :] @ op(y_j). */
static void FN(gemm_loop_row)(const gemm_call *g, int64_t o, int64_t row)
{
    real *c = (real *)g->out + (o * g->m + row) * g->n;
    if (!g->accumulate)
        for (int64_t i = 0; i < g->n; i++) c[i] = 0;
    int64_t x_row = g->x.trans ? 1 : g->k, x_col = g->x.trans ? g->m : 1;
    int64_t y_row = g->y.trans ? 1 : g->n, y_col = g->y.trans ? g->k : 1;
    for (int64_t t = 0; t < gemm_terms(g); t++) {
        int64_t j = g->sum ? t : o;
        const real *x = (const real *)g->x.data + j * g->x.stride + row * x_row;
        const real *y = (const real *)g->y.data + j * g->y.stride;
        for (int64_t kk = 0; kk < g->k; kk++)
            FN(gemm_axpy)(g->n, x[kk * x_col], y + kk * y_row, y_col, c);
    }
}

static void FN(gemm_loop)(const gemm_call *g)
{
    int64_t outputs = gemm_outputs(g), rows = g->m;
#pragma omp parallel for collapse(2) schedule(static) if (gemm_work(g) > OP_PARALLEL_MIN)
    for (int64_t o = 0; o < outputs; o++)
        for (int64_t r = 0; r < rows; r++) FN(gemm_loop_row)(g, o, r);
}

/* One tile of output o: one BLAS call per term, the first overwriting
 * (unless accumulating) and the rest adding (beta = 1). */
static void FN(gemm_blas_tile)(const gemm_call *g, gemm_rect t, int64_t o)
{
    real *c = (real *)g->out + (o * g->m + t.row) * g->n + t.col;
    int ldx = (int)(g->x.trans ? g->m : g->k), ldy = (int)(g->y.trans ? g->k : g->n);
    for (int64_t term = 0; term < gemm_terms(g); term++) {
        int64_t j = g->sum ? term : o;
        const real *x = (const real *)g->x.data + j * g->x.stride + t.row * (g->x.trans ? 1 : g->k);
        const real *y = (const real *)g->y.data + j * g->y.stride + t.col * (g->y.trans ? g->k : 1);
        real beta = term > 0 || g->accumulate ? 1 : 0;
        GEMM_BLAS(CblasRowMajor, blas_trans(g->x.trans), blas_trans(g->y.trans), (int)t.rows,
                  (int)t.cols, (int)g->k, 1, x, ldx, y, ldy, beta, c, (int)g->n);
    }
}

static void FN(gemm_blas)(const gemm_call *g, gemm_tiling tiling)
{
    int64_t tiles = tiling.row_tiles * tiling.col_tiles, items = gemm_outputs(g) * tiles;
#pragma omp parallel if (gemm_work(g) > OP_PARALLEL_MIN)
    {
        /* Sets only this thread's ICV, so each BLAS call below runs on one
         * thread whatever the team size (see the file comment of op_gemm.c). */
        omp_set_num_threads(1);
#pragma omp for schedule(static)
        for (int64_t i = 0; i < items; i++)
            FN(gemm_blas_tile)(g, gemm_tile(g, tiling, i % tiles), i / tiles);
    }
}
