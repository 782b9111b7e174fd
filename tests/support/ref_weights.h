/* ref_weights.h — deterministic SE(3)-Transformer weights, made by name.
 *
 * The C twin of tests/fixtures/se3_transformer/ref_weights.py: every value
 * depends only on the parameter's name, shape and index, so a test can
 * rebuild the weights the PyTorch reference ran with instead of reading them
 * from a fixture. The generator and the scale rules are documented in that
 * Python file; both sides compute in f64 and round once to the parameters'
 * dtype, so they agree bit for bit.
 *
 * Test support only: not part of libse3flow. */
#ifndef SE3FLOW_TEST_REF_WEIGHTS_H
#define SE3FLOW_TEST_REF_WEIGHTS_H

#include <stdint.h>

#include "se3flow/params.h"

/* FNV-1a-64 of the bytes of `text` (the per-tensor seed). */
uint64_t ref_weights_seed(const char *text);

/* Element `index` of the tensor whose seed is `seed`: uniform in [0, 1),
 * a multiple of 2^-53. */
double ref_weights_uniform(uint64_t seed, int64_t index);

/* Fills every parameter of a finalised set (f32 or f64) by its name and
 * shape. S3F_ERR_ARG naming the parameter when no rule fits it (a shape
 * other than 1-D or 2-D, a bias without its weight, or a 1-D tensor whose
 * last name part is neither weight nor bias); S3F_ERR_STATE before
 * finalising. Nothing is written on failure
 * except the parameters before the faulty one. */
s3f_status ref_weights_fill(s3f_params_t *params);

#endif
