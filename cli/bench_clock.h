/* bench_clock.h — timing of batches as SPEC §15.6 defines it for the
 * reference's benchmark mode: after the warm-up, the wall time at every
 * batch boundary; `deltas` are differences of consecutive times (they span
 * epoch boundaries too). From them:
 *   throughput (reference)  = batch_size / mean(deltas)   [mol/ms]
 *                             (the last, smaller batch counted as full)
 *   throughput (total)      = molecules timed / total time [mol/ms]
 *   latency mean, p90/p95/p99 of deltas [ms] (linear interpolation).
 * Warm-up is whole epochs (--epochs mode) or batches (--steps mode). */
#ifndef SE3FLOW_CLI_BENCH_CLOCK_H
#define SE3FLOW_CLI_BENCH_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "se3flow/status.h"

typedef struct bench_clock {
    int64_t warmup_epochs;  /* batches of epochs < this are not timed */
    int64_t warmup_batches; /* and not the first this many batches */
    int64_t max_timed;      /* stop after this many timed batches; 0: no limit */
    int64_t batches_seen, timed, molecules;
    double previous_ms; /* the last batch boundary */
    double *stamps;     /* (timed + 1) batch boundaries, ms */
    int64_t capacity;
} bench_clock;

typedef struct bench_figures {
    int64_t batches, molecules;
    double throughput, throughput_total;                        /* mol/ms */
    double latency_mean, latency_p90, latency_p95, latency_p99; /* ms */
    double total_time;                                          /* ms */
} bench_figures;

/* Monotonic milliseconds. */
double bench_now_ms(void);
/* Starts the clock (the first boundary if nothing is warm-up). */
void bench_clock_start(bench_clock *c);
/* A batch of `molecules` of 0-based epoch `epoch` has ended. Sets *done when
 * max_timed batches are timed. S3F_ERR_NOMEM. */
s3f_status bench_clock_batch(bench_clock *c, int64_t epoch, int64_t molecules, bool *done);
/* S3F_ERR_ARG when no batch was timed (warm-up as long as the run). */
s3f_status bench_clock_figures(const bench_clock *c, int batch_size, bench_figures *out);
void bench_clock_free(bench_clock *c);

#endif
