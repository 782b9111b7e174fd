/* basis_edge.h — one per-pair basis block of one edge (SPEC.md §5.1), shared
 * by the CPU batch in basis.c and future CUDA kernels. Internal header.
 *
 * Defines, as S3F_HD functions (one per dtype, same code):
 *   basis_pair_edge_f32(y, q, d_in, d_out, out, stride_l, stride_f)
 *   basis_pair_edge_f64(...)
 * Each writes, for l < 2d_in+1, f < F, k < 2d_out+1,
 *   out[l·stride_l + f·stride_f + k] = Σ_j y[J² + j] · q_f[(j·(2d_in+1) + l)·(2d_out+1) + k]
 * with J = |d_in − d_out| + f, where
 *   y  ((2D+1)²)  harmonics of the edge, all degrees 0..2D (sph_harm.h layout);
 *   q  (Σ_f (2J+1)(2d_in+1)(2d_out+1))  the tensors C(J, d_in, d_out) of
 *      SPEC §4 for f = 0..F−1, one after another, row-major [j, l, k], in
 *      the output dtype.
 * The strides place the block in any layout of SPEC §5.2 (the component
 * axis k is always the innermost, contiguous one). Only the block's own
 * entries are written; zero padding is the caller's.
 *
 * Not here: harmonics, C tensors, batching, argument checks.
 *
 * The sum over j runs in ascending order in the output dtype, so the result
 * depends only on the edge. */
#ifndef SE3FLOW_BASIS_EDGE_H
#define SE3FLOW_BASIS_EDGE_H

#include <stdint.h>

#include "se3flow/export.h"

/* The function body, written once for `real` = float and double (a macro
 * rather than a second include file, as it is this one function). */
#define BASIS_PAIR_EDGE_DEFINE(real, suffix)                                                       \
    S3F_HD void basis_pair_edge_##suffix(const real *y, const real *q, int d_in, int d_out,        \
                                         real *out, int64_t stride_l, int64_t stride_f)            \
    {                                                                                              \
        int m_in = 2 * d_in + 1, m_out = 2 * d_out + 1;                                            \
        int j_min = d_in > d_out ? d_in - d_out : d_out - d_in;                                    \
        int freqs = 2 * (d_in < d_out ? d_in : d_out) + 1;                                         \
        for (int f = 0; f < freqs; f++) {                                                          \
            int J = j_min + f;                                                                     \
            const real *y_j = y + J * J; /* (2J+1) */                                              \
            for (int l = 0; l < m_in; l++) {                                                       \
                real *row = out + l * stride_l + f * stride_f; /* (2d_out+1) */                    \
                for (int k = 0; k < m_out; k++) row[k] = 0;                                        \
                for (int j = 0; j < 2 * J + 1; j++) {                                              \
                    const real *c = q + (j * m_in + l) * m_out; /* (2d_out+1) */                   \
                    for (int k = 0; k < m_out; k++) row[k] += y_j[j] * c[k];                       \
                }                                                                                  \
            }                                                                                      \
            q += (2 * J + 1) * m_in * m_out;                                                       \
        }                                                                                          \
    }

BASIS_PAIR_EDGE_DEFINE(float, f32)
BASIS_PAIR_EDGE_DEFINE(double, f64)

#undef BASIS_PAIR_EDGE_DEFINE

#endif
