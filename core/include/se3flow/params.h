/* params.h — a model's parameters in one slab, with named views.
 *
 * A model declares each parameter (name, dtype, shape), then finalises the
 * set: one contiguous buffer then holds every value and a second one of the
 * same layout every gradient, so an optimizer or an all-reduce sees one flat
 * buffer per dtype. Each parameter is a tensor whose data points into the
 * value slab and whose grad points into the gradient slab. Names follow the
 * reference implementation's state dict (e.g. "mlp.0.weight").
 *
 * All parameters of one set share a dtype (f32 or f64). Not thread-safe. */
#ifndef SE3FLOW_PARAMS_H
#define SE3FLOW_PARAMS_H

#include "se3flow/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct s3f_params s3f_params_t;

/* An empty, unfinalised set of parameters of one floating dtype (f32/f64). */
S3F_API s3f_status s3f_params_create(s3f_dtype dtype, s3f_params_t **out);
S3F_API void s3f_params_destroy(s3f_params_t *params);

/* Declares a parameter. The name is copied; must be unique (S3F_ERR_ARG).
 * *out (optional) receives the parameter's tensor, owned by the set; its data
 * is NULL until s3f_params_finalize. S3F_ERR_STATE after finalising. */
S3F_API s3f_status s3f_params_add(s3f_params_t *params, const char *name, s3f_shape shape,
                                  s3f_tensor **out);

/* Allocates the value and gradient slabs (zero-filled), each parameter at a
 * 64-byte aligned offset, and points every parameter tensor into them. */
S3F_API s3f_status s3f_params_finalize(s3f_params_t *params);

S3F_API int s3f_params_count(const s3f_params_t *params);
/* The i-th parameter in declaration order (borrowed), or NULL. */
S3F_API s3f_tensor *s3f_params_at(const s3f_params_t *params, int i);
/* The parameter called `name` (borrowed), or NULL. */
S3F_API s3f_tensor *s3f_params_find(const s3f_params_t *params, const char *name);

/* The flat slabs (borrowed; valid after finalising): `numel` elements in all,
 * including alignment padding, which is kept at zero. */
S3F_API s3f_tensor *s3f_params_values(const s3f_params_t *params);
S3F_API s3f_tensor *s3f_params_grads(const s3f_params_t *params);
/* Number of parameter elements, padding excluded. */
S3F_API int64_t s3f_params_numel(const s3f_params_t *params);

S3F_API void s3f_params_zero_grad(s3f_params_t *params);

#ifdef __cplusplus
}
#endif
#endif
