/* schedule.h — learning-rate schedules, as closed forms of the step index.
 *
 * `t` counts epochs (the reference steps its scheduler once per epoch) or
 * optimizer steps, as the runtime chooses; `period` is in the same unit.
 *
 *   COSINE_RESTARTS  torch's CosineAnnealingWarmRestarts(T_0 = period,
 *                    T_mult = 1, eta_min = min_lr) — the reference's (SPEC
 *                    §15.3): lr_t = min + (lr - min) (1 + cos(pi (t mod T)/T)) / 2
 *   CONSTANT         lr_t = lr
 *   WARMUP_COSINE    linear warm-up from lr/warmup to lr over `warmup`
 *                    units, then one cosine from lr to min_lr over the rest
 *                    of `period` (min_lr after it). */
#ifndef SE3FLOW_SCHEDULE_H
#define SE3FLOW_SCHEDULE_H

#include <stdint.h>

#include "se3flow/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum s3f_schedule_kind {
    S3F_SCHEDULE_COSINE_RESTARTS = 0,
    S3F_SCHEDULE_CONSTANT = 1,
    S3F_SCHEDULE_WARMUP_COSINE = 2,
} s3f_schedule_kind;

typedef struct s3f_schedule {
    s3f_schedule_kind kind;
    double lr;      /* base (peak) learning rate */
    double min_lr;  /* floor of the cosine */
    int64_t period; /* cosine length (T_0), > 0 */
    int64_t warmup; /* WARMUP_COSINE only, 0 <= warmup < period */
} s3f_schedule;

/* Checks the fields; S3F_ERR_ARG naming the bad one. */
S3F_API s3f_status s3f_schedule_check(const s3f_schedule *s);
/* The learning rate used during unit t (t >= 0). */
S3F_API double s3f_schedule_lr(const s3f_schedule *s, int64_t t);

#ifdef __cplusplus
}
#endif
#endif
