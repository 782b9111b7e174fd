/* test_grad_gather.c — gather_rows and scatter_add_rows: values against naive
 * loops, gradients by finite differences (f64) with repeated indices and rows
 * that receive nothing, f32 against f64, determinism across threads on a
 * QM9-batch-sized graph, zero-size inputs, any number of trailing dims, and
 * bad input. */
#include <math.h>

#include "test_support.h"

typedef struct scatter_args {
    int64_t num_rows;
} scatter_args;

static s3f_status gather(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    return s3f_gather_rows(ctx, in[0], in[1], out);
}

static s3f_status scatter(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    return s3f_scatter_add_rows(ctx, in[0], in[1], ((scatter_args *)user)->num_rows, out);
}

/* gather(scatter(x)): each op's backward feeds the other's. */
static s3f_status round_trip(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    s3f_tensor *rows;
    S3F_RETURN_IF_ERR(scatter(ctx, in, user, &rows));
    return s3f_gather_rows(ctx, rows, in[2], out);
}

/* A heap i32 index (n) of pseudo-random values in [0, rows) (an LCG). */
static s3f_tensor *random_index(int64_t n, int64_t rows, uint32_t seed)
{
    s3f_tensor *t;
    assert_ok(s3f_tensor_create(S3F_I32, S3F_SHAPE(n), &t));
    int32_t *v = t->data;
    for (int64_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        v[i] = (int32_t)((seed >> 8) % (uint32_t)rows);
    }
    return t;
}

/* out[i] = x[index[i]] and out[index[i]] += x[i], written as plainly as possible. */
static s3f_tensor *naive_gather(const s3f_tensor *x, const s3f_tensor *index)
{
    s3f_shape shape = x->shape;
    shape.d[0] = index->shape.d[0];
    s3f_tensor *out;
    assert_ok(s3f_tensor_create(x->dtype, shape, &out));
    int64_t D = s3f_tensor_numel(x) / x->shape.d[0];
    const int32_t *idx = index->data;
    for (int64_t i = 0; i < shape.d[0]; i++)
        for (int64_t d = 0; d < D; d++)
            s3f_tensor_set(out, i * D + d, s3f_tensor_get(x, idx[i] * D + d));
    return out;
}

static s3f_tensor *naive_scatter(const s3f_tensor *x, const s3f_tensor *index, int64_t rows)
{
    s3f_shape shape = x->shape;
    shape.d[0] = rows;
    s3f_tensor *out; /* zero-filled */
    assert_ok(s3f_tensor_create(x->dtype, shape, &out));
    int64_t D = x->shape.d[0] ? s3f_tensor_numel(x) / x->shape.d[0] : 0;
    const int32_t *idx = index->data;
    for (int64_t i = 0; i < x->shape.d[0]; i++)
        for (int64_t d = 0; d < D; d++) {
            int64_t o = idx[i] * D + d;
            if (x->dtype == S3F_F32)
                ((float *)out->data)[o] += ((const float *)x->data)[i * D + d];
            else
                ((double *)out->data)[o] += ((const double *)x->data)[i * D + d];
        }
    return out;
}

static void test_gather_values(void **state)
{
    double v[] = {1, 2, 3, 4, 5, 6, 7, 8};
    int32_t i[] = {3, 0, 3, 1};
    double expected[] = {7, 8, 1, 2, 7, 8, 3, 4};
    s3f_tensor *x = ts_from(S3F_F64, S3F_SHAPE(4, 2), v), *index = ts_index(4, i);
    s3f_tensor *want = ts_from(S3F_F64, S3F_SHAPE(4, 2), expected), *y;
    assert_ok(s3f_gather_rows(ts_ctx(), x, index, &y));
    ts_assert_bitwise_equal(y, want);
    s3f_ctx_reset(ts_ctx());

    s3f_tensor *big = ts_random(S3F_F32, S3F_SHAPE(30, 2, 3), 3, -1, 1, false);
    s3f_tensor *many = random_index(70, 30, 5), *ref = naive_gather(big, many);
    assert_ok(s3f_gather_rows(ts_ctx(), big, many, &y));
    ts_assert_bitwise_equal(y, ref);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {x, index, want, big, many, ref};
    ts_destroy_all(6, all);
}

