/* test_context.c — contexts: step tensors (empty, zeros, zeros_like),
 * views and row slices with their errors, the arena limit seen through a
 * context, reset, and the gradient-mode switch. Recording itself is in
 * test_autograd.c. */
#include <stdint.h>
#include <string.h>

#include "test_support.h"

static s3f_ctx_t *new_ctx(size_t limit)
{
    s3f_ctx_t *ctx;
    assert_ok(s3f_ctx_create(limit, &ctx));
    return ctx;
}

static void test_grad_mode(void **state)
{
    s3f_ctx_t *ctx = new_ctx(0);
    assert_true(s3f_ctx_grad_enabled(ctx));
    assert_true(s3f_ctx_set_grad(ctx, false));
    assert_false(s3f_ctx_grad_enabled(ctx));
    assert_false(s3f_ctx_set_grad(ctx, false));
    assert_false(s3f_ctx_set_grad(ctx, true));
    assert_true(s3f_ctx_grad_enabled(ctx));
    /* a reset does not change the mode */
    s3f_ctx_set_grad(ctx, false);
    s3f_ctx_reset(ctx);
    assert_false(s3f_ctx_grad_enabled(ctx));
    s3f_ctx_destroy(ctx);
    s3f_ctx_destroy(NULL);
}

static void test_step_tensors(void **state)
{
    s3f_ctx_t *ctx = new_ctx(0);
    s3f_dtype dtypes[] = {S3F_F32, S3F_F64, S3F_F16, S3F_BF16, S3F_I32, S3F_I64, S3F_U8};
    for (int k = 0; k < 7; k++) {
        /* dirty the arena so that zeros has something to clear */
        void *junk;
        assert_ok(s3f_arena_alloc(s3f_ctx_arena(ctx), 4096, &junk));
        memset(junk, 0xff, 4096);
        s3f_ctx_reset(ctx);

        s3f_tensor *e, *z;
        assert_ok(s3f_tensor_empty(ctx, dtypes[k], S3F_SHAPE(3, 5, 2), &e));
        assert_ok(s3f_tensor_zeros(ctx, dtypes[k], S3F_SHAPE(7, 3), &z));
        s3f_tensor *ts[] = {e, z};
        for (int i = 0; i < 2; i++) {
            assert_int_equal(ts[i]->dtype, dtypes[k]);
            assert_int_equal(ts[i]->device, S3F_CPU);
            assert_int_equal(ts[i]->flags, 0); /* arena-owned: neither HEAP nor OWNS_DATA */
            assert_null(ts[i]->grad);
            assert_false(ts[i]->requires_grad);
            assert_null(ts[i]->name);
            assert_int_equal((uintptr_t)ts[i]->data % 64, 0);
        }
        assert_int_equal(e->shape.ndim, 3);
        assert_int_equal(s3f_tensor_numel(e), 30);
        memset(e->data, 0x11, s3f_tensor_nbytes(e)); /* writable */
        const unsigned char *bytes = z->data;
        for (size_t i = 0; i < s3f_tensor_nbytes(z); i++) assert_int_equal(bytes[i], 0);

        s3f_tensor *zl;
        assert_ok(s3f_tensor_zeros_like(ctx, e, &zl));
        assert_int_equal(zl->dtype, e->dtype);
        assert_true(s3f_shape_equal(&zl->shape, &e->shape));
        bytes = zl->data;
        for (size_t i = 0; i < s3f_tensor_nbytes(zl); i++) assert_int_equal(bytes[i], 0);
        assert_ptr_not_equal(zl->data, e->data);
    }
    s3f_tensor *scalar, *empty;
    assert_ok(s3f_tensor_zeros(ctx, S3F_F64, S3F_SCALAR_SHAPE, &scalar));
    assert_int_equal(s3f_tensor_numel(scalar), 1);
    assert_true(s3f_tensor_get(scalar, 0) == 0.0);
    assert_ok(s3f_tensor_zeros(ctx, S3F_F32, S3F_SHAPE(0, 8), &empty));
    assert_non_null(empty->data);
    assert_true(s3f_arena_used(s3f_ctx_arena(ctx)) > 0);
    s3f_ctx_reset(ctx);
    assert_int_equal(s3f_arena_used(s3f_ctx_arena(ctx)), 0);
    s3f_ctx_destroy(ctx);
}

