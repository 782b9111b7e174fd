/* unary_kernels.h — per-element kernels of the unary ops, instantiated for
 * f32 and f64 by float_template.h (no include guard on purpose).
 * Backward kernels accumulate: dx += dy * f'(x). */

static void FN(scale_forward)(const real *x, real *y, int64_t n, real alpha)
{
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) y[i] = alpha * x[i];
}

static void FN(scale_backward)(const real *dy, real *dx, int64_t n, real alpha)
{
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) dx[i] += alpha * dy[i];
}

static void FN(relu_forward)(const real *x, real *y, int64_t n)
{
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
}

static void FN(relu_backward)(const real *x, const real *dy, real *dx, int64_t n)
{
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) dx[i] += x[i] > 0 ? dy[i] : 0;
}

static void FN(sigmoid_forward)(const real *x, real *y, int64_t n)
{
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) {
        /* never exponentiate a large positive number */
        real e = exp(-fabs((double)x[i]));
        y[i] = x[i] >= 0 ? 1 / (1 + e) : e / (1 + e);
    }
}

/* uses the forward output y: s' = s (1 - s) */
static void FN(sigmoid_backward)(const real *y, const real *dy, real *dx, int64_t n)
{
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) dx[i] += dy[i] * y[i] * (1 - y[i]);
}

static void FN(exp_forward)(const real *x, real *y, int64_t n)
{
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) y[i] = exp((double)x[i]);
}

/* uses the forward output y: exp' = exp */
static void FN(exp_backward)(const real *y, const real *dy, real *dx, int64_t n)
{
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) dx[i] += dy[i] * y[i];
}

static void FN(sqrt_forward)(const real *x, real *y, int64_t n)
{
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) y[i] = sqrt((double)x[i]);
}

/* uses the forward output y: sqrt'(x) = 1 / (2 sqrt(x)) */
static void FN(sqrt_backward)(const real *y, const real *dy, real *dx, int64_t n)
{
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) dx[i] += dy[i] / (2 * y[i]);
}

static void FN(clamp_forward)(const real *x, real *y, int64_t n, double lo, double hi)
{
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) y[i] = (real)fmin(fmax((double)x[i], lo), hi);
}

static void FN(clamp_backward)(const real *x, const real *dy, real *dx, int64_t n, double lo,
                               double hi)
{
#pragma omp parallel for schedule(static) if (n > OP_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) dx[i] += (x[i] >= lo && x[i] <= hi) ? dy[i] : 0;
}
