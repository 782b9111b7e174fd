/* compare_stats.h — paired comparison of two models' per-molecule errors:
 * the mean difference with a percentile bootstrap 95% confidence interval
 * and the share of molecules where each model is better.
 *
 * Bootstrap: COMPARE_BOOTSTRAP_RESAMPLES resamples of the n molecules with
 * replacement; resample r draws index j from Philox4x32-10 with key `seed`
 * and counter (r, j), so the interval depends only on the errors and the
 * seed. The interval is the 2.5th and 97.5th percentiles (linear
 * interpolation, as NumPy's default) of the resampled mean differences. */
#ifndef SE3FLOW_CLI_COMPARE_STATS_H
#define SE3FLOW_CLI_COMPARE_STATS_H

#include <stdint.h>

#include "se3flow/status.h"

#define COMPARE_BOOTSTRAP_RESAMPLES 2000

typedef struct paired_result {
    int64_t n;              /* molecules with both errors known */
    double mean_a, mean_b;  /* MAE of each over those molecules */
    double diff;            /* mean_a - mean_b: > 0 means B is better */
    double ci_low, ci_high; /* bootstrap 95% interval of diff */
    int resamples;
    double a_better, b_better, ties; /* shares of the n molecules, summing to 1 */
} paired_result;

/* err_a, err_b: (n) per-molecule errors; NaN entries are skipped in both.
 * S3F_ERR_ARG when no molecule has both. S3F_ERR_NOMEM. */
s3f_status paired_compare(const double *err_a, const double *err_b, int64_t n, uint64_t seed,
                          paired_result *out);

#endif
