/* autograd.c — the tape and reverse-mode differentiation (autograd.h).
 *
 * Invariant: nodes are appended in execution order, so walking the tape
 * backwards visits every node after all nodes that consumed its outputs. */
#include <stdlib.h>
#include <string.h>

#include "context_internal.h"

bool s3f_tape_wants(const s3f_ctx_t *ctx, int n, s3f_tensor *const *inputs)
{
    if (!ctx->grad_enabled) return false;
    for (int i = 0; i < n; i++)
        if (inputs[i] && inputs[i]->requires_grad) return true;
    return false;
}

static s3f_status tape_grow(s3f_ctx_t *ctx)
{
    int capacity = ctx->tape_capacity ? ctx->tape_capacity * 2 : 256;
    s3f_tape_node *tape = realloc(ctx->tape, (size_t)capacity * sizeof *tape);
    if (!tape) return s3f_fail(S3F_ERR_NOMEM, "cannot grow the tape to %d nodes", capacity);
    ctx->tape = tape;
    ctx->tape_capacity = capacity;
    return S3F_OK;
}

s3f_status s3f_tape_record(s3f_ctx_t *ctx, const s3f_op_def *def, int n_inputs,
                           s3f_tensor *const *inputs, int n_outputs, s3f_tensor *const *outputs,
                           void *saved)
{
    if (!def || !def->backward)
        return s3f_fail(S3F_ERR_ARG, "tape: an op definition without a backward function");
    if (n_inputs < 0 || n_inputs > S3F_OP_MAX_INPUTS || n_outputs < 1 ||
        n_outputs > S3F_OP_MAX_OUTPUTS)
        return s3f_fail(S3F_ERR_ARG, "tape: op '%s' has %d inputs and %d outputs (limits %d, %d)",
                        def->name, n_inputs, n_outputs, S3F_OP_MAX_INPUTS, S3F_OP_MAX_OUTPUTS);
    if (!s3f_tape_wants(ctx, n_inputs, inputs)) return S3F_OK;
    if (ctx->tape_size == ctx->tape_capacity) S3F_RETURN_IF_ERR(tape_grow(ctx));
    s3f_tape_node *node = &ctx->tape[ctx->tape_size++];
    memset(node, 0, sizeof *node);
    node->def = def;
    node->n_inputs = n_inputs;
    node->n_outputs = n_outputs;
    node->saved = saved;
    for (int i = 0; i < n_inputs; i++) node->inputs[i] = inputs[i];
    for (int i = 0; i < n_outputs; i++) {
        node->outputs[i] = outputs[i];
        outputs[i]->requires_grad = true;
    }
    return S3F_OK;
}

s3f_status s3f_ctx_saved(s3f_ctx_t *ctx, size_t size, void **out)
{
    return s3f_arena_alloc(ctx->arena, size, out);
}

static s3f_status heap_grad(s3f_tensor *t)
{
    s3f_tensor *g;
    S3F_RETURN_IF_ERR(s3f_tensor_create(t->dtype, t->shape, &g));
    t->grad = g;
    return S3F_OK;
}

s3f_status s3f_grad_of(s3f_ctx_t *ctx, s3f_tensor *t, s3f_tensor **out)
{
    *out = NULL;
    if (!t || !t->requires_grad) return S3F_OK;
    if (!t->grad) {
        if (t->flags & S3F_TENSOR_HEAP)
            S3F_RETURN_IF_ERR(heap_grad(t));
        else
            S3F_RETURN_IF_ERR(s3f_tensor_zeros(ctx, t->dtype, t->shape, &t->grad));
    }
    *out = t->grad;
    return S3F_OK;
}

int s3f_tape_size(const s3f_ctx_t *ctx)
{
    return ctx->tape_size;
}

static bool node_reached(const s3f_tape_node *node)
{
    for (int i = 0; i < node->n_outputs; i++)
        if (node->outputs[i]->grad) return true;
    return false;
}

/* Recording is off during the walk: a backward that calls ops (as a plugin
 * may) would otherwise append to the tape, and growing it reallocates the
 * node array under the running backward's `node` pointer. The appended
 * nodes would be dropped with the tape anyway (no higher-order gradients). */
static s3f_status run_backward(s3f_ctx_t *ctx)
{
    s3f_status rc = S3F_OK;
    bool previous = s3f_ctx_set_grad(ctx, false);
    for (int i = ctx->tape_size - 1; i >= 0 && rc == S3F_OK; i--) {
        const s3f_tape_node *node = &ctx->tape[i];
        if (!node_reached(node)) continue;
        rc = node->def->backward(ctx, node);
        if (rc != S3F_OK) s3f_fail_context(rc, "in the backward pass of '%s': ", node->def->name);
    }
    s3f_ctx_set_grad(ctx, previous);
    ctx->tape_size = 0;
    return rc;
}

s3f_status s3f_backward_from(s3f_ctx_t *ctx, s3f_tensor *out, const s3f_tensor *dout)
{
    if (!out->requires_grad)
        return s3f_fail(S3F_ERR_STATE, "backward: the output was computed without gradients "
                                       "(no input requires one, or no-grad mode was on)");
    if (dout->dtype != out->dtype || !s3f_shape_equal(&dout->shape, &out->shape)) {
        char a[128], b[128];
        return s3f_fail(S3F_ERR_SHAPE, "backward: seed gradient %s %s does not match output %s %s",
                        s3f_dtype_name(dout->dtype), s3f_shape_format(&dout->shape, a, sizeof a),
                        s3f_dtype_name(out->dtype), s3f_shape_format(&out->shape, b, sizeof b));
    }
    s3f_tensor *grad;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, out, &grad));
    /* seeds add, like every other gradient contribution */
    for (int64_t i = 0; i < s3f_tensor_numel(grad); i++)
        s3f_tensor_set(grad, i, s3f_tensor_get(grad, i) + s3f_tensor_get(dout, i));
    return run_backward(ctx);
}

s3f_status s3f_backward(s3f_ctx_t *ctx, s3f_tensor *loss)
{
    if (s3f_tensor_numel(loss) != 1) {
        char a[128];
        return s3f_fail(S3F_ERR_SHAPE, "backward: the loss must have one element, not shape %s",
                        s3f_shape_format(&loss->shape, a, sizeof a));
    }
    if (!loss->requires_grad)
        return s3f_fail(S3F_ERR_STATE, "backward: the loss was computed without gradients "
                                       "(no input requires one, or no-grad mode was on)");
    s3f_tensor *grad;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, loss, &grad));
    s3f_tensor_set(grad, 0, s3f_tensor_get(grad, 0) + 1.0);
    return run_backward(ctx);
}
