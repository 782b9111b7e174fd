/* test_grad_segment.c — segment_sum, segment_mean, segment_max over CSR
 * offsets: values against a naive loop, gradients by finite differences
 * (f64) with empty segments first, in the middle and last and single-row
 * segments, ties in max, f32 against f64, determinism across threads on a
 * QM9-batch-sized graph, E = 0 and S = 0, trailing dims, and bad offsets. */
#include <math.h>

#include "test_support.h"

typedef enum { SUM, MEAN, MAX } seg_kind;

static s3f_status apply(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    switch (*(seg_kind *)user) {
    case SUM:
        return s3f_segment_sum(ctx, in[0], in[1], out);
    case MEAN:
        return s3f_segment_mean(ctx, in[0], in[1], out);
    case MAX:
        return s3f_segment_max(ctx, in[0], in[1], out);
    }
    return S3F_ERR_ARG;
}

/* Six segments over seven rows: [], [0], [1, 2, 3], [], [4, 5, 6], []. */
static const int32_t k_offsets[] = {0, 0, 1, 4, 4, 7, 7};
enum { K_SEGMENTS = 6, K_ROWS = 7 };

/* The reduction of one segment at one trailing position, computed plainly. */
static double naive_one(seg_kind kind, const s3f_tensor *x, int64_t D, int32_t a, int32_t b,
                        int64_t d)
{
    if (a == b) return 0;
    double acc = kind == MAX ? s3f_tensor_get(x, a * D + d) : 0;
    for (int32_t e = a; e < b; e++) {
        double v = s3f_tensor_get(x, e * D + d);
        acc = kind == MAX ? (v > acc ? v : acc) : acc + v;
    }
    return kind == MEAN ? acc / (b - a) : acc;
}

static s3f_tensor *naive(seg_kind kind, const s3f_tensor *x, const s3f_tensor *offsets)
{
    const int32_t *off = offsets->data;
    int64_t S = offsets->shape.d[0] - 1,
            D = x->shape.d[0] ? s3f_tensor_numel(x) / x->shape.d[0] : 0;
    s3f_shape shape = x->shape;
    shape.d[0] = S;
    s3f_tensor *out;
    assert_ok(s3f_tensor_create(x->dtype, shape, &out));
    for (int64_t s = 0; s < S; s++)
        for (int64_t d = 0; d < D; d++)
            s3f_tensor_set(out, s * D + d, naive_one(kind, x, D, off[s], off[s + 1], d));
    return out;
}

static void check_values(seg_kind kind)
{
    s3f_tensor *offsets = ts_index(K_SEGMENTS + 1, k_offsets), *y;
    s3f_shape shapes[] = {S3F_SHAPE(K_ROWS), S3F_SHAPE(K_ROWS, 4), S3F_SHAPE(K_ROWS, 2, 3)};
    for (int k = 0; k < 3; k++) {
        s3f_tensor *x = ts_random(S3F_F64, shapes[k], 30 + k, -2, 2, false);
        s3f_tensor *want = naive(kind, x, offsets);
        assert_ok(apply(ts_ctx(), (s3f_tensor *[]){x, offsets}, &kind, &y));
        ts_assert_bitwise_equal(y, want); /* same order of operations as the naive loop */
        s3f_ctx_reset(ts_ctx());
        s3f_tensor *all[] = {x, want};
        ts_destroy_all(2, all);
    }
    s3f_tensor_destroy(offsets);
}

static void check_gradients(seg_kind kind)
{
    s3f_tensor *offsets = ts_index(K_SEGMENTS + 1, k_offsets);
    s3f_shape shapes[] = {S3F_SHAPE(K_ROWS), S3F_SHAPE(K_ROWS, 4), S3F_SHAPE(K_ROWS, 2, 3)};
    for (int k = 0; k < 3; k++) {
        s3f_tensor *x = ts_random(S3F_F64, shapes[k], 40 + k, -2, 2, true);
        s3f_tensor *in[] = {x, offsets};
        ts_gradcheck(apply, &kind, 2, in, 0, 0);
        ts_assert_f32_matches_f64(apply, &kind, 2, in, 1e-6);
        ts_assert_accumulates(apply, &kind, in);
        s3f_tensor_destroy(x);
    }
    s3f_tensor_destroy(offsets);
}

/* 4,300 segments, about 9,000 rows, 32 channels: past OP_PARALLEL_MIN. */
static void check_deterministic(seg_kind kind)
{
    s3f_tensor *offsets = ts_random_offsets(4300, 17);
    int64_t E = ((int32_t *)offsets->data)[4300];
    s3f_tensor *x = ts_random(S3F_F32, S3F_SHAPE(E, 32), 18, -1, 1, true);
    s3f_tensor *in[] = {x, offsets};
    ts_assert_deterministic(apply, &kind, 2, in);
    s3f_tensor_destroy(x);
    s3f_tensor_destroy(offsets);
}

static void check_kind(seg_kind kind)
{
    check_values(kind);
    check_gradients(kind);
    check_deterministic(kind);
}

static void test_sum(void **state)
{
    check_kind(SUM);
}
static void test_mean(void **state)
{
    check_kind(MEAN);
}
static void test_max(void **state)
{
    check_kind(MAX);
}

/* Column 0 ties between rows 1 and 2, column 1 between rows 0 and 1: the
 * first row of a tie is the max and alone gets the gradient. */
