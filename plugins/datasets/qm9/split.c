/* split.c — the reference's train/val/test split and target statistics
 * (SPEC §14.5), bit for bit: PyTorch's CPU randperm driven by MT19937
 * seeded with 0, then the first 100,000 molecules train, the next 17,748
 * val, the last 13,083 test.
 *
 * For a file of another size the fractions are kept (train =
 * floor(M x 100000 / 130831), test = floor(M / 10), val the rest), which
 * gives the reference's sizes for M = 130,831. A subset of N molecules
 * takes the front of each split in proportion, so it stays a subset of the
 * reference's splits (no molecule moves between splits). */
#include <stdlib.h>

#include "qm9.h"

#define MT_N 624
#define MT_M 397

typedef struct mt19937 {
    uint32_t s[MT_N];
    int i;
} mt19937;

/* The standard 32-bit init_genrand. */
static void mt_seed(mt19937 *mt, uint32_t seed)
{
    mt->s[0] = seed;
    for (int i = 1; i < MT_N; i++)
        mt->s[i] = 1812433253u * (mt->s[i - 1] ^ (mt->s[i - 1] >> 30)) + (uint32_t)i;
    mt->i = MT_N;
}

static void mt_twist(mt19937 *mt)
{
    for (int i = 0; i < MT_N; i++) {
        uint32_t y = (mt->s[i] & 0x80000000u) | (mt->s[(i + 1) % MT_N] & 0x7fffffffu);
        mt->s[i] = mt->s[(i + MT_M) % MT_N] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    }
    mt->i = 0;
}

static uint32_t mt_next(mt19937 *mt)
{
    if (mt->i >= MT_N) mt_twist(mt);
    uint32_t y = mt->s[mt->i++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    return y ^ (y >> 18);
}

void qm9_randperm(int64_t n, uint32_t seed, int64_t *out)
{
    mt19937 mt;
    mt_seed(&mt, seed);
    for (int64_t i = 0; i < n; i++) out[i] = i;
    for (int64_t i = 0; i + 1 < n; i++) {
        int64_t z = (int64_t)(mt_next(&mt) % (uint64_t)(n - i)), t = out[i];
        out[i] = out[i + z], out[i + z] = t;
    }
}

s3f_status qm9_split_make(int64_t molecules, int64_t subset, qm9_split *out)
{
    qm9_split s = {0};
    s.order = malloc(sizeof(int64_t) * (size_t)molecules);
    if (!s.order) return s3f_fail(S3F_ERR_NOMEM, "qm9: out of memory for the split");
    qm9_randperm(molecules, 0, s.order);
    int64_t full[S3F_SPLIT_COUNT];
    full[S3F_SPLIT_TRAIN] = molecules * 100000 / QM9_REFERENCE_SIZE;
    full[S3F_SPLIT_TEST] = molecules / 10;
    full[S3F_SPLIT_VAL] = molecules - full[S3F_SPLIT_TRAIN] - full[S3F_SPLIT_TEST];
    s.offset[S3F_SPLIT_TRAIN] = 0;
    s.offset[S3F_SPLIT_VAL] = full[S3F_SPLIT_TRAIN];
    s.offset[S3F_SPLIT_TEST] = full[S3F_SPLIT_TRAIN] + full[S3F_SPLIT_VAL];
    for (int k = 0; k < S3F_SPLIT_COUNT; k++) s.size[k] = full[k];
    if (subset > 0 && subset < molecules) {
        s.size[S3F_SPLIT_TRAIN] = subset * full[S3F_SPLIT_TRAIN] / molecules;
        s.size[S3F_SPLIT_TEST] = subset * full[S3F_SPLIT_TEST] / molecules;
        s.size[S3F_SPLIT_VAL] = subset - s.size[S3F_SPLIT_TRAIN] - s.size[S3F_SPLIT_TEST];
    }
    *out = s;
    return S3F_OK;
}

void qm9_split_free(qm9_split *split)
{
    free(split->order);
    split->order = NULL;
}
