/* test_grad_matmul.c — s3f_matmul: values against a naive triple loop for
 * the four transpose combinations and the four layouts (2-D @ 2-D, batched @
 * batched, batched @ shared, shared @ batched), on the loop path and on the
 * BLAS path (several tiles); gradients by finite differences (f64) on both
 * paths; f32 against f64; determinism across threads (including an f32
 * K = 1025 product, where OpenBLAS's own threading changes the bits);
 * zero-size dims and bad input. */
#include <math.h>

#include "test_support.h"

/* A batch size meaning "a 2-D operand, shared across the other's batch". */
#define SHARED (-1)

/* One configuration: transposes and the batch size of each operand. */
typedef struct mm_case {
    bool ta, tb;
    int64_t a_batch, b_batch;
} mm_case;

static const int64_t layouts[4][2] = {{SHARED, SHARED}, {2, 2}, {2, SHARED}, {SHARED, 2}};

static s3f_status apply(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    const mm_case *c = user;
    return s3f_matmul(ctx, in[0], in[1], c->ta, c->tb, out);
}

/* A heap operand whose op() is (rows, cols), stored transposed when trans. */
static s3f_tensor *operand(s3f_dtype dtype, int64_t batch, bool trans, int64_t rows, int64_t cols,
                           uint64_t seed)
{
    int64_t r = trans ? cols : rows, c = trans ? rows : cols;
    s3f_shape shape = batch == SHARED ? S3F_SHAPE(r, c) : S3F_SHAPE(batch, r, c);
    return ts_random(dtype, shape, seed, -1, 1, true);
}

static void make_pair(const mm_case *c, s3f_dtype dtype, int64_t m, int64_t k, int64_t n,
                      uint64_t seed, s3f_tensor **in)
{
    in[0] = operand(dtype, c->a_batch, c->ta, m, k, seed);
    in[1] = operand(dtype, c->b_batch, c->tb, k, n, seed + 1);
}

/* ---- the naive reference ---- */

/* Flat index of op(t)[row, col] in batch entry i (a 2-D t is shared). */
static int64_t op_index(const s3f_tensor *t, bool trans, int64_t i, int64_t row, int64_t col)
{
    int nd = t->shape.ndim;
    int64_t stored_cols = t->shape.d[nd - 1];
    int64_t base = nd == 3 ? i * t->shape.d[1] * stored_cols : 0;
    return base + (trans ? col * stored_cols + row : row * stored_cols + col);
}

typedef struct mm_dims {
    int64_t batch, m, k, n;
} mm_dims;

static mm_dims dims_of(const s3f_tensor *a, const s3f_tensor *b, bool ta, bool tb)
{
    int na = a->shape.ndim, nb = b->shape.ndim;
    mm_dims d = {1, ta ? a->shape.d[na - 1] : a->shape.d[na - 2],
                 ta ? a->shape.d[na - 2] : a->shape.d[na - 1],
                 tb ? b->shape.d[nb - 2] : b->shape.d[nb - 1]};
    if (na == 3) d.batch = a->shape.d[0];
    if (nb == 3) d.batch = b->shape.d[0];
    return d;
}

static double op_get(const s3f_tensor *t, bool trans, int64_t i, int64_t row, int64_t col)
{
    return s3f_tensor_get(t, op_index(t, trans, i, row, col));
}

/* out (batch, M, N) of a triple loop, as a heap f64 tensor of out's shape. */
static s3f_tensor *naive_forward(const s3f_tensor *a, const s3f_tensor *b, bool ta, bool tb,
                                 s3f_shape shape)
{
    mm_dims d = dims_of(a, b, ta, tb);
    s3f_tensor *out;
    assert_ok(s3f_tensor_create(S3F_F64, shape, &out));
    for (int64_t i = 0; i < d.batch; i++)
        for (int64_t m = 0; m < d.m; m++)
            for (int64_t n = 0; n < d.n; n++) {
                double s = 0;
                for (int64_t k = 0; k < d.k; k++)
                    s += op_get(a, ta, i, m, k) * op_get(b, tb, i, k, n);
                s3f_tensor_set(out, (i * d.m + m) * d.n + n, s);
            }
    return out;
}

