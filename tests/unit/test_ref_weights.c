/* test_ref_weights.c — the deterministic reference weights of
 * tests/support/ref_weights.c against the values that its Python twin
 * (tests/fixtures/se3_transformer/ref_weights.py) prints with
 * `make_fixtures.py samples`: bit for bit in f64, rounded once in f32; the
 * scale rule picked from each name and shape (Linear weight and bias,
 * LayerNorm/GroupNorm gain and shift, LinearSE3, self-interaction); the
 * FNV-1a-64 seed against published test vectors; and the errors for
 * parameters no rule fits. */
#include <math.h>
#include <string.h>

#include "ref_weights.h"
#include "test_support.h"

#define KV "transformer.graph_modules.0.to_key_value.conv.0,0.radial_func.net."

typedef struct sample {
    const char *name;
    int64_t index;
    double value;
} sample;

static const struct {
    const char *name;
    s3f_shape shape;
} k_params[] = {
    {KV "0.weight", S3F_SHAPE(32, 5)},
    {KV "0.bias", S3F_SHAPE(32)},
    {KV "1.weight", S3F_SHAPE(32)},
    {KV "1.bias", S3F_SHAPE(32)},
    {"transformer.graph_modules.0.to_query.weights.0", S3F_SHAPE(16, 6)},
    {"transformer.graph_modules.14.to_kernel_self.0", S3F_SHAPE(128, 32)},
    {"transformer.graph_modules.1.group_norm.weight", S3F_SHAPE(128)},
    {"mlp.2.weight", S3F_SHAPE(1, 128)},
    {"mlp.2.bias", S3F_SHAPE(1)},
};

/* Printed by `python3 tests/fixtures/se3_transformer/make_fixtures.py samples`. */
static const sample k_samples[] = {
    {KV "0.weight", 0, 0x1.12960cdb3cc47p-2},   /* 0.2681505211650727 */
    {KV "0.weight", 1, 0x1.b137e2ec56f69p-2},   /* 0.4230647522688203 */
    {KV "0.weight", 159, 0x1.59bb30e6b8229p-5}, /* 0.04220351744675483 */
    {KV "0.bias", 0, 0x1.f85dc46437f68p-3},     /* 0.24627259665339385 */
    {KV "0.bias", 31, -0x1.80dfe8f275ce4p-2},   /* -0.3758541486726712 */
    {KV "1.weight", 0, 0x1.b794bd93c5b96p-1},   /* 0.8585566752325231 */
    {KV "1.weight", 7, 0x1.e862fd8d94db9p-1},   /* 0.9538802371338796 */
    {KV "1.bias", 0, 0x1.79311b31dc8bap-3},     /* 0.18417569394984473 */
    {KV "1.bias", 7, 0x1.0c40098909da8p-4},     /* 0.06549075817803518 */
    {"transformer.graph_modules.0.to_query.weights.0", 0, 0x1.7d48ca945bd07p-3},
    {"transformer.graph_modules.0.to_query.weights.0", 95, -0x1.593d7ed27bb11p-2},
    {"transformer.graph_modules.14.to_kernel_self.0", 0, -0x1.08568492a783dp-4},
    {"transformer.graph_modules.14.to_kernel_self.0", 4095, 0x1.533d9a9dc7ec0p-3},
    {"transformer.graph_modules.1.group_norm.weight", 127, 0x1.daa7ce8b66f4ep-1},
    {"mlp.2.weight", 0, -0x1.6d2712fb3b205p-6},   /* -0.02228714803361422 */
    {"mlp.2.weight", 127, -0x1.6bc6b4634dddcp-7}, /* -0.011101568298370994 */
    {"mlp.2.bias", 0, -0x1.0d0d446611a2cp-7},     /* -0.008210810087018926 */
};

enum { NUM_PARAMS = sizeof k_params / sizeof k_params[0] };
enum { NUM_SAMPLES = sizeof k_samples / sizeof k_samples[0] };

static s3f_params_t *filled_params(s3f_dtype dtype)
{
    s3f_params_t *p = NULL;
    assert_ok(s3f_params_create(dtype, &p));
    for (int i = 0; i < NUM_PARAMS; i++)
        assert_ok(s3f_params_add(p, k_params[i].name, k_params[i].shape, NULL));
    assert_ok(s3f_params_finalize(p));
    assert_ok(ref_weights_fill(p));
    return p;
}

