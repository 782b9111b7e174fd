/* compare_stats.c — paired bootstrap of two models' errors (compare_stats.h). */
#include <math.h>
#include <stdlib.h>

#include "compare_stats.h"
#include "quantile.h"
#include "se3flow/rng.h"

static int by_value(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* The mean of d over n indices drawn with replacement (resample r). */
static double resample_mean(const double *d, int64_t n, uint64_t seed, int r)
{
    double sum = 0;
    for (int64_t j = 0; j < n; j++) {
        uint32_t words[4];
        s3f_philox4x32((uint64_t)j, (uint64_t)r, seed, words);
        uint64_t draw = ((uint64_t)words[0] << 32) | words[1];
        sum += d[draw % (uint64_t)n];
    }
    return sum / (double)n;
}

/* Paired differences of the molecules with both errors known; fills counts. */
static int64_t differences(const double *a, const double *b, int64_t n, double *d,
                           paired_result *out)
{
    int64_t m = 0, a_better = 0, b_better = 0;
    double sum_a = 0, sum_b = 0;
    for (int64_t i = 0; i < n; i++) {
        if (isnan(a[i]) || isnan(b[i])) continue;
        d[m++] = a[i] - b[i];
        sum_a += a[i], sum_b += b[i];
        a_better += a[i] < b[i];
        b_better += b[i] < a[i];
    }
    if (m == 0) return 0;
    out->mean_a = sum_a / (double)m, out->mean_b = sum_b / (double)m;
    out->diff = out->mean_a - out->mean_b;
    out->a_better = (double)a_better / (double)m;
    out->b_better = (double)b_better / (double)m;
    out->ties = 1.0 - out->a_better - out->b_better;
    return m;
}

s3f_status paired_compare(const double *err_a, const double *err_b, int64_t n, uint64_t seed,
                          paired_result *out)
{
    double *d = malloc((size_t)(n > 0 ? n : 1) * sizeof *d);
    double *means = malloc(COMPARE_BOOTSTRAP_RESAMPLES * sizeof *means);
    s3f_status rc = S3F_OK;
    if (!d || !means) S3F_TRY(s3f_fail(S3F_ERR_NOMEM, "out of memory"));
    paired_result r = {0};
    r.resamples = COMPARE_BOOTSTRAP_RESAMPLES;
    r.n = differences(err_a, err_b, n, d, &r);
    if (r.n == 0)
        S3F_TRY(s3f_fail(S3F_ERR_ARG, "no molecule has a known target: nothing to compare"));
    for (int k = 0; k < r.resamples; k++) means[k] = resample_mean(d, r.n, seed, k);
    qsort(means, (size_t)r.resamples, sizeof *means, by_value);
    r.ci_low = quantile_sorted(means, r.resamples, 0.025);
    r.ci_high = quantile_sorted(means, r.resamples, 0.975);
    *out = r;
fail:
    free(d);
    free(means);
    return rc;
}