/* Row 1 is picked three times, row 3 never: its gradient is 0, row 1's is
 * the sum of three upstream rows. */
static void test_gather_gradients(void **state)
{
    int32_t i[] = {1, 0, 1, 4, 2, 1};
    s3f_tensor *index = ts_index(6, i);
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(5, 3), 1, -2, 2, true);
    s3f_tensor *in[] = {x, index};
    ts_gradcheck(gather, NULL, 2, in, 0, 0);
    ts_assert_f32_matches_f64(gather, NULL, 2, in, 1e-7);
    ts_assert_accumulates(gather, NULL, in);

    s3f_tensor *y, *ones;
    assert_ok(s3f_tensor_fill(x->grad, 0));
    assert_ok(s3f_gather_rows(ts_ctx(), x, index, &y));
    assert_ok(s3f_tensor_create(S3F_F64, y->shape, &ones));
    assert_ok(s3f_tensor_fill(ones, 1));
    double counts[] = {1, 3, 1, 0, 1};
    for (int r = 0; r < 5; r++) ((int32_t *)index->data)[r] = 0; /* the op kept its own copy */
    assert_ok(s3f_backward_from(ts_ctx(), y, ones));
    for (int r = 0; r < 5; r++)
        for (int d = 0; d < 3; d++) assert_true(s3f_tensor_get(x->grad, r * 3 + d) == counts[r]);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {index, x, ones};
    ts_destroy_all(3, all);
}

static void test_gather_trailing_dims(void **state)
{
    int32_t i[] = {2, 2, 0, 1, 3};
    s3f_tensor *index = ts_index(5, i);
    s3f_tensor *vec = ts_random(S3F_F64, S3F_SHAPE(4), 2, -1, 1, true);
    s3f_tensor *cube = ts_random(S3F_F64, S3F_SHAPE(4, 2, 3), 4, -1, 1, true);
    s3f_tensor *in1[] = {vec, index}, *in3[] = {cube, index};
    ts_gradcheck(gather, NULL, 2, in1, 0, 0);
    ts_gradcheck(gather, NULL, 2, in3, 0, 0);
    ts_assert_f32_matches_f64(gather, NULL, 2, in3, 1e-7);
    s3f_tensor *y;
    assert_ok(s3f_gather_rows(ts_ctx(), cube, index, &y));
    assert_int_equal(y->shape.ndim, 3);
    assert_int_equal(y->shape.d[0], 5);
    assert_int_equal(y->shape.d[2], 3);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {index, vec, cube};
    ts_destroy_all(3, all);
}

static void test_scatter_values(void **state)
{
    /* rows 1 and 4 receive nothing; row 0 gets x[1] + x[3] + x[4] in that order */
    double v[] = {1, 10, 2, 20, 3, 30, 4, 40, 5, 50};
    int32_t i[] = {2, 0, 3, 0, 0};
    double expected[] = {11, 110, 0, 0, 1, 10, 3, 30, 0, 0};
    s3f_tensor *x = ts_from(S3F_F64, S3F_SHAPE(5, 2), v), *index = ts_index(5, i);
    s3f_tensor *want = ts_from(S3F_F64, S3F_SHAPE(5, 2), expected), *y;
    assert_ok(s3f_scatter_add_rows(ts_ctx(), x, index, 5, &y));
    ts_assert_bitwise_equal(y, want);
    s3f_ctx_reset(ts_ctx());

    /* Same summation order as the naive loop, so bitwise equal in both dtypes. */
    for (int k = 0; k < 2; k++) {
        s3f_dtype dt = k ? S3F_F32 : S3F_F64;
        s3f_tensor *big = ts_random(dt, S3F_SHAPE(200, 3, 2), 6, -1, 1, false);
        s3f_tensor *many = random_index(200, 40, 9), *ref = naive_scatter(big, many, 45);
        assert_ok(s3f_scatter_add_rows(ts_ctx(), big, many, 45, &y));
        ts_assert_bitwise_equal(y, ref);
        s3f_ctx_reset(ts_ctx());
        s3f_tensor *all[] = {big, many, ref};
        ts_destroy_all(3, all);
    }
    s3f_tensor *all[] = {x, index, want};
    ts_destroy_all(3, all);
}

