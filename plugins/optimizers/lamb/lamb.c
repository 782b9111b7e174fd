/* lamb.c — the `lamb` optimizer plugin, as the reference's apex FusedLAMB
 * (SPEC §15.3): gradients first scaled down so that their global L2 norm is
 * at most max_grad_norm; then per parameter tensor Adam moments with bias
 * correction, the update u = m_hat / (sqrt(v_hat) + eps) + wd p, and, for
 * tensors with non-zero decay, the trust ratio ||p|| / ||u|| (1 when either
 * norm is 0):  p -= lr * ratio * u.
 *
 * Norms are summed in a fixed order (parameter by parameter, element by
 * element) so results do not depend on the thread count. */
#include <math.h>
#include <stdlib.h>

#include <se3flow/plugin.h>

typedef struct lamb_options {
    double momentum; /* beta1 */
    double beta2;
    double eps;
    double weight_decay;
    double max_grad_norm;
} lamb_options;

static const s3f_option k_options[] = {
    S3F_OPT_FLOAT("momentum", lamb_options, momentum, "0.9", 0, 0.999999,
                  "beta1: decay of the mean of gradients"),
    S3F_OPT_FLOAT("beta2", lamb_options, beta2, "0.999", 0, 0.999999999,
                  "decay of the mean of squared gradients"),
    S3F_OPT_FLOAT("eps", lamb_options, eps, "1e-6", 0, 1, "added to the denominator"),
    S3F_OPT_FLOAT("weight_decay", lamb_options, weight_decay, "0.1", 0, 10,
                  "decoupled weight decay inside the update"),
    S3F_OPT_FLOAT("max_grad_norm", lamb_options, max_grad_norm, "1.0", 1e-12, INFINITY,
                  "global gradient norm clip"),
    S3F_OPT_END,
};

static const char *const k_state_names[] = {"step", "exp_avg", "exp_avg_sq"};

typedef struct lamb_state {
    lamb_options opt;
    s3f_params_t *params;   /* borrowed */
    s3f_tensor *tensors[3]; /* step () i64, exp_avg (P), exp_avg_sq (P) */
} lamb_state;

/* The per-tensor view of one parameter, all as double loads/stores. */
typedef struct slice {
    s3f_dtype dtype;
    void *p, *m, *v;
    const void *g;
    int64_t n;
} slice;

static double get(const void *a, s3f_dtype dtype, int64_t i)
{
    return dtype == S3F_F32 ? ((const float *)a)[i] : ((const double *)a)[i];
}

static void put(void *a, s3f_dtype dtype, int64_t i, double x)
{
    if (dtype == S3F_F32)
        ((float *)a)[i] = (float)x;
    else
        ((double *)a)[i] = x;
}

static void lamb_destroy(void *state)
{
    lamb_state *s = state;
    if (!s) return;
    for (int i = 0; i < 3; i++) s3f_tensor_destroy(s->tensors[i]);
    free(s);
}

static s3f_status lamb_create(const void *options, s3f_params_t *params, void **out)
{
    lamb_state *s = calloc(1, sizeof *s);
    if (!s) return s3f_fail(S3F_ERR_NOMEM, "lamb: out of memory");
    s->opt = *(const lamb_options *)options;
    s->params = params;
    const s3f_tensor *values = s3f_params_values(params);
    s3f_status rc = s3f_tensor_create(S3F_I64, S3F_SCALAR_SHAPE, &s->tensors[0]);
    for (int i = 1; i < 3 && rc == S3F_OK; i++)
        rc = s3f_tensor_create(values->dtype, values->shape, &s->tensors[i]);
    if (rc != S3F_OK)
        lamb_destroy(s);
    else
        *out = s;
    return rc;
}

static slice slice_of(const lamb_state *s, int k)
{
    const s3f_tensor *values = s3f_params_values(s->params), *t = s3f_params_at(s->params, k);
    size_t offset = (size_t)((const char *)t->data - (const char *)values->data);
    slice sl = {values->dtype,
                t->data,
                (char *)s->tensors[1]->data + offset,
                (char *)s->tensors[2]->data + offset,
                t->grad->data,
                s3f_tensor_numel(t)};
    return sl;
}