static void test_step_tensor_errors(void **state)
{
    s3f_ctx_t *ctx = new_ctx(64 * 1024);
    s3f_tensor *t = NULL;
    assert_fails(s3f_tensor_empty(ctx, S3F_F32, S3F_SHAPE(2, -1), &t), S3F_ERR_SHAPE, "(2, -1)");
    assert_fails(s3f_tensor_zeros(ctx, (s3f_dtype)17, S3F_SHAPE(2), &t), S3F_ERR_DTYPE, "17");
    assert_fails(s3f_tensor_zeros(ctx, S3F_F64, S3F_SHAPE(INT64_MAX, 2), &t), S3F_ERR_SHAPE,
                 "too large");
    /* past the arena limit: an error, no crash, and the context lives on */
    assert_fails(s3f_tensor_zeros(ctx, S3F_F64, S3F_SHAPE(100, 100), &t), S3F_ERR_NOMEM, "80000",
                 "65536");
    assert_null(t);
    assert_ok(s3f_tensor_zeros(ctx, S3F_F64, S3F_SHAPE(10, 10), &t));
    s3f_ctx_destroy(ctx);
}

static s3f_tensor *iota(s3f_ctx_t *ctx, s3f_dtype dtype, s3f_shape shape)
{
    s3f_tensor *t;
    assert_ok(s3f_tensor_empty(ctx, dtype, shape, &t));
    for (int64_t i = 0; i < s3f_tensor_numel(t); i++) s3f_tensor_set(t, i, (double)i);
    return t;
}

static void test_view(void **state)
{
    s3f_ctx_t *ctx = new_ctx(0);
    s3f_tensor *x = iota(ctx, S3F_F32, S3F_SHAPE(2, 3)), *v;
    x->name = "x";
    assert_ok(s3f_tensor_view(ctx, x, S3F_SHAPE(3, 2), &v));
    assert_ptr_equal(v->data, x->data);
    assert_int_equal(v->dtype, S3F_F32);
    assert_int_equal(v->shape.ndim, 2);
    assert_int_equal(v->shape.d[0], 3);
    assert_string_equal(v->name, "x");
    assert_false(v->requires_grad);
    assert_null(v->grad);
    assert_int_equal(v->flags, 0);
    s3f_tensor_set(v, 5, 42); /* shared data */
    assert_true(s3f_tensor_get(x, 5) == 42);
    assert_ok(s3f_tensor_view(ctx, x, S3F_SHAPE(6), &v));
    assert_ok(s3f_tensor_view(ctx, x, S3F_SHAPE(1, 6, 1, 1, 1, 1), &v));
    s3f_tensor *one = iota(ctx, S3F_F64, S3F_SHAPE(1, 1)), *sv;
    assert_ok(s3f_tensor_view(ctx, one, S3F_SCALAR_SHAPE, &sv));
    assert_int_equal(sv->shape.ndim, 0);

    v = NULL;
    assert_fails(s3f_tensor_view(ctx, x, S3F_SHAPE(4, 2), &v), S3F_ERR_SHAPE, "(2, 3)", "(4, 2)");
    assert_null(v);
    assert_fails(s3f_tensor_view(ctx, x, S3F_SHAPE(-2, -3), &v), S3F_ERR_SHAPE, "negative");
    assert_fails(s3f_tensor_view(ctx, x, S3F_SCALAR_SHAPE, &v), S3F_ERR_SHAPE, "(2, 3)", "()");
    s3f_ctx_destroy(ctx);
}