/* da += dC @ op(b)^T and db += op(a)^T @ dC, element by element, into heap
 * f64 tensors shaped like a and b (shared operands sum over the batch). */
static void naive_backward(const s3f_tensor *a, const s3f_tensor *b, bool ta, bool tb,
                           const s3f_tensor *dc, s3f_tensor *da, s3f_tensor *db)
{
    mm_dims d = dims_of(a, b, ta, tb);
    for (int64_t i = 0; i < d.batch; i++)
        for (int64_t m = 0; m < d.m; m++)
            for (int64_t n = 0; n < d.n; n++) {
                double g = s3f_tensor_get(dc, (i * d.m + m) * d.n + n);
                for (int64_t k = 0; k < d.k; k++) {
                    int64_t ia = op_index(a, ta, i, m, k), ib = op_index(b, tb, i, k, n);
                    s3f_tensor_set(da, ia, s3f_tensor_get(da, ia) + g * op_get(b, tb, i, k, n));
                    s3f_tensor_set(db, ib, s3f_tensor_get(db, ib) + g * op_get(a, ta, i, m, k));
                }
            }
}

/* Forward and backward (seeded with random dC) of s3f_matmul against the
 * naive loops, within |x - ref| <= tol * (1 + |ref|)-ish (atol = rtol = tol). */
static void check_against_naive(const mm_case *c, s3f_dtype dtype, int64_t m, int64_t k, int64_t n,
                                double tol)
{
    s3f_tensor *in[2], *out, *da, *db;
    make_pair(c, dtype, m, k, n, 100 + m + k + n, in);
    s3f_ctx_t *ctx = ts_ctx();
    s3f_ctx_reset(ctx);
    assert_ok(s3f_matmul(ctx, in[0], in[1], c->ta, c->tb, &out));
    s3f_tensor *dc = ts_random(dtype, out->shape, 7, -1, 1, false);
    s3f_tensor *want = naive_forward(in[0], in[1], c->ta, c->tb, out->shape);
    ts_assert_close(out, want, tol, tol);
    assert_ok(s3f_backward_from(ctx, out, dc));
    assert_ok(s3f_tensor_create(S3F_F64, in[0]->shape, &da));
    assert_ok(s3f_tensor_create(S3F_F64, in[1]->shape, &db));
    naive_backward(in[0], in[1], c->ta, c->tb, dc, da, db);
    ts_assert_close(in[0]->grad, da, tol, tol);
    ts_assert_close(in[1]->grad, db, tol, tol);
    s3f_ctx_reset(ctx);
    s3f_tensor *all[] = {in[0], in[1], dc, want, da, db};
    ts_destroy_all(6, all);
}

/* Every transpose combination in every layout. */
static void for_all_cases(void (*check)(const mm_case *))
{
    for (int t = 0; t < 4; t++)
        for (int l = 0; l < 4; l++) {
            mm_case c = {t & 1, t >> 1, layouts[l][0], layouts[l][1]};
            check(&c);
        }
}

/* ---- tests ---- */

