/* autograd.h — the tape, and the API by which ops (core's and plugins') record
 * themselves for reverse-mode differentiation.
 *
 * While gradients are enabled, every op whose inputs include a tensor with
 * requires_grad appends one node to the context's tape: its definition (name
 * and backward function), its inputs and outputs, and whatever it saved from
 * the forward pass (arena memory). s3f_backward walks the tape in reverse and
 * each backward function adds (+=) its contribution into the grads of the
 * inputs that require one. Afterwards the tape is empty; saved tensors stay
 * in the arena until s3f_ctx_reset.
 *
 * Where gradients go: a tensor from the arena gets an arena gradient; a heap
 * tensor (s3f_tensor_create) gets a heap gradient it owns; a parameter gets
 * its view into the parameter slab's gradient buffer (params.h). Gradients
 * always accumulate; zero them before a step. */
#ifndef SE3FLOW_AUTOGRAD_H
#define SE3FLOW_AUTOGRAD_H

#include "se3flow/context.h"

#ifdef __cplusplus
extern "C" {
#endif

#define S3F_OP_MAX_INPUTS  8
#define S3F_OP_MAX_OUTPUTS 8

typedef struct s3f_tape_node s3f_tape_node;

/* Adds the gradient of the loss with respect to each input that requires one,
 * given the output gradients (outputs[i]->grad, which may be NULL for an
 * output that did not reach the loss). */
typedef s3f_status (*s3f_backward_fn)(s3f_ctx_t *ctx, const s3f_tape_node *node);

/* A static description of an op; the tape keeps the pointer. */
typedef struct s3f_op_def {
    const char *name;         /* e.g. "matmul"; used in error messages */
    s3f_backward_fn backward; /* required */
} s3f_op_def;

struct s3f_tape_node {
    const s3f_op_def *def;
    int n_inputs;
    int n_outputs;
    s3f_tensor *inputs[S3F_OP_MAX_INPUTS];   /* borrowed; may hold NULL for absent options */
    s3f_tensor *outputs[S3F_OP_MAX_OUTPUTS]; /* borrowed */
    void *saved; /* op-specific, from s3f_ctx_saved; NULL if nothing saved */
};

/* True when gradients are enabled and one of the n inputs (NULLs skipped)
 * requires a gradient: the op should save what its backward needs and call
 * s3f_tape_record. */
S3F_API bool s3f_tape_wants(const s3f_ctx_t *ctx, int n, s3f_tensor *const *inputs);

/* Appends a node when s3f_tape_wants is true for the inputs (otherwise does
 * nothing) and marks the outputs as requiring gradients. The arrays are
 * copied; the tensors are borrowed and must live until backward (arena
 * tensors do). S3F_ERR_ARG on too many inputs/outputs or a NULL def. */
S3F_API s3f_status s3f_tape_record(s3f_ctx_t *ctx, const s3f_op_def *def, int n_inputs,
                                   s3f_tensor *const *inputs, int n_outputs,
                                   s3f_tensor *const *outputs, void *saved);

/* `size` bytes of arena memory for an op's saved state (64-byte aligned). */
S3F_API s3f_status s3f_ctx_saved(s3f_ctx_t *ctx, size_t size, void **out);

/* For a backward function: the gradient buffer of t, created zero-filled on
 * first use. *out is NULL when t does not require a gradient (then the
 * backward skips that input). */
S3F_API s3f_status s3f_grad_of(s3f_ctx_t *ctx, s3f_tensor *t, s3f_tensor **out);

/* Runs backward from a loss with one element, seeding d(loss)/d(loss) = 1.
 * Empties the tape. S3F_ERR_SHAPE if loss has more than one element,
 * S3F_ERR_STATE if loss was not computed with gradients enabled. */
S3F_API s3f_status s3f_backward(s3f_ctx_t *ctx, s3f_tensor *loss);
/* Runs backward from `out` seeded with `dout` (same shape and dtype; copied).
 * Empties the tape. */
S3F_API s3f_status s3f_backward_from(s3f_ctx_t *ctx, s3f_tensor *out, const s3f_tensor *dout);

/* Number of nodes currently on the tape (for tests and diagnostics). */
S3F_API int s3f_tape_size(const s3f_ctx_t *ctx);

#ifdef __cplusplus
}
#endif
#endif