static void test_slice(void **state)
{
    s3f_ctx_t *ctx = new_ctx(0);
    s3f_dtype dtypes[] = {S3F_F64, S3F_F16, S3F_U8};
    for (int k = 0; k < 3; k++) {
        s3f_tensor *x = iota(ctx, dtypes[k], S3F_SHAPE(5, 2, 3)), *s;
        for (int64_t start = 0; start <= 5; start++) {
            for (int64_t count = 0; start + count <= 5; count++) {
                assert_ok(s3f_tensor_slice(ctx, x, start, count, &s));
                assert_int_equal(s->shape.ndim, 3);
                assert_int_equal(s->shape.d[0], count);
                assert_int_equal(s->shape.d[1], 2);
                assert_int_equal(s->shape.d[2], 3);
                assert_int_equal(s->dtype, dtypes[k]);
                assert_ptr_equal(s->data,
                                 (char *)x->data + start * 6 * (int64_t)s3f_dtype_size(dtypes[k]));
                for (int64_t i = 0; i < count * 6; i++)
                    assert_true(s3f_tensor_get(s, i) == (double)(start * 6 + i));
            }
        }
    }
    s3f_tensor *v = iota(ctx, S3F_I32, S3F_SHAPE(4)), *s = NULL;
    assert_ok(s3f_tensor_slice(ctx, v, 1, 2, &s));
    assert_int_equal(((int32_t *)s->data)[0], 1);
    assert_int_equal(((int32_t *)s->data)[1], 2);

    s = NULL;
    assert_fails(s3f_tensor_slice(ctx, v, 3, 2, &s), S3F_ERR_SHAPE, "(4)", "3");
    assert_fails(s3f_tensor_slice(ctx, v, -1, 2, &s), S3F_ERR_SHAPE, "(4)", "-1");
    assert_fails(s3f_tensor_slice(ctx, v, 5, 0, &s), S3F_ERR_SHAPE, "(4)", "5");
    assert_fails(s3f_tensor_slice(ctx, v, 0, -1, &s), S3F_ERR_SHAPE, "(4)");
    assert_fails(s3f_tensor_slice(ctx, v, 0, 5, &s), S3F_ERR_SHAPE, "(4)");
    /* start + count overflows int64_t: still a plain error */
    assert_fails(s3f_tensor_slice(ctx, v, 2, INT64_MAX, &s), S3F_ERR_SHAPE, "(4)");
    assert_fails(s3f_tensor_slice(ctx, v, INT64_MAX, INT64_MAX, &s), S3F_ERR_SHAPE, "(4)");
    assert_fails(s3f_tensor_slice(ctx, v, INT64_MIN, 1, &s), S3F_ERR_SHAPE, "(4)");
    assert_null(s);
    s3f_tensor *scalar;
    assert_ok(s3f_tensor_zeros(ctx, S3F_F32, S3F_SCALAR_SHAPE, &scalar));
    assert_fails(s3f_tensor_slice(ctx, scalar, 0, 1, &s), S3F_ERR_SHAPE, "scalar");
    s3f_ctx_destroy(ctx);
}

/* A heap tensor outlives resets; step tensors do not need to. */
static void test_views_of_heap_tensors(void **state)
{
    s3f_ctx_t *ctx = new_ctx(0);
    s3f_tensor *h, *v;
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(4, 4), &h));
    assert_ok(s3f_tensor_slice(ctx, h, 2, 2, &v));
    s3f_tensor_set(v, 0, 3.0);
    assert_true(s3f_tensor_get(h, 8) == 3.0);
    assert_int_equal(v->flags, 0); /* the view does not own the heap data */
    s3f_ctx_reset(ctx);
    assert_true(s3f_tensor_get(h, 8) == 3.0);
    s3f_tensor_destroy(h);
    s3f_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grad_mode),
        cmocka_unit_test(test_step_tensors),
        cmocka_unit_test(test_step_tensor_errors),
        cmocka_unit_test(test_view),
        cmocka_unit_test(test_slice),
        cmocka_unit_test(test_views_of_heap_tensors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
