/* test_grad_concat.c — concat and split along the first, a middle and the
 * last axis, with zero-size pieces: values against a naive index map, split
 * then concat round trips, gradients by finite differences (f64) including a
 * tensor concatenated with itself, splits whose outputs only partly reach
 * the loss, more pieces than one tape node holds; f32 against f64;
 * determinism across threads; bad input. */
#include <string.h>

#include "test_support.h"

enum { MAX_PIECES = 12 };

typedef enum { CONCAT, SPLIT_REVERSED, SPLIT_ENDS, SPLIT_ONE } cat_mode;

typedef struct cat_case {
    cat_mode mode;
    int axis, n;
    int64_t sizes[MAX_PIECES]; /* split sizes */
    int pick;                  /* SPLIT_ONE: the output returned */
} cat_case;

/* CONCAT joins the n inputs. The split modes cut in[0] into n pieces and
 * return: all of them joined in reverse order; the first and last joined
 * (the middle ones never reach the loss); or piece `pick` alone. */
static s3f_status apply(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    const cat_case *c = user;
    if (c->mode == CONCAT) return s3f_concat(ctx, c->n, in, c->axis, out);
    s3f_tensor *p[MAX_PIECES], *rev[MAX_PIECES];
    S3F_RETURN_IF_ERR(s3f_split(ctx, in[0], c->axis, c->n, c->sizes, p));
    for (int i = 0; i < c->n; i++) rev[i] = p[c->n - 1 - i];
    if (c->mode == SPLIT_REVERSED) return s3f_concat(ctx, c->n, rev, c->axis, out);
    if (c->mode == SPLIT_ENDS)
        return s3f_concat(ctx, 2, (s3f_tensor *[]){p[0], rev[0]}, c->axis, out);
    *out = p[c->pick];
    return S3F_OK;
}

static int64_t span(const s3f_shape *s, int from, int to)
{
    int64_t n = 1;
    for (int k = from; k < to; k++) n *= s->d[k];
    return n;
}

/* Element (o, a, j) of t seen as (outer, t.d[axis], inner). */
static double get3(const s3f_tensor *t, int axis, int64_t o, int64_t a, int64_t j)
{
    int64_t inner = span(&t->shape, axis + 1, t->shape.ndim);
    return s3f_tensor_get(t, (o * t->shape.d[axis] + a) * inner + j);
}

/* Asserts that piece i of `whole` along axis (at axis offset `at`) equals
 * `piece`, bit for bit. */
static void assert_piece(const s3f_tensor *whole, const s3f_tensor *piece, int axis, int64_t at)
{
    int64_t outer = span(&whole->shape, 0, axis),
            inner = span(&whole->shape, axis + 1, whole->shape.ndim);
    for (int k = 0; k < whole->shape.ndim; k++)
        if (k != axis) assert_int_equal(piece->shape.d[k], whole->shape.d[k]);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t a = 0; a < piece->shape.d[axis]; a++)
            for (int64_t j = 0; j < inner; j++)
                assert_true(get3(piece, axis, o, a, j) == get3(whole, axis, o, at + a, j));
}

/* Pieces of base shape (2, 3, 4) with the given sizes along `axis`. */
static void make_pieces(int axis, int n, const int64_t *sizes, s3f_dtype dtype, bool grad,
                        s3f_tensor **xs)
{
    for (int i = 0; i < n; i++) {
        s3f_shape s = S3F_SHAPE(2, 3, 4);
        s.d[axis] = sizes[i];
        xs[i] = ts_random(dtype, s, 100 + i, -1, 1, grad);
    }
}

/* ---- concat ---- */
static void check_concat(int axis, int n, const int64_t *sizes)
{
    s3f_tensor *xs[MAX_PIECES], *y;
    make_pieces(axis, n, sizes, S3F_F64, true, xs);
    assert_ok(s3f_concat(ts_ctx(), n, xs, axis - 3, &y)); /* negative axis, same place */
    int64_t at = 0, total = 0;
    for (int i = 0; i < n; i++) total += sizes[i];
    assert_int_equal(y->shape.d[axis], total);
    for (int i = 0; i < n; i++) {
        assert_piece(y, xs[i], axis, at);
        at += sizes[i];
    }
    s3f_ctx_reset(ts_ctx());
    cat_case c = {CONCAT, axis, n, {0}, 0};
    if (total) ts_gradcheck(apply, &c, n, xs, 0, 0);
    ts_assert_f32_matches_f64(apply, &c, n, xs, 1e-7); /* copies: f32 rounding only */
    ts_destroy_all(n, xs);
}

