/* ref_weights.c — deterministic weights by name (see ref_weights.h and
 * tests/fixtures/se3_transformer/ref_weights.py, which must stay identical:
 * FNV-1a-64 seed, splitmix64 stream, scale from name and shape). */
#include "ref_weights.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { NAME_MAX_LEN = 512 };

typedef enum init_kind { INIT_BOUNDED, INIT_GAIN, INIT_SHIFT } init_kind;

uint64_t ref_weights_seed(const char *text)
{
    uint64_t h = 0xCBF29CE484222325ull;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 0x100000001B3ull;
    return h;
}

double ref_weights_uniform(uint64_t seed, int64_t index)
{
    uint64_t z = seed + (uint64_t)(index + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

/* The rule for a bias: a Linear's bound when its weight is 2-D, a norm's
 * shift when it is 1-D. */
static s3f_status bias_rule(const s3f_params_t *params, const char *name, size_t prefix_len,
                            init_kind *kind, double *bound)
{
    char weight_name[NAME_MAX_LEN];
    if (prefix_len + sizeof ".weight" > sizeof weight_name)
        return s3f_fail(S3F_ERR_ARG, "ref_weights: parameter name '%s' is too long", name);
    snprintf(weight_name, sizeof weight_name, "%.*s.weight", (int)prefix_len, name);
    const s3f_tensor *weight = s3f_params_find(params, weight_name);
    if (weight == NULL)
        return s3f_fail(S3F_ERR_ARG, "ref_weights: '%s' is a bias without '%s'", name, weight_name);
    if (weight->shape.ndim == 2) {
        *kind = INIT_BOUNDED;
        *bound = 1.0 / sqrt((double)weight->shape.d[1]);
    } else {
        *kind = INIT_SHIFT;
    }
    return S3F_OK;
}

/* Which rule fits parameter t (see ref_weights.py). */
static s3f_status pick_rule(const s3f_params_t *params, const s3f_tensor *t, init_kind *kind,
                            double *bound)
{
    const char *dot = strrchr(t->name, '.');
    const char *leaf = dot ? dot + 1 : t->name;
    size_t prefix_len = dot ? (size_t)(dot - t->name) : 0;
    if (t->shape.ndim == 2) {
        bool linear = strcmp(leaf, "weight") == 0;
        *kind = INIT_BOUNDED;
        *bound = linear ? 1.0 / sqrt((double)t->shape.d[1]) : sqrt(3.0 / (double)t->shape.d[1]);
        return S3F_OK;
    }
    if (t->shape.ndim == 1 && strcmp(leaf, "weight") == 0) {
        *kind = INIT_GAIN;
        return S3F_OK;
    }
    if (t->shape.ndim == 1 && strcmp(leaf, "bias") == 0 && dot)
        return bias_rule(params, t->name, prefix_len, kind, bound);
    return s3f_fail(S3F_ERR_ARG, "ref_weights: no initialisation rule for '%s' (%d-D)", t->name,
                    t->shape.ndim);
}

static s3f_status fill_one(const s3f_params_t *params, s3f_tensor *t)
{
    init_kind kind = INIT_BOUNDED;
    double bound = 0.0;
    S3F_RETURN_IF_ERR(pick_rule(params, t, &kind, &bound));
    uint64_t seed = ref_weights_seed(t->name);
    int64_t n = s3f_tensor_numel(t);
    for (int64_t i = 0; i < n; i++) {
        double x = 2.0 * ref_weights_uniform(seed, i) - 1.0;
        double v = kind == INIT_GAIN ? 1.0 + 0.25 * x : kind == INIT_SHIFT ? 0.25 * x : bound * x;
        s3f_tensor_set(t, i, v);
    }
    return S3F_OK;
}

s3f_status ref_weights_fill(s3f_params_t *params)
{
    if (s3f_params_values(params) == NULL) /* created by s3f_params_finalize */
        return s3f_fail(S3F_ERR_STATE, "ref_weights: the parameters are not finalised");
    for (int i = 0; i < s3f_params_count(params); i++)
        S3F_RETURN_IF_ERR(fill_one(params, s3f_params_at(params, i)));
    return S3F_OK;
}