static void test_max_ties(void **state)
{
    int32_t o[] = {0, 3, 3};
    double v[] = {1, 7, 5, 7, 5, 2};
    s3f_tensor *offsets = ts_index(3, o), *x = ts_from(S3F_F64, S3F_SHAPE(3, 2), v);
    x->requires_grad = true;
    s3f_tensor *y, *seed;
    assert_ok(s3f_segment_max(ts_ctx(), x, offsets, &y));
    double want_y[] = {5, 7, 0, 0};
    for (int k = 0; k < 4; k++) assert_true(s3f_tensor_get(y, k) == want_y[k]);
    double s[] = {10, 20, 30, 40}, want_dx[] = {0, 20, 10, 0, 0, 0};
    seed = ts_from(S3F_F64, S3F_SHAPE(2, 2), s);
    assert_ok(s3f_backward_from(ts_ctx(), y, seed));
    for (int k = 0; k < 6; k++) assert_true(s3f_tensor_get(x->grad, k) == want_dx[k]);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {offsets, x, seed};
    ts_destroy_all(3, all);
}

static void test_max_propagates_nan(void **state)
{
    int32_t o[] = {0, 3};
    double v[] = {1, NAN, 5};
    s3f_tensor *offsets = ts_index(2, o), *x = ts_from(S3F_F64, S3F_SHAPE(3), v), *y;
    assert_ok(s3f_segment_max(ts_ctx(), x, offsets, &y));
    assert_true(isnan(s3f_tensor_get(y, 0)));
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(offsets);
    s3f_tensor_destroy(x);
}

/* E = 0 with empty segments gives zeros; S = 0 gives no rows. */
static void test_zero_size(void **state)
{
    int32_t two_empty[] = {0, 0, 0}, no_segments[] = {0};
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(0, 3), 1, -1, 1, true), *y, *seed;
    s3f_tensor *o2 = ts_index(3, two_empty), *o0 = ts_index(1, no_segments);
    for (seg_kind kind = SUM; kind <= MAX; kind++) {
        assert_ok(apply(ts_ctx(), (s3f_tensor *[]){x, o2}, &kind, &y));
        assert_int_equal(y->shape.d[0], 2);
        assert_int_equal(y->shape.d[1], 3);
        for (int k = 0; k < 6; k++) assert_true(s3f_tensor_get(y, k) == 0);
        assert_ok(s3f_tensor_create(S3F_F64, y->shape, &seed));
        assert_ok(s3f_backward_from(ts_ctx(), y, seed));
        s3f_tensor_destroy(seed);
        assert_ok(apply(ts_ctx(), (s3f_tensor *[]){x, o0}, &kind, &y));
        assert_int_equal(s3f_tensor_numel(y), 0);
        s3f_ctx_reset(ts_ctx());
    }
    s3f_tensor *all[] = {x, o2, o0};
    ts_destroy_all(3, all);
}

static void test_bad_input(void **state)
{
    s3f_ctx_t *ctx = ts_ctx();
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(5, 2), 1, 0, 1, false), *y;
    int32_t start[] = {1, 2, 5}, falls[] = {0, 3, 2, 5}, short_end[] = {0, 2, 4},
            long_end[] = {0, 2, 6};
    s3f_tensor *bad_start = ts_index(3, start), *bad_order = ts_index(4, falls);
    s3f_tensor *bad_short = ts_index(3, short_end), *bad_long = ts_index(3, long_end);
    assert_fails(s3f_segment_sum(ctx, x, bad_start, &y), S3F_ERR_ARG, "segment_sum",
                 "offsets[0] = 1");
    assert_fails(s3f_segment_max(ctx, x, bad_order, &y), S3F_ERR_ARG, "segment_max",
                 "offsets[2] = 2", "offsets[1] = 3");
    assert_fails(s3f_segment_mean(ctx, x, bad_short, &y), S3F_ERR_ARG, "segment_mean",
                 "offsets[2] = 4", "5 rows");
    assert_fails(s3f_segment_sum(ctx, x, bad_long, &y), S3F_ERR_ARG, "offsets[2] = 6");

    s3f_tensor *wide, *flat, *none, *ints, *scalar;
    assert_ok(s3f_tensor_create(S3F_I64, S3F_SHAPE(3), &wide));
    assert_ok(s3f_tensor_create(S3F_I32, S3F_SHAPE(3, 1), &flat));
    assert_ok(s3f_tensor_create(S3F_I32, S3F_SHAPE(0), &none));
    assert_ok(s3f_tensor_create(S3F_I32, S3F_SHAPE(5, 2), &ints));
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SCALAR_SHAPE, &scalar));
    int32_t ok[] = {0, 5};
    s3f_tensor *good = ts_index(2, ok);
    assert_fails(s3f_segment_sum(ctx, x, wide, &y), S3F_ERR_DTYPE, "offsets", "i64");
    assert_fails(s3f_segment_sum(ctx, x, flat, &y), S3F_ERR_SHAPE, "offsets", "(3, 1)");
    assert_fails(s3f_segment_sum(ctx, x, none, &y), S3F_ERR_SHAPE, "offsets", "(0)");
    assert_fails(s3f_segment_max(ctx, ints, good, &y), S3F_ERR_DTYPE, "x", "i32");
    assert_fails(s3f_segment_mean(ctx, scalar, good, &y), S3F_ERR_SHAPE, "()");
    assert_fails(s3f_segment_sum(ctx, x, NULL, &y), S3F_ERR_ARG, "offsets");
    s3f_ctx_reset(ctx);
    s3f_tensor *all[] = {x,    bad_start, bad_order, bad_short, bad_long, wide,
                         flat, none,      ints,      scalar,    good};
    ts_destroy_all(11, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sum),
        cmocka_unit_test(test_mean),
        cmocka_unit_test(test_max),
        cmocka_unit_test(test_max_ties),
        cmocka_unit_test(test_max_propagates_nan),
        cmocka_unit_test(test_zero_size),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
