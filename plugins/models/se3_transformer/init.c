/* init.c — parameter initialisation as the reference's PyTorch defaults
 * (SPEC §13), drawn from se3flow's Philox generator in declaration order:
 *   - Linear weights and biases (radial networks, MLP head):
 *     U(-1/sqrt(fan_in), +1/sqrt(fan_in));
 *   - LayerNorm and GroupNorm: weight 1, bias 0;
 *   - LinearSE3 weights and self-interaction kernels: N(0, 1/C_in).
 * Which is which follows from the names (`.weights.<d>`, `to_kernel_self`)
 * and shapes (1-D weights are norms; a bias after a 2-D weight is a Linear's). */
#include <math.h>
#include <string.h>

#include "model.h"

static bool is_equivariant_matrix(const char *name)
{
    return strstr(name, ".weights.") || strstr(name, ".to_kernel_self.");
}

static s3f_status init_one(s3f_params_t *p, int i, s3f_rng *rng)
{
    s3f_tensor *t = s3f_params_at(p, i);
    const char *name = t->name;
    if (t->shape.ndim == 2) {
        double fan_in = (double)(t->shape.d[1] ? t->shape.d[1] : 1);
        if (is_equivariant_matrix(name)) return s3f_tensor_fill_normal(t, rng, 0, 1 / sqrt(fan_in));
        double bound = 1 / sqrt(fan_in);
        return s3f_tensor_fill_uniform(t, rng, -bound, bound);
    }
    bool bias = strlen(name) > 5 && !strcmp(name + strlen(name) - 5, ".bias");
    s3f_tensor *prev = i > 0 ? s3f_params_at(p, i - 1) : NULL;
    if (bias && prev && prev->shape.ndim == 2) {
        double bound = 1 / sqrt((double)(prev->shape.d[1] ? prev->shape.d[1] : 1));
        return s3f_tensor_fill_uniform(t, rng, -bound, bound);
    }
    return s3f_tensor_fill(t, bias ? 0.0 : 1.0);
}

s3f_status se3t_init_params(se3t_model *m, uint64_t seed)
{
    s3f_rng rng = s3f_rng_make(seed);
    for (int i = 0; i < s3f_params_count(m->params); i++)
        S3F_RETURN_IF_ERR(init_one(m->params, i, &rng));
    return S3F_OK;
}