static void test_scatter_gradients(void **state)
{
    int32_t i[] = {2, 0, 3, 0, 0, 2};
    s3f_tensor *index = ts_index(6, i);
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(6, 2), 7, -2, 2, true);
    s3f_tensor *cube = ts_random(S3F_F64, S3F_SHAPE(6, 2, 3), 8, -2, 2, true);
    s3f_tensor *vec = ts_random(S3F_F64, S3F_SHAPE(6), 9, -2, 2, true);
    scatter_args args = {5};
    s3f_tensor *in[] = {x, index}, *in3[] = {cube, index}, *in1[] = {vec, index};
    ts_gradcheck(scatter, &args, 2, in, 0, 0);
    ts_gradcheck(scatter, &args, 2, in3, 0, 0);
    ts_gradcheck(scatter, &args, 2, in1, 0, 0);
    ts_assert_f32_matches_f64(scatter, &args, 2, in3, 1e-6);
    ts_assert_accumulates(scatter, &args, in);

    int32_t back[] = {1, 4, 4, 0, 2, 3};
    s3f_tensor *again = ts_index(6, back);
    s3f_tensor *chain[] = {x, index, again};
    ts_gradcheck(round_trip, &args, 3, chain, 0, 0);
    s3f_tensor *all[] = {index, x, cube, vec, again};
    ts_destroy_all(5, all);
}

static void test_zero_size(void **state)
{
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(3, 4), 1, -1, 1, true);
    s3f_tensor *none = ts_index(0, NULL), *y, *seed;
    assert_ok(s3f_gather_rows(ts_ctx(), x, none, &y));
    assert_int_equal(y->shape.d[0], 0);
    assert_int_equal(y->shape.d[1], 4);
    assert_ok(s3f_tensor_create(S3F_F64, y->shape, &seed));
    assert_ok(s3f_backward_from(ts_ctx(), y, seed));
    for (int k = 0; k < 12; k++) assert_true(s3f_tensor_get(x->grad, k) == 0);
    s3f_tensor_destroy(seed);
    s3f_ctx_reset(ts_ctx());

    s3f_tensor *empty = ts_random(S3F_F64, S3F_SHAPE(0, 4), 1, -1, 1, true);
    assert_ok(s3f_gather_rows(ts_ctx(), empty, none, &y));
    assert_int_equal(s3f_tensor_numel(y), 0);
    assert_ok(s3f_scatter_add_rows(ts_ctx(), empty, none, 3, &y));
    assert_int_equal(y->shape.d[0], 3);
    for (int k = 0; k < 12; k++) assert_true(s3f_tensor_get(y, k) == 0);
    assert_ok(s3f_scatter_add_rows(ts_ctx(), empty, none, 0, &y));
    assert_int_equal(s3f_tensor_numel(y), 0);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {x, none, empty};
    ts_destroy_all(3, all);
}

/* A QM9 batch: about 4,300 nodes and 9,000 edges, 32 channels; well past
 * OP_PARALLEL_MIN so the threaded path runs. */