static void test_hand_computed(void **state)
{
    double av[] = {1, 2, 3, 4}, bv[] = {5, 6, 7, 8};
    double ab[] = {19, 22, 43, 50}, atb[] = {26, 30, 38, 44}, abt[] = {17, 23, 39, 53};
    s3f_tensor *a = ts_from(S3F_F64, S3F_SHAPE(2, 2), av),
               *b = ts_from(S3F_F64, S3F_SHAPE(2, 2), bv);
    s3f_tensor *want[3] = {ts_from(S3F_F64, S3F_SHAPE(2, 2), ab),
                           ts_from(S3F_F64, S3F_SHAPE(2, 2), atb),
                           ts_from(S3F_F64, S3F_SHAPE(2, 2), abt)};
    s3f_tensor *y;
    assert_ok(s3f_matmul(ts_ctx(), a, b, false, false, &y));
    ts_assert_bitwise_equal(y, want[0]);
    assert_ok(s3f_matmul(ts_ctx(), a, b, true, false, &y));
    ts_assert_bitwise_equal(y, want[1]);
    assert_ok(s3f_matmul(ts_ctx(), a, b, false, true, &y));
    ts_assert_bitwise_equal(y, want[2]);
    s3f_ctx_reset(ts_ctx());
    ts_destroy_all(3, want);
    s3f_tensor_destroy(a);
    s3f_tensor_destroy(b);
}

static void naive_small(const mm_case *c)
{
    check_against_naive(c, S3F_F64, 3, 4, 5, 1e-13);
    check_against_naive(c, S3F_F32, 3, 4, 5, 1e-6);
}

/* M * N * K = 8000: over the BLAS threshold (4096), one tile. */
static void naive_blas(const mm_case *c)
{
    check_against_naive(c, S3F_F64, 20, 25, 16, 1e-12);
    check_against_naive(c, S3F_F32, 20, 25, 16, 1e-5);
}

static void test_values_loop_path(void **state)
{
    for_all_cases(naive_small);
}

static void test_values_blas_path(void **state)
{
    for_all_cases(naive_blas);
}

/* Several BLAS tiles: a 2 x 2 grid with partial tiles (256 rows, 512
 * columns at most per tile), three column tiles, and shared operands whose
 * gradients sum BLAS calls over the batch. */
static void test_values_blas_tiles(void **state)
{
    mm_case grid = {false, true, SHARED, SHARED}, cols = {true, false, SHARED, SHARED};
    mm_case shared_a = {true, true, SHARED, 3}, shared_b = {true, false, 3, SHARED};
    check_against_naive(&grid, S3F_F64, 300, 40, 600, 1e-12);
    check_against_naive(&cols, S3F_F32, 40, 100, 1100, 1e-5);
    check_against_naive(&shared_a, S3F_F64, 150, 140, 130, 1e-12);
    check_against_naive(&shared_b, S3F_F32, 150, 140, 130, 1e-5);
}

static void gradcheck_case(const mm_case *c, int64_t m, int64_t k, int64_t n)
{
    s3f_tensor *in[2];
    make_pair(c, S3F_F64, m, k, n, 31, in);
    ts_gradcheck(apply, (void *)c, 2, in, 0, 0);
    ts_destroy_all(2, in);
}

static void gradcheck_small(const mm_case *c)
{
    gradcheck_case(c, 3, 4, 5);
}

static void gradcheck_blas(const mm_case *c)
{
    gradcheck_case(c, 20, 18, 16); /* 5760 >= 4096: the BLAS path */
}

static void test_gradcheck_loop_path(void **state)
{
    for_all_cases(gradcheck_small);
}

static void test_gradcheck_blas_path(void **state)
{
    for_all_cases(gradcheck_blas);
}

/* a^T @ a: both gradients land in one tensor. */
static s3f_status apply_gram(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    return s3f_matmul(ctx, in[0], in[0], true, false, out);
}

/* The same tensor as both operands, and only one operand needing a gradient
 * (the other's is skipped and stays NULL). */
static void test_gradcheck_self_and_partial(void **state)
{
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(4, 3), 11, -1, 1, true);
    ts_gradcheck(apply_gram, NULL, 1, &x, 0, 0);
    s3f_tensor_destroy(x);
    mm_case c = {false, true, 2, SHARED};
    for (int k = 0; k < 2; k++) {
        s3f_tensor *in[2];
        make_pair(&c, S3F_F64, 4, 3, 5, 12, in);
        in[k]->requires_grad = false;
        ts_gradcheck(apply, &c, 2, in, 0, 0);
        assert_null(in[k]->grad);
        ts_destroy_all(2, in);
    }
}

