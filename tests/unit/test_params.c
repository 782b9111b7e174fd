/* test_params.c — parameter sets: declaring, finalising into value and
 * gradient slabs with 64-byte aligned views, lookup, the errors of
 * duplicate names and late declarations, zero_grad, numel without padding,
 * stable pointers across many declarations, and gradients reaching the
 * slab through the tape. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "test_support.h"

static s3f_params_t *new_params(s3f_dtype dtype)
{
    s3f_params_t *p;
    assert_ok(s3f_params_create(dtype, &p));
    return p;
}

static void test_create_and_dtypes(void **state)
{
    s3f_params_t *p = NULL;
    assert_fails(s3f_params_create(S3F_I32, &p), S3F_ERR_DTYPE, "i32");
    assert_fails(s3f_params_create(S3F_F16, &p), S3F_ERR_DTYPE, "f16");
    assert_null(p);
    p = new_params(S3F_F32);
    assert_int_equal(s3f_params_count(p), 0);
    assert_null(s3f_params_at(p, 0));
    assert_null(s3f_params_find(p, "w"));
    assert_null(s3f_params_values(p));
    assert_null(s3f_params_grads(p));
    s3f_params_zero_grad(p);           /* nothing to zero yet: no crash */
    assert_ok(s3f_params_finalize(p)); /* an empty set finalises too */
    assert_int_equal(s3f_params_numel(p), 0);
    s3f_params_destroy(p);
    s3f_params_destroy(NULL);
}

static void check_layout(s3f_dtype dtype)
{
    s3f_params_t *p = new_params(dtype);
    s3f_shape shapes[] = {S3F_SHAPE(3),    S3F_SHAPE(5, 7), S3F_SCALAR_SHAPE,
                          S3F_SHAPE(0, 4), S3F_SHAPE(2, 8), S3F_SHAPE(1, 1, 17)};
    const char *names[] = {"a.bias", "a.weight", "scale", "empty", "b.weight", "c"};
    enum { N = 6 };
    s3f_tensor *t[N];
    int64_t numel = 0;
    for (int i = 0; i < N; i++) {
        assert_ok(s3f_params_add(p, names[i], shapes[i], &t[i]));
        assert_null(t[i]->data); /* no storage before finalising */
        assert_true(t[i]->requires_grad);
        numel += s3f_shape_numel(&shapes[i]);
    }
    assert_ok(s3f_params_add(p, "no_out", S3F_SHAPE(2), NULL)); /* out is optional */
    numel += 2;
    assert_ok(s3f_params_finalize(p));
    assert_int_equal(s3f_params_count(p), N + 1);
    assert_int_equal(s3f_params_numel(p), numel);

    s3f_tensor *values = s3f_params_values(p), *grads = s3f_params_grads(p);
    assert_int_equal(values->dtype, dtype);
    assert_int_equal(values->shape.ndim, 1);
    assert_true(s3f_shape_equal(&values->shape, &grads->shape));
    assert_true(s3f_tensor_numel(values) >= numel);
    const char *vbase = values->data, *gbase = grads->data;
    const char *end = vbase + s3f_tensor_nbytes(values);
    const char *previous_end = vbase;
    for (int i = 0; i < N; i++) {
        const char *d = t[i]->data;
        assert_ptr_equal(s3f_params_at(p, i), t[i]);
        assert_ptr_equal(s3f_params_find(p, names[i]), t[i]);
        assert_string_equal(t[i]->name, names[i]);
        assert_int_equal(t[i]->dtype, dtype);
        assert_true(s3f_shape_equal(&t[i]->shape, &shapes[i]));
        /* a 64-byte aligned address inside the value slab, after the
         * previous parameter (declaration order) */
        assert_int_equal((uintptr_t)d % 64, 0);
        assert_true(d >= previous_end && d + s3f_tensor_nbytes(t[i]) <= end);
        previous_end = d + s3f_tensor_nbytes(t[i]);
        /* the gradient is the same offset in the gradient slab */
        assert_non_null(t[i]->grad);
        assert_ptr_equal((const char *)t[i]->grad->data, gbase + (d - vbase));
        assert_int_equal((uintptr_t)t[i]->grad->data % 64, 0);
        assert_int_equal(t[i]->grad->dtype, dtype);
        assert_true(s3f_shape_equal(&t[i]->grad->shape, &shapes[i]));
        assert_false(t[i]->flags & S3F_TENSOR_HEAP); /* owned by the set */
        for (int64_t k = 0; k < s3f_tensor_numel(t[i]); k++) {
            assert_true(s3f_tensor_get(t[i], k) == 0.0);
            assert_true(s3f_tensor_get(t[i]->grad, k) == 0.0);
        }
    }
    assert_null(s3f_params_at(p, N + 1));
    assert_null(s3f_params_at(p, -1));
    assert_null(s3f_params_find(p, "a"));

    /* Writing every parameter leaves the padding at zero. */
    for (int i = 0; i < N; i++)
        for (int64_t k = 0; k < s3f_tensor_numel(t[i]); k++) {
            s3f_tensor_set(t[i], k, 1.0);
            s3f_tensor_set(t[i]->grad, k, 2.0);
        }
    s3f_tensor_fill(s3f_params_find(p, "no_out"), 1.0);
    s3f_tensor_fill(s3f_params_find(p, "no_out")->grad, 2.0);
    int64_t ones = 0, twos = 0;
    for (int64_t k = 0; k < s3f_tensor_numel(values); k++) {
        double v = s3f_tensor_get(values, k), g = s3f_tensor_get(grads, k);
        assert_true(v == 0.0 || v == 1.0);
        assert_true(g == 0.0 || g == 2.0);
        ones += v == 1.0;
        twos += g == 2.0;
    }
    assert_int_equal(ones, numel);
    assert_int_equal(twos, numel);

    s3f_params_zero_grad(p);
    for (int64_t k = 0; k < s3f_tensor_numel(grads); k++)
        assert_true(s3f_tensor_get(grads, k) == 0.0);
    assert_true(s3f_tensor_get(t[1], 3) == 1.0); /* values untouched */
    s3f_params_destroy(p);
}