static void test_concat(void **state)
{
    check_concat(0, 3, (int64_t[]){2, 0, 3});
    check_concat(1, 4, (int64_t[]){0, 1, 3, 2});
    check_concat(2, 3, (int64_t[]){4, 1, 0});
    check_concat(1, 1, (int64_t[]){3});
    check_concat(2, 2, (int64_t[]){0, 0}); /* nothing at all */
}

/* The same tensor twice: both slices of the gradient add into its grad. */
static void test_concat_self(void **state)
{
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(3, 2), 1, -1, 1, true);
    s3f_tensor *xs[] = {x, x, x};
    cat_case c = {CONCAT, 1, 3, {0}, 0};
    ts_gradcheck(apply, &c, 3, xs, 0, 0);
    s3f_tensor_destroy(x);
}

/* More inputs than one tape node holds: a chain of nodes, same result. */
static void test_concat_many(void **state)
{
    int64_t sizes[11] = {1, 2, 0, 1, 3, 1, 1, 2, 1, 0, 2};
    s3f_tensor *xs[11], *y;
    make_pieces(1, 11, sizes, S3F_F64, true, xs);
    assert_ok(s3f_concat(ts_ctx(), 11, xs, 1, &y));
    assert_int_equal(y->shape.d[1], 14);
    assert_int_equal(s3f_tape_size(ts_ctx()), 2);
    for (int i = 0, at = 0; i < 11; at += (int)sizes[i++]) assert_piece(y, xs[i], 1, at);
    s3f_ctx_reset(ts_ctx());
    cat_case c = {CONCAT, 1, 11, {0}, 0};
    ts_gradcheck(apply, &c, 11, xs, 0, 0);
    ts_destroy_all(11, xs);
}

static void test_concat_deterministic(void **state)
{
    int64_t sizes[] = {60, 0, 40, 100};
    s3f_tensor *xs[4];
    for (int i = 0; i < 4; i++)
        xs[i] = ts_random(S3F_F32, S3F_SHAPE(100, sizes[i]), 7 + i, -1, 1, true);
    cat_case c = {CONCAT, 1, 4, {0}, 0};
    ts_assert_deterministic(apply, &c, 4, xs);
    ts_destroy_all(4, xs);
}

/* ---- split ---- */
static void check_split(int axis, int n, const int64_t *sizes)
{
    int64_t total = 0;
    for (int i = 0; i < n; i++) total += sizes[i];
    s3f_shape shape = S3F_SHAPE(2, 3, 4);
    shape.d[axis] = total;
    s3f_tensor *x = ts_random(S3F_F64, shape, 5, -1, 1, true), *p[MAX_PIECES], *back;
    assert_ok(s3f_split(ts_ctx(), x, axis, n, sizes, p));
    assert_int_equal(s3f_tape_size(ts_ctx()), n <= S3F_OP_MAX_OUTPUTS ? 1 : 2);
    for (int i = 0, at = 0; i < n; at += (int)sizes[i++]) assert_piece(x, p[i], axis, at);
    assert_ok(s3f_concat(ts_ctx(), n, p, axis, &back));
    ts_assert_bitwise_equal(back, x);
    s3f_ctx_reset(ts_ctx());
    cat_case c = {SPLIT_REVERSED, axis, n, {0}, 0};
    memcpy(c.sizes, sizes, (size_t)n * sizeof *sizes);
    if (total) ts_gradcheck(apply, &c, 1, &x, 0, 0);
    ts_assert_f32_matches_f64(apply, &c, 1, &x, 1e-7);
    s3f_tensor_destroy(x);
}

static void test_split(void **state)
{
    check_split(0, 3, (int64_t[]){0, 2, 1});
    check_split(1, 4, (int64_t[]){2, 0, 3, 0});
    check_split(2, 3, (int64_t[]){1, 3, 1});
    check_split(2, 1, (int64_t[]){4});
    check_split(1, 2, (int64_t[]){0, 0});
    check_split(1, 10, (int64_t[]){1, 0, 2, 1, 1, 3, 1, 0, 2, 1}); /* a chain of two nodes */
}

