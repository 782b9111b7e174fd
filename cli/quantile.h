/* quantile.h — quantiles of sorted samples, as NumPy's default (linear
 * interpolation between the closest ranks). Used by bench (latency
 * percentiles) and compare (bootstrap intervals). */
#ifndef SE3FLOW_CLI_QUANTILE_H
#define SE3FLOW_CLI_QUANTILE_H

#include <stdint.h>

/* The q-quantile (0 <= q <= 1) of n ascending values; NaN when n is 0. */
double quantile_sorted(const double *sorted, int64_t n, double q);

#endif
