/* norm_kernels.h — the kernels of layer norm and group norm, instantiated for
 * f32 and f64 by float_template.h (no include guard on purpose; the includer
 * defines norm_dims first, see op_norm.h).
 *
 * Both ops see x as (N, C, S) — N samples, C channels, S trailing positions —
 * and normalise each block x[n, g*Cg : (g+1)*Cg, :] of L = Cg*S contiguous
 * elements (Cg = C/G channels of group g) with its own mean and
 * rstd = 1 / sqrt(biased variance + eps), then apply a per-channel affine.
 * Block b = n*G + g starts at element b*L.
 *
 * Not here: argument checks and the tape (op_norm.c).
 *
 * Invariant: every sum runs in double, in increasing index order, inside one
 * thread, so results are bitwise the same for any thread count. Backward
 * kernels accumulate (+=). */

/* mean, rstd (N*G): statistics of each block; two passes (mean, then squared
 * deviations) so that a large mean does not swallow the variance. */
static void FN(norm_stats)(const real *x, norm_dims d, double eps, double *mean, double *rstd)
{
    int64_t blocks = d.n * d.groups, len = d.c / d.groups * d.s;
#pragma omp parallel for schedule(static) if (blocks * len > OP_PARALLEL_MIN)
    for (int64_t b = 0; b < blocks; b++) {
        const real *xb = x + b * len;
        double sum = 0, squares = 0;
        for (int64_t i = 0; i < len; i++) sum += xb[i];
        double m = len ? sum / (double)len : 0;
        for (int64_t i = 0; i < len; i++) squares += (xb[i] - m) * (xb[i] - m);
        mean[b] = m;
        rstd[b] = 1 / sqrt((len ? squares / (double)len : 0) + eps);
    }
}

/* y (N, C, S) = (x - mean) * rstd * gamma[c] + beta[c]; gamma and beta (C)
 * are both NULL for no affine. */
static void FN(norm_forward)(const real *x, const real *gamma, const real *beta, norm_dims d,
                             const double *mean, const double *rstd, real *y)
{
    int64_t blocks = d.n * d.groups, cg = d.c / d.groups;
#pragma omp parallel for schedule(static) if (blocks * cg * d.s > OP_PARALLEL_MIN)
    for (int64_t b = 0; b < blocks; b++) {
        int64_t c0 = b % d.groups * cg, base = b * cg * d.s;
        for (int64_t k = 0; k < cg; k++) {
            double scale = rstd[b] * (gamma ? gamma[c0 + k] : 1), shift = beta ? beta[c0 + k] : 0;
            for (int64_t s = base + k * d.s; s < base + (k + 1) * d.s; s++)
                y[s] = (real)((x[s] - mean[b]) * scale + shift);
        }
    }
}

/* dx (N, C, S) += rstd * (g - mean(g) - x_hat * mean(g * x_hat)) over each
 * block, where g = dy * gamma[c] is the gradient of x_hat. */
static void FN(norm_backward_x)(const real *x, const real *gamma, const real *dy, norm_dims d,
                                const double *mean, const double *rstd, real *dx)
{
    int64_t blocks = d.n * d.groups, cg = d.c / d.groups, len = cg * d.s;
    if (len == 0) return; /* no element to differentiate, and no mean of nothing */
#pragma omp parallel for schedule(static) if (blocks * len > OP_PARALLEL_MIN)
    for (int64_t b = 0; b < blocks; b++) {
        int64_t c0 = b % d.groups * cg, base = b * len;
        double sum_g = 0, sum_gx = 0;
        for (int64_t k = 0; k < cg; k++) {
            double scale = gamma ? gamma[c0 + k] : 1;
            for (int64_t i = base + k * d.s; i < base + (k + 1) * d.s; i++) {
                sum_g += dy[i] * scale;
                sum_gx += dy[i] * scale * (x[i] - mean[b]) * rstd[b];
            }
        }
        double mean_g = sum_g / (double)len, mean_gx = sum_gx / (double)len;
        for (int64_t k = 0; k < cg; k++) {
            double scale = gamma ? gamma[c0 + k] : 1;
            for (int64_t i = base + k * d.s; i < base + (k + 1) * d.s; i++) {
                double x_hat = (x[i] - mean[b]) * rstd[b];
                dx[i] += (real)(rstd[b] * (dy[i] * scale - mean_g - x_hat * mean_gx));
            }
        }
    }
}

/* Channels per task of norm_backward_affine: a fixed partition, so the
 * result does not depend on the thread count. */
#ifndef NORM_CHANNEL_BLOCK
#define NORM_CHANNEL_BLOCK 16
#endif

/* dgamma (C) += sum over n, s of dy * x_hat; dbeta (C) += sum of dy. Either
 * may be NULL. Each channel sums over n then s in increasing order; a task
 * owns NORM_CHANNEL_BLOCK channels and walks x row by row, so rows of a
 * layer norm (S = 1) are read contiguously. */
static void FN(norm_backward_affine)(const real *x, const real *dy, norm_dims d, const double *mean,
                                     const double *rstd, real *dgamma, real *dbeta)
{
    int64_t tasks = (d.c + NORM_CHANNEL_BLOCK - 1) / NORM_CHANNEL_BLOCK, cg = d.c / d.groups;
#pragma omp parallel for schedule(static) if (d.n * d.c * d.s > OP_PARALLEL_MIN)
    for (int64_t t = 0; t < tasks; t++) {
        int64_t c0 = t * NORM_CHANNEL_BLOCK;
        int64_t width = d.c - c0 < NORM_CHANNEL_BLOCK ? d.c - c0 : NORM_CHANNEL_BLOCK;
        double sum_gx[NORM_CHANNEL_BLOCK] = {0}, sum_g[NORM_CHANNEL_BLOCK] = {0};
        for (int64_t n = 0; n < d.n; n++) {
            for (int64_t k = 0; k < width; k++) {
                int64_t b = n * d.groups + (c0 + k) / cg, base = (n * d.c + c0 + k) * d.s;
                for (int64_t i = base; i < base + d.s; i++) {
                    sum_gx[k] += dy[i] * (x[i] - mean[b]) * rstd[b];
                    sum_g[k] += dy[i];
                }
            }
        }
        for (int64_t k = 0; k < width; k++) {
            if (dgamma) dgamma[c0 + k] += (real)sum_gx[k];
            if (dbeta) dbeta[c0 + k] += (real)sum_g[k];
        }
    }
}
