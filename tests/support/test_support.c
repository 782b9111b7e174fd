/* test_support.c — the helpers of test_support.h. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "test_support.h"

static s3f_ctx_t *g_ctx;

s3f_ctx_t *ts_ctx(void)
{
    if (!g_ctx) assert_ok(s3f_ctx_create(0, &g_ctx));
    return g_ctx;
}

void ts_assert_ok_at(s3f_status rc, const char *expr, const char *file, int line)
{
    if (rc == S3F_OK) return;
    print_error("%s failed with %s: %s\n", expr, s3f_status_string(rc), s3f_last_error());
    _fail(file, line);
}

void ts_assert_fails_at(s3f_status rc, s3f_status code, const char *expr, const char *file,
                        int line, ...)
{
    if (rc != code) {
        print_error("%s returned %s (%s), expected %s\n", expr, s3f_status_string(rc),
                    s3f_last_error(), s3f_status_string(code));
        _fail(file, line);
    }
    va_list args;
    va_start(args, line);
    for (const char *s = va_arg(args, const char *); s; s = va_arg(args, const char *)) {
        if (!strstr(s3f_last_error(), s)) {
            print_error("%s: message \"%s\" lacks \"%s\"\n", expr, s3f_last_error(), s);
            va_end(args);
            _fail(file, line);
        }
    }
    va_end(args);
}

s3f_tensor *ts_random(s3f_dtype dtype, s3f_shape shape, uint64_t seed, double lo, double hi,
                      bool requires_grad)
{
    s3f_tensor *t;
    assert_ok(s3f_tensor_create(dtype, shape, &t));
    s3f_rng rng = s3f_rng_make(seed);
    assert_ok(s3f_tensor_fill_uniform(t, &rng, lo, hi));
    t->requires_grad = requires_grad;
    return t;
}

s3f_tensor *ts_from(s3f_dtype dtype, s3f_shape shape, const double *values)
{
    s3f_tensor *t;
    assert_ok(s3f_tensor_create(dtype, shape, &t));
    for (int64_t i = 0; i < s3f_tensor_numel(t); i++) s3f_tensor_set(t, i, values[i]);
    return t;
}

s3f_tensor *ts_index(int64_t n, const int32_t *values)
{
    s3f_tensor *t;
    assert_ok(s3f_tensor_create(S3F_I32, S3F_SHAPE(n), &t));
    if (n) memcpy(t->data, values, (size_t)n * sizeof(int32_t));
    return t;
}

s3f_tensor *ts_cast(const s3f_tensor *t, s3f_dtype dtype)
{
    s3f_tensor *c;
    assert_ok(s3f_tensor_create(dtype, t->shape, &c));
    assert_ok(s3f_tensor_cast(c, t));
    c->requires_grad = t->requires_grad;
    return c;
}

void ts_destroy_all(int n, s3f_tensor **tensors)
{
    for (int i = 0; i < n; i++) s3f_tensor_destroy(tensors[i]);
}

static void assert_same_shape(const s3f_tensor *a, const s3f_tensor *b, const char *file, int line)
{
    if (s3f_shape_equal(&a->shape, &b->shape)) return;
    char sa[128], sb[128];
    print_error("shapes differ: %s vs %s\n", s3f_shape_format(&a->shape, sa, sizeof sa),
                s3f_shape_format(&b->shape, sb, sizeof sb));
    _fail(file, line);
}

void ts_assert_close_at(const s3f_tensor *a, const s3f_tensor *b, double atol, double rtol,
                        const char *file, int line)
{
    assert_same_shape(a, b, file, line);
    for (int64_t i = 0; i < s3f_tensor_numel(a); i++) {
        double x = s3f_tensor_get(a, i), y = s3f_tensor_get(b, i);
        if (fabs(x - y) <= atol + rtol * fabs(y)) continue;
        if (isnan(x) && isnan(y)) continue;
        print_error("element %lld: %.17g vs %.17g (atol %g, rtol %g)\n", (long long)i, x, y, atol,
                    rtol);
        _fail(file, line);
    }
}

void ts_assert_bitwise_equal_at(const s3f_tensor *a, const s3f_tensor *b, const char *file,
                                int line)
{
    assert_same_shape(a, b, file, line);
    if (a->dtype != b->dtype || memcmp(a->data, b->data, s3f_tensor_nbytes(a)) != 0) {
        print_error("tensors are not bitwise equal\n");
        _fail(file, line);
    }
}

void ts_gradcheck_at(s3f_gradcheck_fn fn, void *user, int n, s3f_tensor **inputs, double atol,
                     double rtol, const char *file, int line)
{
    s3f_gradcheck_opts opts = {.atol = atol, .rtol = rtol};
    s3f_gradcheck_report report;
    s3f_status rc = s3f_gradcheck(ts_ctx(), fn, user, n, inputs, &opts, &report);
    if (rc != S3F_OK) {
        print_error("gradcheck failed (%s): %s\n", s3f_status_string(rc), s3f_last_error());
        _fail(file, line);
    }
    if (report.checked == 0) {
        print_error("gradcheck checked no element: no input requires a gradient\n");
        _fail(file, line);
    }
}

/* Heap copy of an arena tensor, so it survives ctx resets. */
static s3f_tensor *keep(const s3f_tensor *t)
{
    s3f_tensor *c;
    assert_ok(s3f_tensor_create(t->dtype, t->shape, &c));
    assert_ok(s3f_tensor_copy(c, t));
    return c;
}

