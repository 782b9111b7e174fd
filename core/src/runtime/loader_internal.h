/* loader_internal.h — pieces of the data loader shared between its files
 * (internal to core). */
#ifndef SE3FLOW_LOADER_INTERNAL_H
#define SE3FLOW_LOADER_INTERNAL_H

#include "se3flow/loader.h"

/* Fills order with this rank's indices for an epoch (count of them);
 * scratch holds `size` entries. */
void loader_make_order(int64_t size, bool shuffle, uint64_t seed, int64_t epoch, int rank,
                       int world, int64_t *scratch, int64_t *order, int64_t *count);

/* Builds batch `b` of `order` (get, collate, normalise). On failure the
 * message is in the calling thread's s3f_last_error. */
s3f_status loader_build_batch(const s3f_loader_opts *o, const int64_t *order, int64_t count,
                              int64_t b, s3f_graph_batch **out);

#endif
