/* adam.c — the `adam` optimizer plugin: Adam with bias correction and
 * decoupled weight decay (AdamW), as the reference's apex FusedAdam in
 * adam_w_mode (SPEC §15.3):
 *
 *     m = b1 m + (1-b1) g;   v = b2 v + (1-b2) g^2
 *     p -= lr * ( (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps) + wd p )
 *
 * It works on the flat parameter and gradient slabs (params.h): padding
 * between parameters is zero in both, so it stays zero. Each element is
 * updated on its own, so results do not depend on the thread count. */
#include <math.h>
#include <stdlib.h>

#include <se3flow/plugin.h>

typedef struct adam_options {
    double momentum; /* beta1 */
    double beta2;
    double eps;
    double weight_decay;
} adam_options;

static const s3f_option k_options[] = {
    S3F_OPT_FLOAT("momentum", adam_options, momentum, "0.9", 0, 0.999999,
                  "beta1: decay of the mean of gradients"),
    S3F_OPT_FLOAT("beta2", adam_options, beta2, "0.999", 0, 0.999999999,
                  "decay of the mean of squared gradients"),
    S3F_OPT_FLOAT("eps", adam_options, eps, "1e-8", 0, 1, "added to the denominator"),
    S3F_OPT_FLOAT("weight_decay", adam_options, weight_decay, "0.1", 0, 10,
                  "decoupled weight decay (AdamW)"),
    S3F_OPT_END,
};

static const char *const k_state_names[] = {"step", "exp_avg", "exp_avg_sq"};

typedef struct adam_state {
    adam_options opt;
    s3f_params_t *params;   /* borrowed */
    s3f_tensor *tensors[3]; /* step () i64, exp_avg (P), exp_avg_sq (P) */
} adam_state;

static void adam_destroy(void *state)
{
    adam_state *s = state;
    if (!s) return;
    for (int i = 0; i < 3; i++) s3f_tensor_destroy(s->tensors[i]);
    free(s);
}

static s3f_status adam_create(const void *options, s3f_params_t *params, void **out)
{
    adam_state *s = calloc(1, sizeof *s);
    if (!s) return s3f_fail(S3F_ERR_NOMEM, "adam: out of memory");
    s->opt = *(const adam_options *)options;
    s->params = params;
    const s3f_tensor *values = s3f_params_values(params);
    s3f_status rc = s3f_tensor_create(S3F_I64, S3F_SCALAR_SHAPE, &s->tensors[0]);
    for (int i = 1; i < 3 && rc == S3F_OK; i++)
        rc = s3f_tensor_create(values->dtype, values->shape, &s->tensors[i]);
    if (rc != S3F_OK)
        adam_destroy(s);
    else
        *out = s;
    return rc;
}

#define ADAM_UPDATE(T)                                                                             \
    do {                                                                                           \
        T *p = values->data, *m = s->tensors[1]->data, *v = s->tensors[2]->data;                   \
        const T *g = grads->data;                                                                  \
        _Pragma("omp parallel for schedule(static) if (n > 65536)") for (int64_t i = 0; i < n;     \
                                                                         i++)                      \
        {                                                                                          \
            double gi = g[i];                                                                      \
            double mi = o->momentum * m[i] + (1 - o->momentum) * gi;                               \
            double vi = o->beta2 * v[i] + (1 - o->beta2) * gi * gi;                                \
            m[i] = (T)mi;                                                                          \
            v[i] = (T)vi;                                                                          \
            double update = (mi / c1) / (sqrt(vi / c2) + o->eps) + o->weight_decay * p[i];         \
            p[i] = (T)(p[i] - lr * update);                                                        \
        }                                                                                          \
    } while (0)

static s3f_status adam_step(void *state, double lr)
{
    adam_state *s = state;
    const adam_options *o = &s->opt;
    s3f_tensor *values = s3f_params_values(s->params), *grads = s3f_params_grads(s->params);
    int64_t *step = s->tensors[0]->data, n = s3f_tensor_numel(values);
    ++*step;
    double c1 = 1 - pow(o->momentum, (double)*step), c2 = 1 - pow(o->beta2, (double)*step);
    if (values->dtype == S3F_F32)
        ADAM_UPDATE(float);
    else
        ADAM_UPDATE(double);
    return S3F_OK;
}

static s3f_status adam_state_tensors(void *state, int *count, const char *const **names,
                                     s3f_tensor *const **tensors)
{
    adam_state *s = state;
    *count = 3;
    *names = k_state_names;
    *tensors = s->tensors;
    return S3F_OK;
}

static const s3f_optimizer_i k_functions = {.create = adam_create,
                                            .step = adam_step,
                                            .state_tensors = adam_state_tensors,
                                            .destroy = adam_destroy};

static const s3f_plugin_descriptor k_plugin = {
    .abi_version = S3F_PLUGIN_ABI_VERSION,
    .kind = S3F_PLUGIN_OPTIMIZER,
    .name = "adam",
    .version = "1.0.0",
    .summary = "Adam with bias correction and decoupled weight decay (the reference's FusedAdam)",
    .options = k_options,
    .options_size = sizeof(adam_options),
    .interface = &k_functions,
};

S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *s3f_plugin_entry(void)
{
    return &k_plugin;
}