void ts_assert_f32_matches_f64_at(s3f_gradcheck_fn fn, void *user, int n, s3f_tensor **inputs,
                                  double tol, const char *file, int line)
{
    s3f_tensor *narrow[S3F_OP_MAX_INPUTS * 4] = {0};
    assert_true(n <= S3F_OP_MAX_INPUTS * 4);
    for (int i = 0; i < n; i++)
        narrow[i] =
            inputs[i] && inputs[i]->dtype == S3F_F64 ? ts_cast(inputs[i], S3F_F32) : inputs[i];
    s3f_ctx_t *ctx = ts_ctx();
    bool previous = s3f_ctx_set_grad(ctx, false);
    s3f_tensor *out64, *out32;
    s3f_ctx_reset(ctx);
    assert_ok(fn(ctx, inputs, user, &out64));
    s3f_tensor *wide = keep(out64);
    assert_ok(fn(ctx, narrow, user, &out32));
    assert_int_equal(out32->dtype, S3F_F32);
    assert_same_shape(out32, wide, file, line);
    for (int64_t i = 0; i < s3f_tensor_numel(wide); i++) {
        double x = s3f_tensor_get(out32, i), y = s3f_tensor_get(wide, i);
        if (fabs(x - y) > tol * (1 + fabs(y))) {
            print_error("f32 vs f64 at %lld: %.9g vs %.17g (tol %g)\n", (long long)i, x, y, tol);
            _fail(file, line);
        }
    }
    s3f_ctx_set_grad(ctx, previous);
    s3f_ctx_reset(ctx);
    s3f_tensor_destroy(wide);
    for (int i = 0; i < n; i++)
        if (narrow[i] != inputs[i]) s3f_tensor_destroy(narrow[i]);
}

typedef struct run_result {
    s3f_tensor *out;
    s3f_tensor *grads[S3F_OP_MAX_INPUTS * 4];
} run_result;

static run_result run_with_threads(s3f_gradcheck_fn fn, void *user, int n, s3f_tensor **inputs,
                                   int threads)
{
    run_result r = {0};
    omp_set_num_threads(threads);
    s3f_ctx_t *ctx = ts_ctx();
    s3f_ctx_reset(ctx);
    for (int i = 0; i < n; i++)
        if (inputs[i] && inputs[i]->grad) assert_ok(s3f_tensor_fill(inputs[i]->grad, 0));
    s3f_tensor *out, *seed;
    assert_ok(fn(ctx, inputs, user, &out));
    r.out = keep(out);
    if (out->requires_grad) {
        assert_ok(s3f_tensor_create(out->dtype, out->shape, &seed));
        s3f_rng rng = s3f_rng_make(99);
        assert_ok(s3f_tensor_fill_uniform(seed, &rng, -1, 1));
        assert_ok(s3f_backward_from(ctx, out, seed));
        s3f_tensor_destroy(seed);
    }
    for (int i = 0; i < n; i++)
        if (inputs[i] && inputs[i]->grad) r.grads[i] = keep(inputs[i]->grad);
    s3f_ctx_reset(ctx);
    return r;
}

void ts_assert_deterministic_at(s3f_gradcheck_fn fn, void *user, int n, s3f_tensor **inputs,
                                const char *file, int line)
{
    assert_true(n <= S3F_OP_MAX_INPUTS * 4);
    int saved_threads = omp_get_max_threads();
    run_result one = run_with_threads(fn, user, n, inputs, 1);
    run_result two = run_with_threads(fn, user, n, inputs, 2);
    omp_set_num_threads(saved_threads);
    ts_assert_bitwise_equal_at(one.out, two.out, file, line);
    for (int i = 0; i < n; i++) {
        bool same_presence = (one.grads[i] == NULL) == (two.grads[i] == NULL);
        if (same_presence && one.grads[i])
            ts_assert_bitwise_equal_at(one.grads[i], two.grads[i], file, line);
        s3f_tensor_destroy(one.grads[i]);
        s3f_tensor_destroy(two.grads[i]);
        if (!same_presence) {
            print_error("input %d got a gradient with one thread count but not the other\n", i);
            _fail(file, line);
        }
    }
    s3f_tensor_destroy(one.out);
    s3f_tensor_destroy(two.out);
}

void ts_assert_accumulates(s3f_gradcheck_fn fn, void *user, s3f_tensor **in)
{
    s3f_tensor *x = in[0], *y, *seed = NULL, *once = NULL;
    if (x->grad) assert_ok(s3f_tensor_fill(x->grad, 0));
    for (int pass = 0; pass < 2; pass++) {
        assert_ok(fn(ts_ctx(), in, user, &y));
        if (!seed) seed = ts_random(y->dtype, y->shape, 5, -1, 1, false);
        assert_ok(s3f_backward_from(ts_ctx(), y, seed));
        if (!once) once = ts_cast(x->grad, S3F_F64);
        s3f_ctx_reset(ts_ctx());
    }
    for (int64_t i = 0; i < s3f_tensor_numel(x); i++)
        assert_true(fabs(s3f_tensor_get(x->grad, i) - 2 * s3f_tensor_get(once, i)) < 1e-12);
    s3f_tensor_destroy(seed);
    s3f_tensor_destroy(once);
}

s3f_tensor *ts_random_offsets(int64_t S, uint32_t seed)
{
    s3f_tensor *t;
    assert_ok(s3f_tensor_create(S3F_I32, S3F_SHAPE(S + 1), &t));
    int32_t *off = t->data;
    off[0] = 0;
    for (int64_t s = 0; s < S; s++) {
        seed = seed * 1664525u + 1013904223u;
        off[s + 1] = off[s] + (int32_t)((seed >> 8) % 5u);
    }
    return t;
}
