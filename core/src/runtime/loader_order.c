/* loader_order.c — the order of an epoch: identity or a Fisher–Yates shuffle
 * drawn from Philox (seed as key, epoch and position as counter), then the
 * rank's shard. Depends on nothing but (size, seed, epoch, rank, world). */
#include "loader_internal.h"
#include "se3flow/rng.h"

/* Uniform in [0, bound) from a 64-bit draw; the modulo bias is below
 * bound / 2^64, far under anything a shuffle can show. */
static uint64_t draw_below(uint64_t seed, int64_t epoch, int64_t position, uint64_t bound)
{
    uint32_t w[4];
    s3f_philox4x32((uint64_t)position, (uint64_t)epoch, seed, w);
    uint64_t r = ((uint64_t)w[0] << 32) | w[1];
    return r % bound;
}

void loader_make_order(int64_t size, bool shuffle, uint64_t seed, int64_t epoch, int rank,
                       int world, int64_t *scratch, int64_t *order, int64_t *count)
{
    for (int64_t i = 0; i < size; i++) scratch[i] = i;
    if (shuffle)
        for (int64_t i = size - 1; i > 0; i--) {
            int64_t j = (int64_t)draw_below(seed, epoch, i, (uint64_t)i + 1);
            int64_t t = scratch[i];
            scratch[i] = scratch[j];
            scratch[j] = t;
        }
    int64_t n = 0;
    for (int64_t i = rank; i < size; i += world) order[n++] = scratch[i];
    *count = n;
}
