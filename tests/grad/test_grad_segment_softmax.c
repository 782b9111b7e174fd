/* test_grad_segment_softmax.c — segment_softmax: hand-computed weights,
 * values against a naive loop, stability for large inputs, weights summing
 * to 1, gradients by finite differences (f64) with empty and single-row
 * segments and trailing dims (E), (E, H), (E, C, 3), f32 against f64,
 * determinism across threads on a QM9-batch-sized graph, E = 0, bad input. */
#include <math.h>

#include "test_support.h"

static s3f_status softmax(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    return s3f_segment_softmax(ctx, in[0], in[1], out);
}

/* Six segments over seven rows: [], [0], [1, 2, 3], [], [4, 5, 6], []. */
static const int32_t k_offsets[] = {0, 0, 1, 4, 4, 7, 7};
enum { K_SEGMENTS = 6, K_ROWS = 7 };

/* The softmax of every segment and trailing position, computed plainly. */
static s3f_tensor *naive(const s3f_tensor *x, const s3f_tensor *offsets)
{
    const int32_t *off = offsets->data;
    int64_t S = offsets->shape.d[0] - 1, D = s3f_tensor_numel(x) / x->shape.d[0];
    s3f_tensor *out;
    assert_ok(s3f_tensor_create(x->dtype, x->shape, &out));
    for (int64_t s = 0; s < S; s++)
        for (int64_t d = 0; d < D; d++) {
            double m = -INFINITY, z = 0;
            for (int32_t e = off[s]; e < off[s + 1]; e++) m = fmax(m, s3f_tensor_get(x, e * D + d));
            for (int32_t e = off[s]; e < off[s + 1]; e++)
                z += exp(s3f_tensor_get(x, e * D + d) - m);
            for (int32_t e = off[s]; e < off[s + 1]; e++)
                s3f_tensor_set(out, e * D + d, exp(s3f_tensor_get(x, e * D + d) - m) / z);
        }
    return out;
}

/* Segments {0, ln 3}, {7}, {1000, 1001} and {-1000, 1000}: exp would
 * overflow without the max subtracted, or with a max that missed a row. */
static void test_hand_computed(void **state)
{
    int32_t o[] = {0, 2, 3, 5, 7};
    double v[] = {0, log(3.0), 7, 1000, 1001, -1000, 1000};
    double e = exp(1.0), want[] = {0.25, 0.75, 1, 1 / (1 + e), e / (1 + e), 0, 1};
    s3f_tensor *offsets = ts_index(5, o), *y;
    for (int k = 0; k < 2; k++) {
        s3f_tensor *x = ts_from(k ? S3F_F32 : S3F_F64, S3F_SHAPE(7), v);
        assert_ok(s3f_segment_softmax(ts_ctx(), x, offsets, &y));
        for (int i = 0; i < 7; i++)
            assert_true(fabs(s3f_tensor_get(y, i) - want[i]) <= (k ? 1e-6 : 1e-15));
        s3f_ctx_reset(ts_ctx());
        s3f_tensor_destroy(x);
    }
    s3f_tensor_destroy(offsets);
}

/* Against the naive loop, and each (segment, position) sums to 1. */
static void test_values(void **state)
{
    s3f_tensor *offsets = ts_index(K_SEGMENTS + 1, k_offsets), *y;
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(K_ROWS, 2, 3), 3, -30, 30, false);
    s3f_tensor *want = naive(x, offsets);
    assert_ok(s3f_segment_softmax(ts_ctx(), x, offsets, &y));
    ts_assert_close(y, want, 1e-15, 1e-14);
    for (int s = 0; s < K_SEGMENTS; s++) {
        if (k_offsets[s] == k_offsets[s + 1]) continue;
        for (int d = 0; d < 6; d++) {
            double total = 0;
            for (int e = k_offsets[s]; e < k_offsets[s + 1]; e++)
                total += s3f_tensor_get(y, e * 6 + d);
            assert_true(fabs(total - 1) < 1e-14);
        }
    }
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {offsets, x, want};
    ts_destroy_all(3, all);
}

