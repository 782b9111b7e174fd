/* stats.c — the normalisation of SPEC §14.5 as the reference computes it:
 * NumPy's mean and population std (ddof 0) of the task's column over the
 * training split, "in the array's dtype".
 *
 * NumPy sums with pairwise summation (its add.reduce inner loop: below 8
 * values a plain loop; up to 128, eight interleaved accumulators combined as
 * ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) plus the tail; above, the two halves
 * with the split rounded down to a multiple of 8). For an f32 column every
 * operation rounds to f32: computing each one in double and rounding the
 * result gives exactly the f32 operation (double holds more than twice f32's
 * precision), so one code path serves both widths. */
#include <math.h>
#include <stdlib.h>

#include "qm9.h"

#define PAIRWISE_BLOCK 128

static double rnd(double x, bool f32)
{
    return f32 ? (double)(float)x : x;
}

static double pairwise_sum(const double *a, int64_t n, bool f32)
{
    if (n < 8) {
        double res = 0;
        for (int64_t i = 0; i < n; i++) res = rnd(res + a[i], f32);
        return res;
    }
    if (n <= PAIRWISE_BLOCK) {
        double r[8];
        int64_t i;
        for (int j = 0; j < 8; j++) r[j] = a[j];
        for (i = 8; i < n - n % 8; i += 8)
            for (int j = 0; j < 8; j++) r[j] = rnd(r[j] + a[i + j], f32);
        double lo = rnd(rnd(r[0] + r[1], f32) + rnd(r[2] + r[3], f32), f32);
        double hi = rnd(rnd(r[4] + r[5], f32) + rnd(r[6] + r[7], f32), f32);
        double res = rnd(lo + hi, f32);
        for (; i < n; i++) res = rnd(res + a[i], f32);
        return res;
    }
    int64_t half = n / 2;
    half -= half % 8;
    return rnd(pairwise_sum(a, half, f32) + pairwise_sum(a + half, n - half, f32), f32);
}

/* np.mean: the sum, divided by the count in the array's dtype. */
static double numpy_mean(const double *x, int64_t n, bool f32)
{
    return rnd(pairwise_sum(x, n, f32) / rnd((double)n, f32), f32);
}

s3f_status qm9_split_stats(const qm9_split *split, const qm9_data *data, int column, double *mean,
                           double *std)
{
    int64_t n = split->size[S3F_SPLIT_TRAIN];
    const int64_t *train = split->order + split->offset[S3F_SPLIT_TRAIN];
    bool f32 = data->targets_f32;
    *mean = *std = 0;
    if (n == 0) return S3F_OK; /* a subset too small to hold a training molecule */
    double *x = calloc((size_t)n, sizeof(double));
    if (!x) return s3f_fail(S3F_ERR_NOMEM, "qm9: out of memory for the target statistics");
    for (int64_t i = 0; i < n; i++) x[i] = data->targets[train[i] * QM9_TARGETS + column];
    double m = numpy_mean(x, n, f32);
    for (int64_t i = 0; i < n; i++) {
        double d = rnd(x[i] - m, f32);
        x[i] = rnd(d * d, f32);
    }
    *mean = m;
    *std = rnd(sqrt(numpy_mean(x, n, f32)), f32);
    free(x);
    return S3F_OK;
}