static double global_grad_norm(const lamb_state *s)
{
    double sum = 0;
    for (int k = 0; k < s3f_params_count(s->params); k++) {
        slice sl = slice_of(s, k);
        for (int64_t i = 0; i < sl.n; i++) sum += get(sl.g, sl.dtype, i) * get(sl.g, sl.dtype, i);
    }
    return sqrt(sum);
}

/* Updates the moments of one tensor and returns ||p||^2 and ||u||^2; u is
 * recomputed from the stored moments in apply(), so nothing extra is kept
 * (and both passes see the same rounded m and v). */
static void moments(const lamb_options *o, slice sl, double scale, double c1, double c2,
                    double *p_sq, double *u_sq)
{
    double ps = 0, us = 0;
    for (int64_t i = 0; i < sl.n; i++) {
        double g = get(sl.g, sl.dtype, i) / scale, p = get(sl.p, sl.dtype, i);
        double m = o->momentum * get(sl.m, sl.dtype, i) + (1 - o->momentum) * g;
        double v = o->beta2 * get(sl.v, sl.dtype, i) + (1 - o->beta2) * g * g;
        put(sl.m, sl.dtype, i, m);
        put(sl.v, sl.dtype, i, v);
        double u = (get(sl.m, sl.dtype, i) / c1) / (sqrt(get(sl.v, sl.dtype, i) / c2) + o->eps) +
                   o->weight_decay * p;
        ps += p * p;
        us += u * u;
    }
    *p_sq = ps;
    *u_sq = us;
}

static void apply(const lamb_options *o, slice sl, double c1, double c2, double step_size)
{
    for (int64_t i = 0; i < sl.n; i++) {
        double p = get(sl.p, sl.dtype, i);
        double u = (get(sl.m, sl.dtype, i) / c1) / (sqrt(get(sl.v, sl.dtype, i) / c2) + o->eps) +
                   o->weight_decay * p;
        put(sl.p, sl.dtype, i, p - step_size * u);
    }
}

static s3f_status lamb_step(void *state, double lr)
{
    lamb_state *s = state;
    const lamb_options *o = &s->opt;
    int64_t *step = s->tensors[0]->data;
    ++*step;
    double c1 = 1 - pow(o->momentum, (double)*step), c2 = 1 - pow(o->beta2, (double)*step);
    double norm = global_grad_norm(s),
           scale = norm > o->max_grad_norm ? norm / o->max_grad_norm : 1;
    for (int k = 0; k < s3f_params_count(s->params); k++) {
        slice sl = slice_of(s, k);
        double p_sq, u_sq, ratio = 1;
        moments(o, sl, scale, c1, c2, &p_sq, &u_sq);
        if (o->weight_decay != 0 && p_sq > 0 && u_sq > 0) ratio = sqrt(p_sq) / sqrt(u_sq);
        apply(o, sl, c1, c2, lr * ratio);
    }
    return S3F_OK;
}

static s3f_status lamb_state_tensors(void *state, int *count, const char *const **names,
                                     s3f_tensor *const **tensors)
{
    lamb_state *s = state;
    *count = 3;
    *names = k_state_names;
    *tensors = s->tensors;
    return S3F_OK;
}

static const s3f_optimizer_i k_functions = {.create = lamb_create,
                                            .step = lamb_step,
                                            .state_tensors = lamb_state_tensors,
                                            .destroy = lamb_destroy};

static const s3f_plugin_descriptor k_plugin = {
    .abi_version = S3F_PLUGIN_ABI_VERSION,
    .kind = S3F_PLUGIN_OPTIMIZER,
    .name = "lamb",
    .version = "1.0.0",
    .summary =
        "LAMB with global gradient-norm clipping and trust ratio (the reference's FusedLAMB)",
    .options = k_options,
    .options_size = sizeof(lamb_options),
    .interface = &k_functions,
};

S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *s3f_plugin_entry(void)
{
    return &k_plugin;
}
