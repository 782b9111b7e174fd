/* gradcheck.h — finite-difference check of backward functions.
 *
 * For an op (or a whole model) written as a function of some f64 input
 * tensors, compares the gradient from the tape with central differences
 * (f(x+h) - f(x-h)) / 2h of a scalar projection sum(w * out) with fixed
 * random weights w. Used by every op's test and by plugins' tests. */
#ifndef SE3FLOW_GRADCHECK_H
#define SE3FLOW_GRADCHECK_H

#include "se3flow/autograd.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Computes the output from the inputs, recording on ctx. */
typedef s3f_status (*s3f_gradcheck_fn)(s3f_ctx_t *ctx, s3f_tensor *const *inputs, void *user,
                                       s3f_tensor **out);

typedef struct s3f_gradcheck_opts {
    double step;   /* finite-difference step h; 0 means 1e-6 */
    double atol;   /* 0 means 1e-7 */
    double rtol;   /* 0 means 1e-5 */
    uint64_t seed; /* for the projection weights */
} s3f_gradcheck_opts;

typedef struct s3f_gradcheck_report {
    double max_abs_err;  /* largest |analytic - numeric| */
    double max_rel_err;  /* at that element, relative to max(|numeric|, |analytic|) */
    int worst_input;     /* index of the input holding the worst element */
    int64_t worst_index; /* flat index within that input */
    int64_t checked;     /* number of elements checked */
} s3f_gradcheck_report;

/* Inputs must be heap f64 tensors (s3f_tensor_create); those with
 * requires_grad set are checked element by element. Returns S3F_OK when
 * every element satisfies |a - n| <= atol + rtol * max(|a|, |n|), otherwise
 * S3F_ERR_NUMERIC with the worst element in the message. `report` may be
 * NULL. Resets ctx between evaluations. */
S3F_API s3f_status s3f_gradcheck(s3f_ctx_t *ctx, s3f_gradcheck_fn fn, void *user, int n_inputs,
                                 s3f_tensor *const *inputs, const s3f_gradcheck_opts *opts,
                                 s3f_gradcheck_report *report);

#ifdef __cplusplus
}
#endif
#endif
