/* vector_norm_kernels.h — kernels of vector_norm, instantiated for f32 and
 * f64 by float_template.h (no include guard on purpose).
 *
 * x is (rows, d): one norm per row, summed in double in increasing order by
 * one thread. Backward accumulates (+=). */

/* y (rows) = max(||x (rows, d)||, min_norm); norm (rows), when not NULL,
 * keeps the unclamped norms for backward. A NaN norm stays NaN. */
static void FN(vector_norm_forward)(const real *x, real *y, double *norm, int64_t rows, int64_t d,
                                    double min_norm)
{
#pragma omp parallel for schedule(static) if (rows * d > OP_PARALLEL_MIN)
    for (int64_t r = 0; r < rows; r++) {
        const real *v = x + r * d;
        double s = 0;
        for (int64_t k = 0; k < d; k++) s += (double)v[k] * v[k];
        double n = sqrt(s);
        if (norm) norm[r] = n;
        y[r] = (real)(n < min_norm ? min_norm : n);
    }
}

/* dx (rows, d) += dy (rows) x / ||x|| where the norm passed the clamp
 * (||x|| >= min_norm) and is not 0; nothing elsewhere. */
static void FN(vector_norm_backward)(const real *x, const double *norm, const real *dy, real *dx,
                                     int64_t rows, int64_t d, double min_norm)
{
#pragma omp parallel for schedule(static) if (rows * d > OP_PARALLEL_MIN)
    for (int64_t r = 0; r < rows; r++) {
        if (!(norm[r] >= min_norm && norm[r] > 0)) continue;
        real g = (real)(dy[r] / norm[r]);
        for (int64_t k = 0; k < d; k++) dx[r * d + k] += g * x[r * d + k];
    }
}