static void test_seed_is_fnv1a_64(void **state)
{
    (void)state;
    assert_true(ref_weights_seed("") == 0xcbf29ce484222325ull);
    assert_true(ref_weights_seed("a") == 0xaf63dc4c8601ec8cull);
    assert_true(ref_weights_seed("foobar") == 0x85944171f73967e8ull);
}

static void test_f64_matches_python(void **state)
{
    (void)state;
    s3f_params_t *p = filled_params(S3F_F64);
    for (int i = 0; i < NUM_SAMPLES; i++) {
        double got = s3f_tensor_get(s3f_params_find(p, k_samples[i].name), k_samples[i].index);
        if (got != k_samples[i].value)
            fail_msg("%s[%lld] = %a, Python gives %a", k_samples[i].name,
                     (long long)k_samples[i].index, got, k_samples[i].value);
    }
    s3f_params_destroy(p);
}

static void test_f32_is_rounded_once(void **state)
{
    (void)state;
    s3f_params_t *p = filled_params(S3F_F32);
    for (int i = 0; i < NUM_SAMPLES; i++) {
        double got = s3f_tensor_get(s3f_params_find(p, k_samples[i].name), k_samples[i].index);
        assert_true(got == (double)(float)k_samples[i].value);
    }
    s3f_params_destroy(p);
}

/* Every value lies within its rule's range: |Linear| <= 1/sqrt(fan_in),
 * |LinearSE3| <= sqrt(3/C_in), gains in [0.75, 1.25], shifts in [-0.25, 0.25]. */
static void test_ranges_follow_the_rules(void **state)
{
    (void)state;
    s3f_params_t *p = filled_params(S3F_F64);
    const struct {
        const char *name;
        double lo, hi;
    } ranges[] = {
        {KV "0.weight", -1 / sqrt(5), 1 / sqrt(5)},
        {KV "0.bias", -1 / sqrt(5), 1 / sqrt(5)},
        {KV "1.weight", 0.75, 1.25},
        {KV "1.bias", -0.25, 0.25},
        {"transformer.graph_modules.0.to_query.weights.0", -sqrt(0.5), sqrt(0.5)},
        {"mlp.2.bias", -1 / sqrt(128), 1 / sqrt(128)},
    };
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        const s3f_tensor *t = s3f_params_find(p, ranges[r].name);
        double lo = INFINITY, hi = -INFINITY;
        for (int64_t i = 0; i < s3f_tensor_numel(t); i++) {
            lo = fmin(lo, s3f_tensor_get(t, i));
            hi = fmax(hi, s3f_tensor_get(t, i));
        }
        assert_true(lo >= ranges[r].lo && hi <= ranges[r].hi);
        /* 32 or more draws spread over most of the range */
        if (s3f_tensor_numel(t) >= 32) assert_true(hi - lo > 0.5 * (ranges[r].hi - ranges[r].lo));
    }
    s3f_params_destroy(p);
}

static void expect_refused(const char *name, s3f_shape shape, const char *message)
{
    s3f_params_t *p = NULL;
    assert_ok(s3f_params_create(S3F_F32, &p));
    assert_ok(s3f_params_add(p, name, shape, NULL));
    assert_fails(ref_weights_fill(p), S3F_ERR_STATE, "not finalised");
    assert_ok(s3f_params_finalize(p));
    assert_fails(ref_weights_fill(p), S3F_ERR_ARG, name, message);
    s3f_params_destroy(p);
}

static void test_unknown_parameters_are_refused(void **state)
{
    (void)state;
    expect_refused("mlp.0.bias", S3F_SHAPE(4), "a bias without 'mlp.0.weight'");
    expect_refused("conv.kernel", S3F_SHAPE(2, 3, 4), "no initialisation rule");
    expect_refused("scale", S3F_SHAPE(4), "no initialisation rule");
    expect_refused("bias", S3F_SHAPE(4), "no initialisation rule");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_is_fnv1a_64),
        cmocka_unit_test(test_f64_matches_python),
        cmocka_unit_test(test_f32_is_rounded_once),
        cmocka_unit_test(test_ranges_follow_the_rules),
        cmocka_unit_test(test_unknown_parameters_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
