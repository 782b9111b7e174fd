/* se3t_test_check.c — see se3t_test_check.h. */
#include "se3t_test_check.h"

#include <math.h>
#include <stdio.h>

#include "test_support.h"

s3f_tensor *tc_output(const se3t_output *out)
{
    if (out->pred) return out->pred;
    if (out->pooled) return out->pooled;
    for (int d = 0; d <= TFN_MAX_DEGREE; d++)
        if (out->nodes.d[d]) return out->nodes.d[d]; /* the lowest degree present */
    return NULL;
}

static double weight_at(int64_t i)
{
    uint64_t z = (uint64_t)i * 0x9E3779B97F4A7C15ull + 12345;
    z = (z ^ (z >> 31)) * 0xBF58476D1CE4E5B9ull;
    return (double)((z ^ (z >> 29)) >> 11) * 0x1p-52 - 1.0;
}

/* Σ_d Σ_i w_i · out_d[i] over every output tensor, recorded on the tape. */
static s3f_tensor *projection(s3f_ctx_t *ctx, const se3t_output *out)
{
    s3f_tensor *total = NULL;
    s3f_tensor *parts[TFN_MAX_DEGREE + 2] = {NULL};
    int n = 0;
    if (out->pred || out->pooled)
        parts[n++] = tc_output(out);
    else
        for (int d = 0; d <= TFN_MAX_DEGREE; d++)
            if (out->nodes.d[d]) parts[n++] = out->nodes.d[d];
    for (int k = 0; k < n; k++) {
        s3f_tensor *w, *prod, *s;
        assert_ok(s3f_tensor_empty(ctx, parts[k]->dtype, parts[k]->shape, &w));
        for (int64_t i = 0; i < s3f_tensor_numel(w); i++)
            s3f_tensor_set(w, i, weight_at(i + 7919 * k));
        assert_ok(s3f_mul(ctx, parts[k], w, &prod));
        assert_ok(s3f_sum_all(ctx, prod, &s));
        if (total)
            assert_ok(s3f_add(ctx, total, s, &total));
        else
            total = s;
    }
    return total;
}

double tc_projected(const se3t_model *m, s3f_ctx_t *ctx, const test_graph *g, bool backward)
{
    s3f_ctx_reset(ctx);
    s3f_ctx_set_grad(ctx, backward);
    se3t_input in = tg_input(g);
    se3t_output out;
    assert_ok(se3t_forward(m, ctx, &in, &out));
    s3f_tensor *loss = projection(ctx, &out);
    double v = s3f_tensor_get(loss, 0);
    if (backward) {
        s3f_params_zero_grad(m->params);
        assert_ok(s3f_backward(ctx, loss));
    }
    return v;
}

void tc_gradcheck_params(se3t_model *m, const test_graph *g, int per_tensor, double h, double atol,
                         double rtol)
{
    s3f_ctx_t *ctx;
    assert_ok(s3f_ctx_create(0, &ctx));
    tc_projected(m, ctx, g, true);
    for (int t = 0; t < s3f_params_count(m->params); t++) {
        s3f_tensor *p = s3f_params_at(m->params, t), *grads = p->grad;
        int64_t n = s3f_tensor_numel(p);
        double gmax = 0;
        for (int64_t i = 0; i < n; i++) gmax = fmax(gmax, fabs(s3f_tensor_get(grads, i)));
        if (gmax == 0) fail_msg("gradient of %s is identically zero", p->name);
        for (int k = 0; k < per_tensor && k < n; k++) {
            int64_t i = (n * (2 * k + 1)) / (2 * per_tensor);
            double x0 = s3f_tensor_get(p, i), a = s3f_tensor_get(grads, i);
            s3f_tensor_set(p, i, x0 + h);
            double fp = tc_projected(m, ctx, g, false);
            s3f_tensor_set(p, i, x0 - h);
            double fm = tc_projected(m, ctx, g, false);
            s3f_tensor_set(p, i, x0);
            double num = (fp - fm) / (2 * h);
            if (fabs(a - num) > atol + 1e-6 * gmax + rtol * fmax(fabs(a), fabs(num)))
                fail_msg("%s[%lld]: analytic %.12g, numeric %.12g", p->name, (long long)i, a, num);
        }
    }
    s3f_ctx_destroy(ctx);
}