static void f32_case(const mm_case *c)
{
    s3f_tensor *in[2];
    make_pair(c, S3F_F64, 6, 30, 7, 5, in);
    ts_assert_f32_matches_f64(apply, (void *)c, 2, in, 1e-5);
    ts_destroy_all(2, in);
    make_pair(c, S3F_F64, 40, 30, 20, 6, in);
    ts_assert_f32_matches_f64(apply, (void *)c, 2, in, 1e-5);
    ts_destroy_all(2, in);
}

static void test_f32_matches_f64(void **state)
{
    for_all_cases(f32_case);
}

static void deterministic(const mm_case *c, s3f_dtype dtype, int64_t m, int64_t k, int64_t n)
{
    s3f_tensor *in[2];
    make_pair(c, dtype, m, k, n, 77, in);
    ts_assert_deterministic(apply, (void *)c, 2, in);
    ts_destroy_all(2, in);
}

/* Work well over OP_PARALLEL_MIN on both paths; K = 1025 in f32 is a size at
 * which OpenBLAS 0.3.21 gives different bits when it threads a call itself. */
static void test_deterministic(void **state)
{
    mm_case batched = {false, true, 2000, 2000}, shared_b = {true, false, 2000, SHARED};
    mm_case shared_a = {false, false, SHARED, 2000}, plain = {false, false, SHARED, SHARED};
    mm_case batched_big = {false, true, 3, 3}, shared_big = {true, true, SHARED, 3};
    deterministic(&batched, S3F_F64, 3, 5, 7);
    deterministic(&shared_b, S3F_F32, 3, 5, 7);
    deterministic(&shared_a, S3F_F64, 3, 5, 7);
    deterministic(&plain, S3F_F32, 200, 1025, 64);
    deterministic(&batched_big, S3F_F32, 40, 1025, 30);
    deterministic(&shared_big, S3F_F32, 100, 1025, 50);
}

/* Sizes 0 in each of M, K, N and the batch: right shape, zeros for K = 0,
 * and a backward that runs (gradients checked where an input has elements). */
static void zero_case(const mm_case *c, int64_t m, int64_t k, int64_t n, int64_t expect_numel)
{
    s3f_tensor *in[2], *y;
    make_pair(c, S3F_F64, m, k, n, 3, in);
    s3f_ctx_reset(ts_ctx());
    assert_ok(s3f_matmul(ts_ctx(), in[0], in[1], c->ta, c->tb, &y));
    assert_int_equal(s3f_tensor_numel(y), expect_numel);
    for (int64_t i = 0; i < expect_numel; i++) assert_true(s3f_tensor_get(y, i) == 0.0);
    s3f_tensor *dy = ts_random(S3F_F64, y->shape, 4, -1, 1, false);
    assert_ok(s3f_backward_from(ts_ctx(), y, dy));
    for (int j = 0; j < 2; j++)
        for (int64_t i = 0; i < s3f_tensor_numel(in[j]); i++)
            assert_true(s3f_tensor_get(in[j]->grad, i) == 0.0);
    s3f_ctx_reset(ts_ctx());
    if (s3f_tensor_numel(in[0]) + s3f_tensor_numel(in[1]) > 0)
        ts_gradcheck(apply, (void *)c, 2, in, 0, 0);
    s3f_tensor_destroy(dy);
    ts_destroy_all(2, in);
}