/* Outputs that never reach the loss have no grad; their slice of dx stays 0. */
static void test_split_partly_used(void **state)
{
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(2, 6, 3), 1, -1, 1, true), *p[3];
    cat_case ends = {SPLIT_ENDS, 1, 3, {2, 3, 1}, 0};
    ts_gradcheck(apply, &ends, 1, &x, 0, 0);
    cat_case middle = {SPLIT_ONE, 1, 3, {2, 3, 1}, 1};
    ts_gradcheck(apply, &middle, 1, &x, 0, 0);
    cat_case chained = {SPLIT_ONE, 1, 10, {1, 1, 0, 1, 0, 1, 1, 0, 0, 1}, 9};
    ts_gradcheck(apply, &chained, 1, &x, 0, 0);

    s3f_tensor_destroy(x); /* its grad holds the gradchecks' sums; start afresh */
    x = ts_random(S3F_F64, S3F_SHAPE(2, 6, 3), 1, -1, 1, true);
    assert_ok(s3f_split(ts_ctx(), x, -2, 3, (int64_t[]){2, 3, 1}, p));
    s3f_tensor *seed = ts_random(S3F_F64, p[1]->shape, 2, 1, 2, false);
    assert_ok(s3f_backward_from(ts_ctx(), p[1], seed));
    assert_null(p[0]->grad);
    assert_null(p[2]->grad);
    for (int64_t o = 0; o < 2; o++)
        for (int64_t a = 0; a < 6; a++)
            for (int64_t j = 0; j < 3; j++)
                assert_true(get3(x->grad, 1, o, a, j) ==
                            (a >= 2 && a < 5 ? get3(seed, 1, o, a - 2, j) : 0));
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(seed);
    s3f_tensor_destroy(x);
}

static void test_split_deterministic(void **state)
{
    s3f_tensor *x = ts_random(S3F_F32, S3F_SHAPE(200, 100), 3, -1, 1, true);
    cat_case c = {SPLIT_REVERSED, 1, 3, {30, 0, 70}, 0};
    ts_assert_deterministic(apply, &c, 1, &x);
    cat_case rows = {SPLIT_REVERSED, 0, 2, {150, 50}, 0};
    ts_assert_deterministic(apply, &rows, 1, &x);
    s3f_tensor_destroy(x);
}

/* ---- bad input ---- */
static void test_bad_input(void **state)
{
    s3f_ctx_t *ctx = ts_ctx();
    s3f_tensor *a = ts_random(S3F_F64, S3F_SHAPE(2, 3), 1, 0, 1, false);
    s3f_tensor *b = ts_random(S3F_F64, S3F_SHAPE(3, 3), 2, 0, 1, false);
    s3f_tensor *c = ts_random(S3F_F64, S3F_SHAPE(2, 3, 1), 3, 0, 1, false);
    s3f_tensor *f = ts_random(S3F_F32, S3F_SHAPE(2, 3), 4, 0, 1, false), *y, *p[3];
    assert_fails(s3f_concat(ctx, 2, (s3f_tensor *[]){a, b}, 1, &y), S3F_ERR_SHAPE, "concat",
                 "every axis but 1", "xs[0]", "(2, 3)", "xs[1]", "(3, 3)");
    assert_ok(s3f_concat(ctx, 2, (s3f_tensor *[]){a, b}, 0, &y)); /* fine along axis 0 */
    assert_fails(s3f_concat(ctx, 2, (s3f_tensor *[]){a, c}, 0, &y), S3F_ERR_SHAPE, "(2, 3, 1)");
    assert_fails(s3f_concat(ctx, 2, (s3f_tensor *[]){a, f}, 0, &y), S3F_ERR_DTYPE, "f64", "f32");
    assert_fails(s3f_concat(ctx, 2, (s3f_tensor *[]){a, NULL}, 0, &y), S3F_ERR_ARG, "xs[1]");
    assert_fails(s3f_concat(ctx, 2, (s3f_tensor *[]){a, b}, 2, &y), S3F_ERR_ARG, "axis 2");
    assert_fails(s3f_concat(ctx, 0, (s3f_tensor *[]){a}, 0, &y), S3F_ERR_ARG, "at least one");
    assert_fails(s3f_split(ctx, a, 1, 2, (int64_t[]){1, 1}, p), S3F_ERR_SHAPE, "split", "sum to 2",
                 "axis 1", "(2, 3)", "has 3");
    assert_fails(s3f_split(ctx, a, 1, 2, (int64_t[]){2, 2}, p), S3F_ERR_SHAPE, "sum to 4");
    assert_fails(s3f_split(ctx, a, 1, 2, (int64_t[]){4, -1}, p), S3F_ERR_ARG, "sizes[1] = -1");
    assert_fails(s3f_split(ctx, a, -3, 1, (int64_t[]){2}, p), S3F_ERR_ARG, "axis -3");
    assert_fails(s3f_split(ctx, a, 0, 0, (int64_t[]){2}, p), S3F_ERR_ARG, "n = 0");
    assert_fails(s3f_split(ctx, a, 0, 1, NULL, p), S3F_ERR_ARG, "sizes NULL");
    s3f_ctx_reset(ctx);
    s3f_tensor *all[] = {a, b, c, f};
    ts_destroy_all(4, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concat),
        cmocka_unit_test(test_concat_self),
        cmocka_unit_test(test_concat_many),
        cmocka_unit_test(test_concat_deterministic),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_split_partly_used),
        cmocka_unit_test(test_split_deterministic),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