static void test_gradients(void **state)
{
    s3f_tensor *offsets = ts_index(K_SEGMENTS + 1, k_offsets);
    s3f_shape shapes[] = {S3F_SHAPE(K_ROWS), S3F_SHAPE(K_ROWS, 4), S3F_SHAPE(K_ROWS, 2, 3)};
    for (int k = 0; k < 3; k++) {
        s3f_tensor *x = ts_random(S3F_F64, shapes[k], 50 + k, -3, 3, true);
        s3f_tensor *in[] = {x, offsets};
        ts_gradcheck(softmax, NULL, 2, in, 0, 0);
        ts_assert_f32_matches_f64(softmax, NULL, 2, in, 1e-6);
        ts_assert_accumulates(softmax, NULL, in);
        s3f_tensor_destroy(x);
    }
    s3f_tensor_destroy(offsets);
}

/* 4,300 segments, about 9,000 rows, 8 heads: past OP_PARALLEL_MIN. */
static void test_deterministic(void **state)
{
    s3f_tensor *offsets = ts_random_offsets(4300, 29);
    int64_t E = ((int32_t *)offsets->data)[4300];
    s3f_tensor *x = ts_random(S3F_F32, S3F_SHAPE(E, 8), 30, -4, 4, true);
    s3f_tensor *in[] = {x, offsets};
    ts_assert_deterministic(softmax, NULL, 2, in);
    s3f_tensor_destroy(x);
    s3f_tensor_destroy(offsets);
}

static void test_zero_size(void **state)
{
    int32_t o[] = {0, 0, 0};
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(0, 4), 1, -1, 1, true), *y, *seed;
    s3f_tensor *offsets = ts_index(3, o);
    assert_ok(s3f_segment_softmax(ts_ctx(), x, offsets, &y));
    assert_int_equal(y->shape.d[0], 0);
    assert_int_equal(y->shape.d[1], 4);
    assert_ok(s3f_tensor_create(S3F_F64, y->shape, &seed));
    assert_ok(s3f_backward_from(ts_ctx(), y, seed));
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {x, offsets, seed};
    ts_destroy_all(3, all);
}

static void test_bad_input(void **state)
{
    s3f_ctx_t *ctx = ts_ctx();
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(5, 2), 1, 0, 1, false), *y, *wide, *ints;
    int32_t start[] = {2, 5}, falls[] = {0, 4, 3, 5}, short_end[] = {0, 4};
    s3f_tensor *bad_start = ts_index(2, start), *bad_order = ts_index(4, falls);
    s3f_tensor *bad_end = ts_index(2, short_end);
    assert_fails(s3f_segment_softmax(ctx, x, bad_start, &y), S3F_ERR_ARG, "segment_softmax",
                 "offsets[0] = 2");
    assert_fails(s3f_segment_softmax(ctx, x, bad_order, &y), S3F_ERR_ARG, "offsets[2] = 3");
    assert_fails(s3f_segment_softmax(ctx, x, bad_end, &y), S3F_ERR_ARG, "offsets[1] = 4", "5 rows");
    assert_ok(s3f_tensor_create(S3F_I64, S3F_SHAPE(2), &wide));
    assert_ok(s3f_tensor_create(S3F_I32, S3F_SHAPE(5, 2), &ints));
    assert_fails(s3f_segment_softmax(ctx, x, wide, &y), S3F_ERR_DTYPE, "offsets", "i64");
    int32_t ok[] = {0, 5};
    s3f_tensor *good = ts_index(2, ok);
    assert_fails(s3f_segment_softmax(ctx, ints, good, &y), S3F_ERR_DTYPE, "x", "i32");
    s3f_ctx_reset(ctx);
    s3f_tensor *all[] = {x, bad_start, bad_order, bad_end, wide, ints, good};
    ts_destroy_all(7, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed), cmocka_unit_test(test_values),
        cmocka_unit_test(test_gradients),     cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_zero_size),     cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
