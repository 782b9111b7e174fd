/* model_session.h — a model ready to predict: a recipe resolved into
 * plugins, its dataset opened (or borrowed from another session), its model
 * created and, for a checkpoint, the checkpoint's parameters loaded and its
 * target normalisation used. Shared by predict, compare and bench.
 *
 * Not here: training (run_train.c) and the run store (tool_record.h). */
#ifndef SE3FLOW_CLI_MODEL_SESSION_H
#define SE3FLOW_CLI_MODEL_SESSION_H

#include "run_setup.h"

typedef struct model_session {
    run_setup setup;
    s3f_safetensors_t *file;  /* the checkpoint, NULL when opened from a recipe */
    s3f_checkpoint_meta meta; /* its metadata (strings point into file) */
    const s3f_dataset_i *dataset_i;
    void *dataset; /* owned unless borrowed from another session */
    bool owns_dataset;
    s3f_dataset_desc desc; /* the dataset's; normalisation from the checkpoint */
    const s3f_model_i *model_i;
    void *model; /* owned */
} model_session;

/* What to open. */
typedef struct model_request {
    const char *ckpt_path;          /* a checkpoint: its stored recipe is the recipe */
    run_request recipe;             /* recipe_path/recipe_text are filled from the
                                       checkpoint when ckpt_path is set; sets and
                                       plugin paths apply either way */
    const model_session *data_from; /* borrow this session's dataset; NULL: open our own */
    bool quiet;
} model_request;

/* Opens everything. S3F_ERR_SHAPE naming every mismatched tensor when the
 * checkpoint does not fit the model the recipe makes; S3F_ERR_IO/FORMAT for
 * a missing or corrupt file (named). *s is left safe to close on failure. */
s3f_status model_session_open(const model_request *request, model_session *s);
/* Closes in reverse order. A zeroed or half-opened session is fine. */
void model_session_close(model_session *s);

/* The trainer's view of the session (no optimizer). */
s3f_train_setup model_session_train_setup(const model_session *s);

/* "train"/"val"/"test" -> split; S3F_ERR_ARG naming the allowed ones. */
s3f_status model_split_parse(const char *name, s3f_dataset_split *out);
const char *model_split_name(s3f_dataset_split split);

#endif
