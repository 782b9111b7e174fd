/* gradcheck.c — finite-difference gradient checks (gradcheck.h).
 *
 * The scalar checked is sum(w * out) for fixed random weights w, so a single
 * backward pass seeded with w gives the analytic gradient of every input. */
#include <math.h>
#include <stdio.h>

#include "se3flow/gradcheck.h"
#include "se3flow/rng.h"

typedef struct check_state {
    s3f_ctx_t *ctx;
    s3f_gradcheck_fn fn;
    void *user;
    int n_inputs;
    s3f_tensor *const *inputs;
    const s3f_tensor *weights;
} check_state;

/* sum(w * fn(inputs)) with gradients off. */
static s3f_status projected(const check_state *st, double *value)
{
    s3f_ctx_reset(st->ctx);
    bool previous = s3f_ctx_set_grad(st->ctx, false);
    s3f_tensor *out = NULL;
    s3f_status rc = st->fn(st->ctx, st->inputs, st->user, &out);
    s3f_ctx_set_grad(st->ctx, previous);
    if (rc != S3F_OK) return rc;
    double sum = 0;
    for (int64_t i = 0; i < s3f_tensor_numel(out); i++)
        sum += s3f_tensor_get(st->weights, i) * s3f_tensor_get(out, i);
    *value = sum;
    return S3F_OK;
}

static s3f_status check_inputs(int n, s3f_tensor *const *inputs)
{
    for (int i = 0; i < n; i++) {
        if (!inputs[i] || !inputs[i]->requires_grad) continue;
        if (inputs[i]->dtype != S3F_F64 || !(inputs[i]->flags & S3F_TENSOR_HEAP))
            return s3f_fail(S3F_ERR_ARG, "gradcheck: input %d must be a heap f64 tensor", i);
        if (inputs[i]->grad) s3f_tensor_fill(inputs[i]->grad, 0.0);
    }
    return S3F_OK;
}

/* Runs forward with gradients and backward seeded with random weights; on
 * success *weights (heap, caller frees) holds the seed. */
static s3f_status analytic(check_state *st, uint64_t seed, s3f_tensor **weights)
{
    s3f_ctx_reset(st->ctx);
    s3f_tensor *out = NULL, *w = NULL;
    /* Record even if the caller left no-grad mode on: otherwise every
     * analytic gradient reads as 0 and a correct op fails the check. */
    bool previous = s3f_ctx_set_grad(st->ctx, true);
    s3f_status rc = st->fn(st->ctx, st->inputs, st->user, &out);
    s3f_ctx_set_grad(st->ctx, previous);
    S3F_RETURN_IF_ERR(rc);
    S3F_RETURN_IF_ERR(s3f_tensor_create(out->dtype, out->shape, &w));
    s3f_rng rng = s3f_rng_make(seed);
    rc = s3f_tensor_fill_uniform(w, &rng, -1.0, 1.0);
    if (rc == S3F_OK && out->requires_grad) rc = s3f_backward_from(st->ctx, out, w);
    if (rc != S3F_OK) {
        s3f_tensor_destroy(w);
        return rc;
    }
    *weights = w;
    return S3F_OK;
}

static s3f_status numeric(const check_state *st, s3f_tensor *x, int64_t i, double h, double *d)
{
    double x0 = s3f_tensor_get(x, i), plus, minus;
    s3f_tensor_set(x, i, x0 + h);
    s3f_status rc = projected(st, &plus);
    s3f_tensor_set(x, i, x0 - h);
    if (rc == S3F_OK) rc = projected(st, &minus);
    s3f_tensor_set(x, i, x0);
    if (rc == S3F_OK) *d = (plus - minus) / (2 * h);
    return rc;
}

static s3f_status compare_all(const check_state *st, const s3f_gradcheck_opts *o,
                              s3f_gradcheck_report *r)
{
    double h = o->step > 0 ? o->step : 1e-6, atol = o->atol > 0 ? o->atol : 1e-7;
    double rtol = o->rtol > 0 ? o->rtol : 1e-5, worst_excess = 0;
    s3f_status verdict = S3F_OK;
    for (int k = 0; k < st->n_inputs; k++) {
        s3f_tensor *x = st->inputs[k];
        if (!x || !x->requires_grad) continue;
        for (int64_t i = 0; i < s3f_tensor_numel(x); i++) {
            double num, ana = x->grad ? s3f_tensor_get(x->grad, i) : 0.0;
            S3F_RETURN_IF_ERR(numeric(st, x, i, h, &num));
            double err = fabs(ana - num), scale = fmax(fabs(ana), fabs(num));
            double excess = err - (atol + rtol * scale);
            r->checked++;
            if (err > r->max_abs_err) {
                r->max_abs_err = err;
                r->max_rel_err = scale > 0 ? err / scale : 0;
            }
            if (excess > worst_excess || (excess > 0 && verdict == S3F_OK) || isnan(err)) {
                worst_excess = isnan(err) ? INFINITY : excess;
                r->worst_input = k;
                r->worst_index = i;
                verdict = s3f_fail(S3F_ERR_NUMERIC,
                                   "gradcheck: input %d element %lld: analytic %.12g, numeric "
                                   "%.12g (|diff| %.3g > atol %.3g + rtol %.3g * %.3g)",
                                   k, (long long)i, ana, num, err, atol, rtol, scale);
            }
        }
    }
    return verdict;
}

s3f_status s3f_gradcheck(s3f_ctx_t *ctx, s3f_gradcheck_fn fn, void *user, int n_inputs,
                         s3f_tensor *const *inputs, const s3f_gradcheck_opts *opts,
                         s3f_gradcheck_report *report)
{
    s3f_gradcheck_opts defaults = {0};
    s3f_gradcheck_report local = {0};
    const s3f_gradcheck_opts *o = opts ? opts : &defaults;
    check_state st = {ctx, fn, user, n_inputs, inputs, NULL};
    S3F_RETURN_IF_ERR(check_inputs(n_inputs, inputs));
    s3f_tensor *weights = NULL;
    S3F_RETURN_IF_ERR(analytic(&st, o->seed ? o->seed : 1234, &weights));
    st.weights = weights;
    s3f_status rc = compare_all(&st, o, &local);
    s3f_tensor_destroy(weights);
    s3f_ctx_reset(ctx);
    if (report) *report = local;
    return rc;
}
