/* test_schedule.c — learning rates per epoch against SPEC §15.3's closed
 * form (the reference's CosineAnnealingWarmRestarts), and the other kinds. */
#include <math.h>

#include "se3flow/schedule.h"
#include "test_support.h"

static void test_reference_cosine(void **state)
{
    /* train.sh: lr 0.002, 100 epochs, min_lr = lr / 10 */
    s3f_schedule s = {S3F_SCHEDULE_COSINE_RESTARTS, 0.002, 0.0002, 100, 0};
    assert_ok(s3f_schedule_check(&s));
    assert_true(s3f_schedule_lr(&s, 0) == 0.002);
    assert_true(fabs(s3f_schedule_lr(&s, 50) - 0.0011) < 1e-18); /* halfway: the mean */
    for (int e = 0; e < 100; e++) {
        double want = 0.0002 + (0.002 - 0.0002) * (1 + cos(M_PI * e / 100.0)) / 2;
        assert_true(fabs(s3f_schedule_lr(&s, e) - want) < 1e-18);
    }
    assert_true(s3f_schedule_lr(&s, 100) == 0.002); /* a restart after T_0 */
    assert_true(s3f_schedule_lr(&s, 99) > 0.0002 && s3f_schedule_lr(&s, 99) < 0.00021);
}

static void test_constant_and_warmup(void **state)
{
    s3f_schedule c = {S3F_SCHEDULE_CONSTANT, 0.01, 0, 5, 0};
    assert_true(s3f_schedule_lr(&c, 3) == 0.01);
    s3f_schedule w = {S3F_SCHEDULE_WARMUP_COSINE, 0.01, 0.001, 10, 4};
    assert_ok(s3f_schedule_check(&w));
    assert_true(fabs(s3f_schedule_lr(&w, 0) - 0.0025) < 1e-18);
    assert_true(fabs(s3f_schedule_lr(&w, 3) - 0.01) < 1e-18);
    assert_true(fabs(s3f_schedule_lr(&w, 4) - 0.01) < 1e-15); /* cosine starts at the peak */
    assert_true(fabs(s3f_schedule_lr(&w, 7) - 0.0055) < 1e-15);
    assert_true(s3f_schedule_lr(&w, 10) == 0.001 && s3f_schedule_lr(&w, 50) == 0.001);
}

static void test_bad_schedules(void **state)
{
    s3f_schedule s = {S3F_SCHEDULE_COSINE_RESTARTS, 0.001, 0.01, 10, 0};
    assert_fails(s3f_schedule_check(&s), S3F_ERR_ARG, "min_lr");
    s = (s3f_schedule){S3F_SCHEDULE_WARMUP_COSINE, 0.01, 0, 10, 10};
    assert_fails(s3f_schedule_check(&s), S3F_ERR_ARG, "warm-up");
    s = (s3f_schedule){S3F_SCHEDULE_CONSTANT, 0.01, 0, 0, 0};
    assert_fails(s3f_schedule_check(&s), S3F_ERR_ARG, "period");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_cosine),
        cmocka_unit_test(test_constant_and_warmup),
        cmocka_unit_test(test_bad_schedules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
