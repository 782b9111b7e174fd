/* loader_build.c — one batch: the molecules of a run of the order, fetched
 * from the dataset, collated into one graph, targets normalised. Runs on
 * worker threads; touches only its own arguments. */
#include <stdlib.h>

#include "loader_internal.h"

static void normalise(const s3f_loader_opts *o, s3f_graph_batch *g)
{
    int T = o->layout.targets;
    float *t = g->targets->data;
    for (int64_t b = 0; b < g->num_graphs; b++)
        for (int k = 0; k < T; k++)
            t[b * T + k] = (float)(((double)t[b * T + k] - o->target_mean[k]) / o->target_std[k]);
}

s3f_status loader_build_batch(const s3f_loader_opts *o, const int64_t *order, int64_t count,
                              int64_t b, s3f_graph_batch **out)
{
    int64_t first = b * o->batch_size, n = count - first;
    if (n > o->batch_size) n = o->batch_size;
    s3f_molecule *mols = malloc(sizeof *mols * (size_t)n);
    if (!mols)
        return s3f_fail(S3F_ERR_NOMEM, "loader: out of memory for a batch of %lld", (long long)n);
    s3f_status rc = S3F_OK;
    for (int64_t i = 0; i < n && rc == S3F_OK; i++) {
        rc = o->dataset->get(o->dataset_state, o->split, order[first + i], &mols[i]);
        if (rc != S3F_OK)
            s3f_fail_context(rc, "molecule %lld of the split: ", (long long)order[first + i]);
    }
    if (rc == S3F_OK) rc = s3f_graph_collate(mols, order + first, (int)n, o->layout, out);
    if (rc == S3F_OK && o->target_mean) normalise(o, *out);
    free(mols);
    return rc;
}
