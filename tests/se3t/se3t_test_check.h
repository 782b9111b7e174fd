/* se3t_test_check.h — whole-model checks shared by the SE(3)-Transformer
 * tests: a scalar projection of the outputs, and a finite-difference check
 * of every parameter tensor's gradient. */
#ifndef SE3T_TEST_CHECK_H
#define SE3T_TEST_CHECK_H

#include "se3t_test_graph.h"

/* The model's main output as one tensor: pred, else pooled, else the node
 * features of every degree side by side (rows = nodes). */
s3f_tensor *tc_output(const se3t_output *out);
/* sum(w · output) with w fixed pseudo-random weights in [-1, 1]; with
 * backward, gradients land in the parameter slab (zeroed first). */
double tc_projected(const se3t_model *m, s3f_ctx_t *ctx, const test_graph *g, bool backward);
/* Central differences (step h) of tc_projected against the tape for up to
 * `per_tensor` elements of every parameter tensor; fails the test naming
 * the tensor when |a - n| > atol + 1e-6·(the tensor's largest gradient)
 * + rtol·max(|a|, |n|) (rounding in the differences), or when a tensor's
 * gradient is identically zero. */
void tc_gradcheck_params(se3t_model *m, const test_graph *g, int per_tensor, double h, double atol,
                         double rtol);

#endif
