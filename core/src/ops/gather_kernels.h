/* gather_kernels.h — row gather and the two CSR row kernels behind
 * scatter-add, instantiated for f32 and f64 by float_template.h (no include
 * guard on purpose).
 *
 * `start` (R+1) and `pos` (n) group the positions i of an index (n) by the
 * row r = index[i] they address: pos[start[r] .. start[r+1]-1] are those i in
 * increasing order (see group_by_row in op_gather.c). Every kernel runs one
 * output row per loop iteration, in a fixed order inside the row, so results
 * do not depend on the thread count. Kernels whose name says so accumulate
 * (+=) into their output. */

/* out (n, D) = x (R, D)[index (n)]; index already validated. */
static void FN(gather_forward)(const real *x, const int32_t *index, real *out, int64_t n, int64_t D)
{
#pragma omp parallel for schedule(static) if (n * D > OP_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) {
        const real *src = x + index[i] * D;
        real *dst = out + i * D;
        for (int64_t d = 0; d < D; d++) dst[d] = src[d];
    }
}

/* rows[r] += src[i] (rows (R, D), src (n, D)) for each i grouped under r,
 * in increasing i: scatter-add forward (rows zeroed first) and gather
 * backward (rows = dx). */
static void FN(rows_accumulate)(const real *src, const int64_t *start, const int64_t *pos,
                                real *rows, int64_t R, int64_t D)
{
    int64_t work = (start[R] + R) * D;
#pragma omp parallel for schedule(static) if (work > OP_PARALLEL_MIN)
    for (int64_t r = 0; r < R; r++) {
        real *dst = rows + r * D;
        for (int64_t k = start[r]; k < start[r + 1]; k++) {
            const real *s = src + pos[k] * D;
            for (int64_t d = 0; d < D; d++) dst[d] += s[d];
        }
    }
}

/* dst[i] += rows[r] (dst (n, D), rows (R, D)) for each i grouped under r:
 * scatter-add backward, a gather. Each i belongs to exactly one r, so the
 * iterations write disjoint rows of dst. */
static void FN(rows_spread_accumulate)(const real *rows, const int64_t *start, const int64_t *pos,
                                       real *dst, int64_t R, int64_t D)
{
    int64_t work = (start[R] + R) * D;
#pragma omp parallel for schedule(static) if (work > OP_PARALLEL_MIN)
    for (int64_t r = 0; r < R; r++) {
        const real *src = rows + r * D;
        for (int64_t k = start[r]; k < start[r + 1]; k++) {
            real *d_row = dst + pos[k] * D;
            for (int64_t d = 0; d < D; d++) d_row[d] += src[d];
        }
    }
}
