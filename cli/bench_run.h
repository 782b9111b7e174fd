/* bench_run.h — the timed loops of `se3flow bench`: training (the real
 * trainer, s3f_train, with a constant learning rate and no checkpoints, as
 * the reference's benchmark mode has no LR schedule) or inference (forward
 * passes without gradients over the shuffled training split, as the
 * reference's inference benchmark). Both feed a bench_clock at every batch. */
#ifndef SE3FLOW_CLI_BENCH_RUN_H
#define SE3FLOW_CLI_BENCH_RUN_H

#include "bench_clock.h"
#include "model_session.h"

typedef struct bench_plan {
    bool train;     /* false: inference */
    int batch_size; /* > 0 */
    int64_t epochs; /* upper bound on epochs (the clock may stop earlier) */
} bench_plan;

/* Runs the plan on a session opened from a recipe (fresh weights). The
 * step arena's peak goes to *arena_peak. */
s3f_status bench_run(model_session *s, const bench_plan *plan, bench_clock *clock,
                     size_t *arena_peak);

#endif
