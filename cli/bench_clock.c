/* bench_clock.c — batch timing and its figures (bench_clock.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_clock.h"
#include "quantile.h"

double bench_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return 1e3 * (double)t.tv_sec + 1e-6 * (double)t.tv_nsec;
}

void bench_clock_start(bench_clock *c)
{
    c->previous_ms = bench_now_ms();
}

/* Sets boundary n (0: the first timed batch's start; i: batch i's end). */
static s3f_status put_stamp(bench_clock *c, int64_t n, double ms)
{
    if (n + 1 > c->capacity) {
        int64_t cap = c->capacity ? 2 * c->capacity : 1024;
        double *s = realloc(c->stamps, (size_t)cap * sizeof *s);
        if (!s) return s3f_fail(S3F_ERR_NOMEM, "out of memory");
        c->stamps = s, c->capacity = cap;
    }
    c->stamps[n] = ms;
    return S3F_OK;
}

s3f_status bench_clock_batch(bench_clock *c, int64_t epoch, int64_t molecules, bool *done)
{
    double now = bench_now_ms(), before = c->previous_ms;
    c->previous_ms = now;
    bool warmup = epoch < c->warmup_epochs || c->batches_seen++ < c->warmup_batches;
    if (warmup || (c->max_timed && c->timed >= c->max_timed)) return S3F_OK;
    if (c->timed == 0) S3F_RETURN_IF_ERR(put_stamp(c, 0, before));
    S3F_RETURN_IF_ERR(put_stamp(c, c->timed + 1, now));
    c->timed++;
    c->molecules += molecules;
    *done = c->max_timed && c->timed >= c->max_timed;
    return S3F_OK;
}

static int by_value(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

s3f_status bench_clock_figures(const bench_clock *c, int batch_size, bench_figures *out)
{
    if (c->timed == 0)
        return s3f_fail(S3F_ERR_ARG, "no batch was timed: the warm-up took the whole run "
                                     "(give more --epochs or --steps, or less --warmup)");
    double *deltas = malloc((size_t)c->timed * sizeof *deltas), sum = 0;
    if (!deltas) return s3f_fail(S3F_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < c->timed; i++) {
        deltas[i] = c->stamps[i + 1] - c->stamps[i];
        sum += deltas[i];
    }
    qsort(deltas, (size_t)c->timed, sizeof *deltas, by_value);
    double total = c->stamps[c->timed] - c->stamps[0], mean = sum / (double)c->timed;
    *out = (bench_figures){c->timed,
                           c->molecules,
                           mean > 0 ? batch_size / mean : INFINITY,
                           total > 0 ? (double)c->molecules / total : INFINITY,
                           mean,
                           quantile_sorted(deltas, c->timed, 0.90),
                           quantile_sorted(deltas, c->timed, 0.95),
                           quantile_sorted(deltas, c->timed, 0.99),
                           total};
    free(deltas);
    return S3F_OK;
}

void bench_clock_free(bench_clock *c)
{
    free(c->stamps);
    memset(c, 0, sizeof *c);
}