static void test_zero_sizes(void **state)
{
    zero_case(&(mm_case){false, false, SHARED, SHARED}, 3, 0, 4, 12);
    zero_case(&(mm_case){true, true, SHARED, SHARED}, 3, 0, 4, 12);
    zero_case(&(mm_case){false, false, SHARED, SHARED}, 0, 5, 4, 0);
    zero_case(&(mm_case){true, true, SHARED, SHARED}, 3, 5, 0, 0);
    zero_case(&(mm_case){false, false, 2, 2}, 3, 0, 4, 24);
    zero_case(&(mm_case){false, true, 2, SHARED}, 3, 0, 4, 24);
    zero_case(&(mm_case){true, false, SHARED, 2}, 3, 0, 4, 24);
    /* batch 0: a shared operand's gradient is a sum of nothing */
    zero_case(&(mm_case){false, false, 0, 0}, 3, 5, 4, 0);
    zero_case(&(mm_case){false, false, 0, SHARED}, 3, 5, 4, 0);
    zero_case(&(mm_case){true, false, 0, SHARED}, 3, 5, 4, 0);
    zero_case(&(mm_case){false, true, SHARED, 0}, 3, 5, 4, 0);
}

static void test_bad_input(void **state)
{
    s3f_tensor *a = ts_random(S3F_F64, S3F_SHAPE(2, 3), 1, 0, 1, false);
    s3f_tensor *b = ts_random(S3F_F64, S3F_SHAPE(4, 5), 2, 0, 1, false);
    s3f_tensor *a3 = ts_random(S3F_F64, S3F_SHAPE(2, 3, 4), 3, 0, 1, false);
    s3f_tensor *b3 = ts_random(S3F_F64, S3F_SHAPE(3, 4, 5), 4, 0, 1, false);
    s3f_tensor *v = ts_random(S3F_F64, S3F_SHAPE(3), 5, 0, 1, false);
    s3f_tensor *a4 = ts_random(S3F_F64, S3F_SHAPE(1, 2, 3, 4), 6, 0, 1, false);
    s3f_tensor *f = ts_random(S3F_F32, S3F_SHAPE(3, 4), 7, 0, 1, false);
    s3f_tensor *ints, *y;
    assert_ok(s3f_tensor_create(S3F_I32, S3F_SHAPE(3, 4), &ints));
    s3f_ctx_t *ctx = ts_ctx();
    assert_fails(s3f_matmul(ctx, a, b, false, false, &y), S3F_ERR_SHAPE, "matmul", "inner",
                 "(2, 3)", "(4, 5)");
    assert_fails(s3f_matmul(ctx, a, b, true, true, &y), S3F_ERR_SHAPE, "K = 2", "K = 5");
    assert_fails(s3f_matmul(ctx, a3, b3, false, false, &y), S3F_ERR_SHAPE, "batch", "(2, 3, 4)",
                 "(3, 4, 5)");
    assert_fails(s3f_matmul(ctx, v, b, false, false, &y), S3F_ERR_SHAPE, "2-D or 3-D", "(3)",
                 "(4, 5)");
    assert_fails(s3f_matmul(ctx, a4, b3, false, false, &y), S3F_ERR_SHAPE, "2-D or 3-D",
                 "(1, 2, 3, 4)", "(3, 4, 5)");
    assert_fails(s3f_matmul(ctx, a, f, false, false, &y), S3F_ERR_DTYPE, "matmul", "f64", "f32");
    assert_fails(s3f_matmul(ctx, ints, f, false, false, &y), S3F_ERR_DTYPE, "matmul", "i32");
    assert_fails(s3f_matmul(ctx, a, NULL, false, false, &y), S3F_ERR_ARG, "matmul", "b");
    s3f_tensor *all[] = {a, b, a3, b3, v, a4, f, ints};
    ts_destroy_all(8, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_values_loop_path),
        cmocka_unit_test(test_values_blas_path),
        cmocka_unit_test(test_values_blas_tiles),
        cmocka_unit_test(test_gradcheck_loop_path),
        cmocka_unit_test(test_gradcheck_blas_path),
        cmocka_unit_test(test_gradcheck_self_and_partial),
        cmocka_unit_test(test_f32_matches_f64),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_zero_sizes),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
