/* basis_edge.h — one per-pair basis block of one edge (SPEC.md §5.1), shared
 * by the CPU batch in basis.c and future CUDA kernels. Internal header.
 *
 * Defines basis_coef and, as S3F_HD functions (one per dtype, same code):
 *   basis_pair_edge_f32(y, coef, value, count, size, out)
 *   basis_pair_edge_f64(...)
 * Each writes the block of the pair (d_in, d_out)
 *   out[l, f, k] = Σ_j y[J² + j] · C(J, d_in, d_out)[j, l, k],  J = |d_in − d_out| + f,
 * with
 *   y      ((2D+1)²)  harmonics of the edge, all degrees 0..2D (sph_harm.h layout);
 *   coef, value (count)  the non-zero entries of the pair's C tensors (about
 *          one in six), as (index into y, index into out) and value in the
 *          output dtype, sorted by (f, j, l, k);
 *   out    (2d_in+1, F, 2d_out+1), `size` entries, contiguous; every entry
 *          is written.
 *
 * Not here: harmonics, C tensors, placing the block in the layouts of
 * SPEC §5.2, batching, argument checks.
 *
 * Each out entry sums its terms in ascending j, in the output dtype, so the
 * result depends only on the edge and equals the dense sum (the skipped
 * terms are exact zeros). */
#ifndef SE3FLOW_BASIS_EDGE_H
#define SE3FLOW_BASIS_EDGE_H

#include <stdint.h>

#include "se3flow/export.h"

/* One non-zero C entry of a pair: y[J² + j] contributes to out[l, f, k]. */
typedef struct basis_coef {
    uint16_t y;   /* J² + j */
    uint16_t out; /* (l·F + f)·(2d_out+1) + k */
} basis_coef;

/* The function body, written once for `real` = float and double (a macro
 * rather than a second include file, as it is this one function). */
#define BASIS_PAIR_EDGE_DEFINE(real, suffix)                                                       \
    S3F_HD void basis_pair_edge_##suffix(const real *y, const basis_coef *coef, const real *value, \
                                         int count, int size, real *out)                           \
    {                                                                                              \
        for (int i = 0; i < size; i++) out[i] = 0;                                                 \
        for (int n = 0; n < count; n++) out[coef[n].out] += y[coef[n].y] * value[n];               \
    }

BASIS_PAIR_EDGE_DEFINE(float, f32)
BASIS_PAIR_EDGE_DEFINE(double, f64)

#undef BASIS_PAIR_EDGE_DEFINE

#endif