static void test_layout_f32(void **state)
{
    check_layout(S3F_F32);
}

static void test_layout_f64(void **state)
{
    check_layout(S3F_F64);
}

static void test_declaration_errors(void **state)
{
    s3f_params_t *p = new_params(S3F_F64);
    s3f_tensor *w = NULL, *other = NULL;
    assert_ok(s3f_params_add(p, "w", S3F_SHAPE(2, 2), &w));
    assert_fails(s3f_params_add(p, "w", S3F_SHAPE(3), &other), S3F_ERR_ARG, "'w'", "twice");
    assert_null(other);
    assert_fails(s3f_params_add(p, "neg", S3F_SHAPE(-1, 2), &other), S3F_ERR_SHAPE, "(-1, 2)");
    assert_null(other);
    assert_null(s3f_params_find(p, "neg"));
    assert_int_equal(s3f_params_count(p), 1);
    assert_ok(s3f_params_finalize(p));
    assert_fails(s3f_params_add(p, "late", S3F_SHAPE(1), &other), S3F_ERR_STATE, "'late'",
                 "finalised");
    assert_null(other);
    assert_int_equal(s3f_params_count(p), 1);
    assert_fails(s3f_params_finalize(p), S3F_ERR_STATE, "twice");
    assert_ptr_equal(s3f_params_find(p, "w"), w);
    assert_int_equal(s3f_params_numel(p), 4);
    s3f_params_destroy(p);
}

/* Pointers from add stay valid however many parameters follow (the table
 * grows past its first 64 entries), and names are copied. */
static void test_many_parameters(void **state)
{
    enum { N = 300 };
    s3f_params_t *p = new_params(S3F_F32);
    s3f_tensor *t[N];
    char name[32];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "layer.%d.weight", i);
        assert_ok(s3f_params_add(p, name, S3F_SHAPE(i % 7 + 1, 3), &t[i]));
    }
    strcpy(name, "clobbered");
    assert_ok(s3f_params_finalize(p));
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "layer.%d.weight", i);
        assert_ptr_equal(s3f_params_find(p, name), t[i]);
        assert_ptr_equal(s3f_params_at(p, i), t[i]);
        assert_string_equal(t[i]->name, name);
        assert_int_equal(t[i]->shape.d[0], i % 7 + 1);
        assert_int_equal((uintptr_t)t[i]->data % 64, 0);
        s3f_tensor_fill(t[i], i);
    }
    /* parameters do not overlap */
    for (int i = 0; i < N; i++) assert_true(s3f_tensor_get(t[i], 0) == i);
    s3f_params_destroy(p);
}

/* A parameter used by an op gets its gradient in the gradient slab. */
static void test_gradients_land_in_the_slab(void **state)
{
    s3f_params_t *p = new_params(S3F_F64);
    s3f_tensor *a, *b;
    assert_ok(s3f_params_add(p, "a", S3F_SHAPE(3), &a));
    assert_ok(s3f_params_add(p, "b", S3F_SHAPE(2), &b));
    assert_ok(s3f_params_finalize(p));
    assert_ok(s3f_tensor_fill(a, -1.5));
    s3f_ctx_t *ctx;
    assert_ok(s3f_ctx_create(0, &ctx));
    s3f_tensor *y, *seed;
    s3f_tensor *grad_view = a->grad;
    assert_ok(s3f_scale(ctx, a, 4, &y));
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SHAPE(3), &seed));
    assert_ok(s3f_tensor_fill(seed, 0.5));
    for (int step = 1; step <= 2; step++) {
        if (step == 2) assert_ok(s3f_scale(ctx, a, 4, &y));
        assert_ok(s3f_backward_from(ctx, y, seed));
        s3f_ctx_reset(ctx);
        assert_ptr_equal(a->grad, grad_view); /* not replaced by a new tensor */
        for (int k = 0; k < 3; k++) assert_true(s3f_tensor_get(a->grad, k) == 2.0 * step);
        assert_true(s3f_tensor_get(b->grad, 0) == 0.0);
    }
    const double *flat = s3f_params_grads(p)->data;
    assert_true(flat[0] == 4.0);
    s3f_params_zero_grad(p);
    assert_true(s3f_tensor_get(a->grad, 0) == 0.0);
    s3f_tensor_destroy(seed);
    s3f_ctx_destroy(ctx);
    s3f_params_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_and_dtypes), cmocka_unit_test(test_layout_f32),
        cmocka_unit_test(test_layout_f64),        cmocka_unit_test(test_declaration_errors),
        cmocka_unit_test(test_many_parameters),   cmocka_unit_test(test_gradients_land_in_the_slab),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
