/* rowdot_kernels.h — the kernels of rowdot, instantiated for f32 and f64 by
 * float_template.h (no include guard on purpose). Parallel over rows; each
 * row's sum runs over d in increasing order. */

/* out (R) = sum over d of a (R, D) * b (R, D) */
static void FN(rowdot_forward)(const real *a, const real *b, real *out, int64_t rows, int64_t d)
{
#pragma omp parallel for schedule(static) if (rows * d > OP_PARALLEL_MIN)
    for (int64_t r = 0; r < rows; r++) {
        real s = 0;
        for (int64_t i = 0; i < d; i++) s += a[r * d + i] * b[r * d + i];
        out[r] = s;
    }
}

/* dself (R, D) += dout (R) * other (R, D): the gradient of either input,
 * given the other. */
static void FN(rowdot_backward)(const real *dout, const real *other, real *dself, int64_t rows,
                                int64_t d)
{
#pragma omp parallel for schedule(static) if (rows * d > OP_PARALLEL_MIN)
    for (int64_t r = 0; r < rows; r++)
        for (int64_t i = 0; i < d; i++) dself[r * d + i] += dout[r] * other[r * d + i];
}
