/* test_gpu_tensor.c — CUDA tensors against their CPU twins: Philox fills
 * (bitwise for uniform), constant fills and copies both ways. Exits with the
 * skip code, saying why, when no CUDA device is usable. */
#include <math.h>
#include <stdio.h>

#include "test_support.h"

static s3f_tensor *to_cpu(const s3f_tensor *t)
{
    s3f_tensor *c;
    assert_ok(s3f_tensor_create(t->dtype, t->shape, &c));
    assert_ok(s3f_tensor_copy(c, t));
    return c;
}

static void check_uniform(s3f_dtype dtype)
{
    const int64_t n = 1 << 20;
    s3f_tensor *gpu, *cpu;
    assert_ok(s3f_tensor_create_on(dtype, S3F_SHAPE(n), S3F_CUDA, &gpu));
    assert_ok(s3f_tensor_create(dtype, S3F_SHAPE(n), &cpu));
    s3f_rng a = {.seed = 42, .offset = 1000}, b = a;
    assert_ok(s3f_tensor_fill_uniform(gpu, &a, -3, 5));
    assert_ok(s3f_tensor_fill_uniform(cpu, &b, -3, 5));
    assert_int_equal(a.offset, b.offset);
    s3f_tensor *back = to_cpu(gpu);
    ts_assert_bitwise_equal(back, cpu);
    ts_destroy_all(3, (s3f_tensor *[]){gpu, cpu, back});
}

static void test_uniform_f32_bitwise(void **state)
{
    check_uniform(S3F_F32);
}
static void test_uniform_f64_bitwise(void **state)
{
    check_uniform(S3F_F64);
}

static void test_normal_matches_cpu(void **state)
{
    const int64_t n = 1 << 18;
    s3f_tensor *gpu, *cpu;
    assert_ok(s3f_tensor_create_on(S3F_F64, S3F_SHAPE(n), S3F_CUDA, &gpu));
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SHAPE(n), &cpu));
    s3f_rng a = s3f_rng_make(7), b = a;
    assert_ok(s3f_tensor_fill_normal(gpu, &a, 1.0, 2.0));
    assert_ok(s3f_tensor_fill_normal(cpu, &b, 1.0, 2.0));
    s3f_tensor *back = to_cpu(gpu);
    ts_assert_close(back, cpu, 1e-12, 1e-12);
    ts_destroy_all(3, (s3f_tensor *[]){gpu, cpu, back});
}

static void test_fill_and_copy_round_trip(void **state)
{
    s3f_tensor *gpu, *src = ts_random(S3F_F32, S3F_SHAPE(1000, 3), 5, -1, 1, false);
    assert_ok(s3f_tensor_create_on(S3F_BF16, S3F_SHAPE(7), S3F_CUDA, &gpu));
    assert_ok(s3f_tensor_fill(gpu, 1.5));
    s3f_tensor *back = to_cpu(gpu);
    for (int i = 0; i < 7; i++) assert_true(s3f_tensor_get(back, i) == 1.5);
    ts_destroy_all(2, (s3f_tensor *[]){gpu, back});

    assert_ok(s3f_tensor_create_on(S3F_F32, src->shape, S3F_CUDA, &gpu));
    assert_ok(s3f_tensor_copy(gpu, src));
    back = to_cpu(gpu);
    ts_assert_bitwise_equal(back, src);
    ts_destroy_all(3, (s3f_tensor *[]){gpu, back, src});
}

int main(void)
{
    if (s3f_cuda_device_count() == 0) {
        printf("skipped: no usable CUDA device (%s)\n", s3f_cuda_unavailable_reason());
        return TS_SKIP_CODE;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform_f32_bitwise),
        cmocka_unit_test(test_uniform_f64_bitwise),
        cmocka_unit_test(test_normal_matches_cpu),
        cmocka_unit_test(test_fill_and_copy_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
