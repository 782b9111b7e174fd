/* loss_kernels.h — kernels of l1_loss and mse_loss, instantiated for f32 and
 * f64 by float_template.h (no include guard on purpose).
 *
 * The forward pass sums per-element terms of d = pred - target (in double)
 * over fixed blocks in parallel, then the block sums in order; the blocks
 * depend on n alone, so the result is the same for any thread count.
 * Backward accumulates (+=) into whichever of dpred, dtarget is not NULL. */

/* Sums |d| (squared = false) or d^2 over blocks; *y = sum / n. */
static void FN(loss_forward)(const real *p, const real *t, real *y, int64_t n, bool squared)
{
    int64_t len = loss_block_len(n), blocks = (n + len - 1) / len;
    double part[LOSS_BLOCKS], s = 0;
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t k = 0; k < blocks; k++) {
        int64_t end = (k + 1) * len < n ? (k + 1) * len : n;
        double b = 0;
        for (int64_t i = k * len; i < end; i++) {
            double d = (double)p[i] - (double)t[i];
            b += squared ? d * d : fabs(d);
        }
        part[k] = b;
    }
    for (int64_t k = 0; k < blocks; k++) s += part[k];
    *y = (real)(s / (double)n);
}

/* dpred += g * f'(d), dtarget -= g * f'(d), with g = dy / n and f'(d) =
 * sign(d) (0 at 0) for l1 or 2 d for mse. */
static void FN(loss_backward)(const real *p, const real *t, const real *dy, real *dp, real *dt,
                              int64_t n, bool squared)
{
    real g = (real)((double)dy[0] / (double)n);
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) {
        real d = p[i] - t[i];
        real v = squared ? 2 * g * d : (d > 0 ? g : d < 0 ? -g : 0);
        if (dp) dp[i] += v;
        if (dt) dt[i] -= v;
    }
}
