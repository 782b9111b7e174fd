/* predictions.h — a model's per-molecule predictions on a split, in
 * physical units, with the targets where the dataset knows them; their MAE
 * and per-molecule errors. Shared by predict, compare and bench.
 *
 * Invariant: entry i is molecule index[i] of split split[i]; pred and target
 * rows are (T) each, target NaN where unknown. */
#ifndef SE3FLOW_CLI_PREDICTIONS_H
#define SE3FLOW_CLI_PREDICTIONS_H

#include "model_session.h"

typedef struct prediction_set {
    int targets;   /* T */
    int64_t count; /* n */
    int64_t capacity;
    uint8_t *split; /* (n) s3f_dataset_split */
    int64_t *index; /* (n) index in the split */
    double *pred;   /* (n, T) physical units */
    double *target; /* (n, T) physical units, NaN when unknown */
} prediction_set;

/* Predictions (no gradients) for one batch, normalised units, in ctx's
 * arena (valid until the next s3f_ctx_reset). S3F_ERR_SHAPE when the model
 * gives other than (B, T) values. */
s3f_status model_forward_batch(const model_session *s, s3f_ctx_t *ctx, const s3f_graph_batch *batch,
                               s3f_tensor **pred);

/* Appends the predictions of every molecule of `split`, in index order.
 * batch_size > 0; workers >= 0 loader threads. */
s3f_status predictions_collect(const model_session *s, s3f_dataset_split split, int batch_size,
                               int workers, prediction_set *out);
void predictions_free(prediction_set *p);

/* Mean |pred - target| over molecules and targets whose target is known;
 * NaN when none is. *known (may be NULL) gets how many values counted. */
double predictions_mae(const prediction_set *p, int64_t *known);
/* Molecule i's mean |pred - target| over its targets; NaN when unknown. */
double predictions_error(const prediction_set *p, int64_t i);

#endif
