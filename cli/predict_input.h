/* predict_input.h — `predict --input FILE`: the recipe overrides that make
 * a checkpoint's recipe read FILE instead of its own data. An .xyz file
 * goes to the `xyz` dataset plugin, an .npz file (QM9 layout) to `qm9`;
 * when the checkpoint was trained on that plugin its other options (target
 * key, elements, bonds, ...) are kept, otherwise the plugin's defaults apply.
 * Every molecule of FILE lands in the training split (the checkpoint's own
 * normalisation is used, not FILE's). */
#ifndef SE3FLOW_CLI_PREDICT_INPUT_H
#define SE3FLOW_CLI_PREDICT_INPUT_H

#include "se3flow/se3flow.h"

#define PREDICT_INPUT_MAX_SETS 6
#define PREDICT_INPUT_SET_SIZE 4200

typedef struct predict_input {
    char sets[PREDICT_INPUT_MAX_SETS][PREDICT_INPUT_SET_SIZE];
    int count;
} predict_input;

/* Fills *out for FILE and the checkpoint at ckpt_path. S3F_ERR_ARG for an
 * extension other than .xyz/.npz or a file that does not exist; the
 * checkpoint's errors (S3F_ERR_IO, S3F_ERR_FORMAT) naming it. */
s3f_status predict_input_sets(const char *ckpt_path, const char *file, predict_input *out);

#endif
