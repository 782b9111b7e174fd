/* schedule.c — closed forms of the learning-rate schedules (schedule.h). */
#include <math.h>

#include "se3flow/schedule.h"

#define PI 3.14159265358979323846

s3f_status s3f_schedule_check(const s3f_schedule *s)
{
    if (s->kind != S3F_SCHEDULE_COSINE_RESTARTS && s->kind != S3F_SCHEDULE_CONSTANT &&
        s->kind != S3F_SCHEDULE_WARMUP_COSINE)
        return s3f_fail(S3F_ERR_ARG, "schedule: unknown kind %d", (int)s->kind);
    if (!(s->lr > 0) || !(s->min_lr >= 0) || s->min_lr > s->lr)
        return s3f_fail(S3F_ERR_ARG, "schedule: need 0 <= min_lr (%g) <= lr (%g) and lr > 0",
                        s->min_lr, s->lr);
    if (s->period <= 0) return s3f_fail(S3F_ERR_ARG, "schedule: period must be positive");
    if (s->kind == S3F_SCHEDULE_WARMUP_COSINE && (s->warmup < 0 || s->warmup >= s->period))
        return s3f_fail(S3F_ERR_ARG,
                        "schedule: warm-up (%lld) must be shorter than the period (%lld)",
                        (long long)s->warmup, (long long)s->period);
    return S3F_OK;
}

static double cosine(double lr, double min_lr, double fraction)
{
    return min_lr + (lr - min_lr) * (1 + cos(PI * fraction)) / 2;
}

double s3f_schedule_lr(const s3f_schedule *s, int64_t t)
{
    switch (s->kind) {
    case S3F_SCHEDULE_CONSTANT:
        return s->lr;
    case S3F_SCHEDULE_COSINE_RESTARTS:
        return cosine(s->lr, s->min_lr, (double)(t % s->period) / (double)s->period);
    case S3F_SCHEDULE_WARMUP_COSINE:
        if (t < s->warmup) return s->lr * (double)(t + 1) / (double)s->warmup;
        if (t >= s->period) return s->min_lr;
        return cosine(s->lr, s->min_lr, (double)(t - s->warmup) / (double)(s->period - s->warmup));
    }
    return s->lr;
}
