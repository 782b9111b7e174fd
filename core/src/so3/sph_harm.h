/* sph_harm.h — per-vector real spherical harmonics (SPEC.md §3), shared by
 * the CPU batch in sph_harm.c and future CUDA kernels. Internal header.
 *
 * Defines, as S3F_HD functions:
 *   sph_harm_vector_f32(const float r[3], int max_degree, float *out)
 *   sph_harm_vector_f64(const double r[3], int max_degree, double *out)
 * Each writes all degrees 0..max_degree of r, (max_degree+1)^2 values, in
 * SPEC §3's order (degree J at offset J*J, component i = J + m). The f32
 * version computes in float, the f64 one in double. See sph_harm_kernel.h
 * for the exact definition. */
#ifndef SE3FLOW_SPH_HARM_H
#define SE3FLOW_SPH_HARM_H

#include <math.h>

#include "se3flow/export.h"

#define real     float
#define FN(name) name##_f32
#include "sph_harm_kernel.h"
#undef real
#undef FN

#define real     double
#define FN(name) name##_f64
#include "sph_harm_kernel.h"
#undef real
#undef FN

#endif
