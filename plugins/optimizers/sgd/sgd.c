/* sgd.c — the `sgd` optimizer plugin: torch.optim.SGD with momentum and L2
 * weight decay added to the gradient, no Nesterov (SPEC §15.3):
 *
 *     d = g + wd p;   b = (t == 1) ? d : mu b + d;   p -= lr b
 *
 * (torch starts the momentum buffer at the first gradient, without
 * dampening). Works on the flat slabs; padding stays zero. */
#include <stdlib.h>

#include <se3flow/plugin.h>

typedef struct sgd_options {
    double momentum;
    double weight_decay;
} sgd_options;

static const s3f_option k_options[] = {
    S3F_OPT_FLOAT("momentum", sgd_options, momentum, "0.9", 0, 0.999999,
                  "momentum factor (0: plain SGD)"),
    S3F_OPT_FLOAT("weight_decay", sgd_options, weight_decay, "0.1", 0, 10,
                  "L2 penalty added to the gradient"),
    S3F_OPT_END,
};

static const char *const k_state_names[] = {"step", "momentum_buffer"};

typedef struct sgd_state {
    sgd_options opt;
    s3f_params_t *params;   /* borrowed */
    s3f_tensor *tensors[2]; /* step () i64, momentum_buffer (P) */
} sgd_state;

static void sgd_destroy(void *state)
{
    sgd_state *s = state;
    if (!s) return;
    for (int i = 0; i < 2; i++) s3f_tensor_destroy(s->tensors[i]);
    free(s);
}

static s3f_status sgd_create(const void *options, s3f_params_t *params, void **out)
{
    sgd_state *s = calloc(1, sizeof *s);
    if (!s) return s3f_fail(S3F_ERR_NOMEM, "sgd: out of memory");
    s->opt = *(const sgd_options *)options;
    s->params = params;
    const s3f_tensor *values = s3f_params_values(params);
    s3f_status rc = s3f_tensor_create(S3F_I64, S3F_SCALAR_SHAPE, &s->tensors[0]);
    if (rc == S3F_OK) rc = s3f_tensor_create(values->dtype, values->shape, &s->tensors[1]);
    if (rc != S3F_OK)
        sgd_destroy(s);
    else
        *out = s;
    return rc;
}

#define SGD_UPDATE(T)                                                                              \
    do {                                                                                           \
        T *p = values->data, *b = s->tensors[1]->data;                                             \
        const T *g = grads->data;                                                                  \
        _Pragma("omp parallel for schedule(static) if (n > 65536)") for (int64_t i = 0; i < n;     \
                                                                         i++)                      \
        {                                                                                          \
            double d = (double)g[i] + o->weight_decay * p[i];                                      \
            double bi = first ? d : o->momentum * b[i] + d;                                        \
            b[i] = (T)bi;                                                                          \
            p[i] = (T)(p[i] - lr * (o->momentum > 0 ? bi : d));                                    \
        }                                                                                          \
    } while (0)

static s3f_status sgd_step(void *state, double lr)
{
    sgd_state *s = state;
    const sgd_options *o = &s->opt;
    s3f_tensor *values = s3f_params_values(s->params), *grads = s3f_params_grads(s->params);
    int64_t *step = s->tensors[0]->data, n = s3f_tensor_numel(values);
    bool first = ++*step == 1;
    if (values->dtype == S3F_F32)
        SGD_UPDATE(float);
    else
        SGD_UPDATE(double);
    return S3F_OK;
}

static s3f_status sgd_state_tensors(void *state, int *count, const char *const **names,
                                    s3f_tensor *const **tensors)
{
    sgd_state *s = state;
    *count = 2;
    *names = k_state_names;
    *tensors = s->tensors;
    return S3F_OK;
}

static const s3f_optimizer_i k_functions = {.create = sgd_create,
                                            .step = sgd_step,
                                            .state_tensors = sgd_state_tensors,
                                            .destroy = sgd_destroy};

static const s3f_plugin_descriptor k_plugin = {
    .abi_version = S3F_PLUGIN_ABI_VERSION,
    .kind = S3F_PLUGIN_OPTIMIZER,
    .name = "sgd",
    .version = "1.0.0",
    .summary = "SGD with momentum and L2 weight decay (torch.optim.SGD)",
    .options = k_options,
    .options_size = sizeof(sgd_options),
    .interface = &k_functions,
};

S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *s3f_plugin_entry(void)
{
    return &k_plugin;
}