static void test_deterministic(void **state)
{
    s3f_tensor *nodes = ts_random(S3F_F32, S3F_SHAPE(4300, 32), 21, -1, 1, true);
    s3f_tensor *edges = ts_random(S3F_F32, S3F_SHAPE(9000, 32), 22, -1, 1, true);
    s3f_tensor *src = random_index(9000, 4300, 23);
    scatter_args args = {4300};
    s3f_tensor *g[] = {nodes, src}, *s[] = {edges, src};
    ts_assert_deterministic(gather, NULL, 2, g);
    ts_assert_deterministic(scatter, &args, 2, s);
    s3f_tensor *all[] = {nodes, edges, src};
    ts_destroy_all(3, all);
}

static void test_bad_input(void **state)
{
    s3f_ctx_t *ctx = ts_ctx();
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(4, 2), 1, 0, 1, false), *y;
    int32_t high[] = {0, 3, 4}, low[] = {1, -1, 0};
    s3f_tensor *bad_high = ts_index(3, high), *bad_low = ts_index(3, low);
    assert_fails(s3f_gather_rows(ctx, x, bad_high, &y), S3F_ERR_ARG, "gather_rows", "index[2] = 4",
                 "4 rows");
    assert_fails(s3f_gather_rows(ctx, x, bad_low, &y), S3F_ERR_ARG, "index[1] = -1");
    s3f_tensor *x3 = ts_random(S3F_F64, S3F_SHAPE(3, 2), 1, 0, 1, false);
    assert_fails(s3f_scatter_add_rows(ctx, x3, bad_high, 4, &y), S3F_ERR_ARG, "scatter_add_rows",
                 "index[2] = 4");
    assert_fails(s3f_scatter_add_rows(ctx, x3, bad_low, 4, &y), S3F_ERR_ARG, "index[1] = -1");
    assert_fails(s3f_scatter_add_rows(ctx, x, bad_high, 5, &y), S3F_ERR_SHAPE, "(4, 2)", "(3)");
    int32_t ok[] = {0, 1, 2};
    s3f_tensor *good = ts_index(3, ok);
    assert_fails(s3f_scatter_add_rows(ctx, x3, good, -1, &y), S3F_ERR_ARG, "num_rows");

    s3f_tensor *wide, *flat, *ints, *scalar;
    assert_ok(s3f_tensor_create(S3F_I64, S3F_SHAPE(3), &wide));
    assert_ok(s3f_tensor_create(S3F_I32, S3F_SHAPE(3, 1), &flat));
    assert_ok(s3f_tensor_create(S3F_I32, S3F_SHAPE(4, 2), &ints));
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SCALAR_SHAPE, &scalar));
    assert_fails(s3f_gather_rows(ctx, x, wide, &y), S3F_ERR_DTYPE, "index", "i64");
    assert_fails(s3f_scatter_add_rows(ctx, x3, wide, 4, &y), S3F_ERR_DTYPE, "index", "i64");
    assert_fails(s3f_gather_rows(ctx, x, flat, &y), S3F_ERR_SHAPE, "index", "(3, 1)");
    assert_fails(s3f_gather_rows(ctx, ints, good, &y), S3F_ERR_DTYPE, "x", "i32");
    assert_fails(s3f_gather_rows(ctx, scalar, good, &y), S3F_ERR_SHAPE, "()");
    assert_fails(s3f_gather_rows(ctx, NULL, good, &y), S3F_ERR_ARG, "x");
    assert_fails(s3f_scatter_add_rows(ctx, x3, NULL, 3, &y), S3F_ERR_ARG, "index");
    s3f_ctx_reset(ctx);
    s3f_tensor *all[] = {x, bad_high, bad_low, x3, good, wide, flat, ints, scalar};
    ts_destroy_all(9, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gather_values),        cmocka_unit_test(test_gather_gradients),
        cmocka_unit_test(test_gather_trailing_dims), cmocka_unit_test(test_scatter_values),
        cmocka_unit_test(test_scatter_gradients),    cmocka_unit_test(test_zero_size),
        cmocka_unit_test(test_deterministic),        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
