/* quantile.c — linear-interpolation quantiles (quantile.h). */
#include <math.h>

#include "quantile.h"

double quantile_sorted(const double *sorted, int64_t n, double q)
{
    if (n == 0) return NAN;
    double position = q * (double)(n - 1);
    int64_t below = (int64_t)floor(position);
    if (below >= n - 1) return sorted[n - 1];
    double frac = position - (double)below;
    return sorted[below] + frac * (sorted[below + 1] - sorted[below]);
}
