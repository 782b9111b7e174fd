/* fiber.h — a set of features by degree: how many channels each degree has
 * (SPEC §2), and the per-degree tensors that hold them. */
#ifndef SE3T_FIBER_H
#define SE3T_FIBER_H

#include <stdbool.h>

#include "tfn_conv.h"

/* channels[d] for degree d (0: the degree is absent). The reference also
 * keeps a channel-sorted record order, which only decides its module
 * creation order; names here do not depend on it. */
typedef struct fiber {
    int channels[TFN_MAX_DEGREE + 1];
} fiber;

/* Degrees 0..num_degrees-1 with `channels` each (Fiber.create). */
fiber fiber_uniform(int num_degrees, int channels);
bool fiber_has(const fiber *f, int degree);
int fiber_max_degree(const fiber *f); /* -1 when empty */
/* The one channel count all present degrees share, or 0 if they differ. */
int fiber_single_channels(const fiber *f);
/* True when the degrees present are exactly 0..max_degree. */
bool fiber_is_full(const fiber *f, int max_degree);
/* Σ channels·(2d+1). */
int fiber_num_features(const fiber *f);
/* The degrees present in the reference's record order: by channel count,
 * ties by degree (a stable sort). Returns how many. */
int fiber_record_order(const fiber *f, int order[TFN_MAX_DEGREE + 1]);

/* Per-degree tensors (rows, channels[d], 2d+1); NULL where absent. */
typedef struct feats {
    s3f_tensor *d[TFN_MAX_DEGREE + 1];
} feats;

#endif
