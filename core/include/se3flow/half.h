/* half.h — exact conversions between f32 and the 16-bit storage types.
 *
 * f16 is IEEE binary16; bf16 is the upper half of an f32. Both conversions
 * from f32 round to nearest, ties to even, keep infinities, turn NaN into a
 * quiet NaN of the same sign and handle f16 subnormals. Marked S3F_HD so the
 * same code runs inside CUDA kernels. */
#ifndef SE3FLOW_HALF_H
#define SE3FLOW_HALF_H

#include <stdint.h>
#include <string.h>

#include "se3flow/export.h"

S3F_HD uint32_t s3f_f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

S3F_HD float s3f_bits_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

S3F_HD uint16_t s3f_f32_to_bf16(float f)
{
    uint32_t u = s3f_f32_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x0040u); /* quiet NaN */
    uint32_t rounding = 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)((u + rounding) >> 16);
}

S3F_HD float s3f_bf16_to_f32(uint16_t h)
{
    return s3f_bits_f32((uint32_t)h << 16);
}

S3F_HD uint16_t s3f_f32_to_f16(float f)
{
    uint32_t u = s3f_f32_bits(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    uint32_t abs = u & 0x7fffffffu;
    if (abs > 0x7f800000u) return (uint16_t)(sign | 0x7e00u | ((abs >> 13) & 0x3ffu)); /* NaN */
    if (abs >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u); /* rounds to or is Inf */
    if (abs < 0x38800000u) {
        /* f16 subnormal or zero: value = mant * 2^-24; shift the full 24-bit
         * significand right and round to nearest even on the dropped bits. */
        if (abs < 0x33000000u) return sign; /* below half the smallest subnormal */
        uint32_t exp = abs >> 23;
        uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
        uint32_t shift = 126u - exp; /* 14..24 */
        uint32_t kept = mant >> shift;
        uint32_t rest = mant & ((1u << shift) - 1u);
        uint32_t half = 1u << (shift - 1u);
        if (rest > half || (rest == half && (kept & 1u))) kept++;
        return (uint16_t)(sign | kept);
    }
    /* normal: rebias exponent 127 -> 15 and round the 13 dropped bits */
    uint32_t rebiased = abs - 0x38000000u;
    uint32_t rounding = 0xfffu + ((rebiased >> 13) & 1u);
    return (uint16_t)(sign | ((rebiased + rounding) >> 13));
}

S3F_HD float s3f_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    if (exp == 0x1fu) return s3f_bits_f32(sign | 0x7f800000u | (mant << 13));
    if (exp != 0) return s3f_bits_f32(sign | ((exp + 112u) << 23) | (mant << 13));
    if (mant == 0) return s3f_bits_f32(sign);
    /* subnormal: normalise */
    int e = -1;
    do {
        mant <<= 1;
        e++;
    } while ((mant & 0x400u) == 0);
    return s3f_bits_f32(sign | ((uint32_t)(112 - e) << 23) | ((mant & 0x3ffu) << 13));
}

#endif
