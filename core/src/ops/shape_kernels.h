/* shape_kernels.h — the kernels of reshape and permute, instantiated for f32
 * and f64 by float_template.h (no include guard on purpose; the includer
 * defines perm_plan first).
 *
 * A permute walks its output in row-major order; p->stride[k] is how far x
 * moves when output axis k steps by one (x's stride along axis perm[k]).
 * Shapes are padded at the front to S3F_MAX_DIMS axes of size 1. The map
 * from output to x is a bijection, so the scatter below writes every dx
 * element from exactly one thread. Backward kernels accumulate. */

/* dst (n) += src (n): reshape's backward (same elements, other shape). */
static void FN(reshape_backward)(const real *src, real *dst, int64_t n)
{
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) dst[i] += src[i];
}

/* Offset in x of the first element of output row `row` (all axes but the
 * last). */
static int64_t FN(perm_row_offset)(const perm_plan *p, int64_t row)
{
    int64_t offset = 0;
    for (int k = S3F_MAX_DIMS - 2; k >= 0; k--) {
        offset += row % p->size[k] * p->stride[k];
        row /= p->size[k];
    }
    return offset;
}

/* out[o] = x[map(o)] */
static void FN(permute_forward)(const real *x, real *out, const perm_plan *p)
{
    int64_t rows = p->rows, len = p->size[S3F_MAX_DIMS - 1], step = p->stride[S3F_MAX_DIMS - 1];
#pragma omp parallel for schedule(static) if (rows * len > OP_PARALLEL_MIN)
    for (int64_t r = 0; r < rows; r++) {
        const real *src = x + FN(perm_row_offset)(p, r);
        for (int64_t j = 0; j < len; j++) out[r * len + j] = src[j * step];
    }
}

/* dx[map(o)] += dy[o]: the inverse permutation, as a scatter. */
static void FN(permute_backward)(const real *dy, real *dx, const perm_plan *p)
{
    int64_t rows = p->rows, len = p->size[S3F_MAX_DIMS - 1], step = p->stride[S3F_MAX_DIMS - 1];
#pragma omp parallel for schedule(static) if (rows * len > OP_PARALLEL_MIN)
    for (int64_t r = 0; r < rows; r++) {
        real *dst = dx + FN(perm_row_offset)(p, r);
        for (int64_t j = 0; j < len; j++) dst[j * step] += dy[r * len + j];
    }
}
