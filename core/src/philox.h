/* philox.h — Philox4x32-10 (Salmon et al., SC'11) and the per-element draws
 * built on it. Marked S3F_HD: the CUDA fill kernels include this file, so a
 * seed gives bitwise the same uniforms on CPU and GPU. Internal header. */
#ifndef SE3FLOW_PHILOX_H
#define SE3FLOW_PHILOX_H

#include <math.h>
#include <stdint.h>

#include "se3flow/export.h"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

typedef struct philox_words {
    uint32_t w[4];
} philox_words;

S3F_HD philox_words philox4x32_10(uint64_t ctr_lo, uint64_t ctr_hi, uint64_t key)
{
    uint32_t c0 = (uint32_t)ctr_lo, c1 = (uint32_t)(ctr_lo >> 32);
    uint32_t c2 = (uint32_t)ctr_hi, c3 = (uint32_t)(ctr_hi >> 32);
    uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
    for (int round = 0; round < 10; round++) {
        uint64_t p0 = (uint64_t)PHILOX_M0 * c0, p1 = (uint64_t)PHILOX_M1 * c2;
        uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
        uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    philox_words out = {{c0, c1, c2, c3}};
    return out;
}

/* Uniform in [0, 1) with 24 bits, from one word. */
S3F_HD float philox_unit_f32(uint32_t w)
{
    return (float)(w >> 8) * (1.0f / 16777216.0f);
}

/* Uniform in [0, 1) with 53 bits, from two words. */
S3F_HD double philox_unit_f64(uint32_t a, uint32_t b)
{
    uint64_t bits = ((uint64_t)(a >> 5) << 26) | (b >> 6);
    return (double)bits * (1.0 / 9007199254740992.0);
}

/* lo + width * u rounded once per operation on both CPU and GPU (nvcc would
 * otherwise fuse it into an FMA and change the last bit). */
S3F_HD double philox_affine(double lo, double width, double u)
{
#if defined(__CUDA_ARCH__)
    return __dadd_rn(lo, __dmul_rn(width, u));
#else
    return lo + width * u;
#endif
}

/* A uniform draw in [lo, hi) rounded to f32/f64: lo + width * u, moved one
 * step inwards in the rare case that rounding lands on hi (or below lo), so
 * that the range is kept exactly and CPU and GPU agree bit for bit. */
S3F_HD float philox_uniform_f32(double lo, double width, double hi, philox_words r)
{
    float v = (float)philox_affine(lo, width, philox_unit_f32(r.w[0]));
    if (hi > lo && v >= hi) v = nextafterf(v, -INFINITY);
    if (hi > lo && v < lo) v = nextafterf(v, INFINITY);
    return v;
}

S3F_HD double philox_uniform_f64(double lo, double width, double hi, philox_words r)
{
    double v = philox_affine(lo, width, philox_unit_f64(r.w[0], r.w[1]));
    if (hi > lo && v >= hi) v = nextafter(v, -(double)INFINITY);
    if (hi > lo && v < lo) v = nextafter(v, (double)INFINITY);
    return v;
}

/* A standard normal by Box–Muller from the four words of one block, in f64. */
S3F_HD double philox_normal(philox_words r)
{
    double u1 = 1.0 - philox_unit_f64(r.w[0], r.w[1]); /* (0, 1]: log is finite */
    double u2 = philox_unit_f64(r.w[2], r.w[3]);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

#endif
