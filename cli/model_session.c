/* model_session.c — a recipe or checkpoint opened into a model ready to
 * predict (model_session.h).
 *
 * Invariant: predictions are denormalised with the normalisation the model
 * was trained with, which a checkpoint stores; the dataset's own (from its
 * training split) is used only for a fresh model opened from a recipe. */
#include <stdio.h>
#include <string.h>

#include "model_session.h"

static const char *const k_split_names[S3F_SPLIT_COUNT] = {"train", "val", "test"};

s3f_status model_split_parse(const char *name, s3f_dataset_split *out)
{
    for (int i = 0; i < S3F_SPLIT_COUNT; i++)
        if (!strcmp(name, k_split_names[i])) {
            *out = (s3f_dataset_split)i;
            return S3F_OK;
        }
    return s3f_fail(S3F_ERR_ARG, "unknown split '%s': use train, val or test", name);
}

const char *model_split_name(s3f_dataset_split split)
{
    return split >= 0 && split < S3F_SPLIT_COUNT ? k_split_names[split] : "?";
}

/* The checkpoint and its metadata; the stored recipe becomes the recipe. */
static s3f_status open_checkpoint(const model_request *r, model_session *s, run_request *recipe,
                                  char *name, size_t size)
{
    s3f_status rc = s3f_safetensors_open(r->ckpt_path, &s->file);
    if (rc == S3F_OK) rc = s3f_checkpoint_read_meta(s->file, &s->meta);
    if (rc != S3F_OK) return s3f_fail_context(rc, "checkpoint %s: ", r->ckpt_path);
    if (!s->meta.recipe_yaml || !*s->meta.recipe_yaml)
        return s3f_fail(S3F_ERR_FORMAT,
                        "checkpoint %s stores no recipe (se3flow.recipe), so the model it "
                        "belongs to is unknown",
                        r->ckpt_path);
    /* no '/' in the name: relative plugin paths of the stored recipe then
     * start at the working directory, not at the checkpoint's */
    const char *base = strrchr(r->ckpt_path, '/') ? strrchr(r->ckpt_path, '/') + 1 : r->ckpt_path;
    snprintf(name, size, "%s (stored recipe)", base);
    recipe->recipe_path = name;
    recipe->recipe_text = s->meta.recipe_yaml;
    return S3F_OK;
}

static s3f_status open_dataset(const model_request *r, model_session *s)
{
    s->dataset_i = s->setup.dataset.descriptor->interface;
    if (r->data_from) {
        s->dataset_i = r->data_from->dataset_i;
        s->dataset = r->data_from->dataset;
        s->desc = r->data_from->desc;
        return S3F_OK;
    }
    s3f_dataset_env env = {(uint64_t)s->setup.top.seed, RUN_DATA_DIR, r->quiet};
    S3F_RETURN_IF_ERR(s->dataset_i->open(s->setup.dataset.options, &env, &s->dataset));
    s->owns_dataset = true;
    return s->dataset_i->describe(s->dataset, &s->desc);
}

/* A checkpoint's model predicts in the units it was trained in. */
static s3f_status use_checkpoint_normalisation(const model_request *r, model_session *s)
{
    if (!s->file || s->meta.targets == 0) return S3F_OK;
    if (s->meta.targets != s->desc.layout.targets)
        return s3f_fail(S3F_ERR_SHAPE,
                        "checkpoint %s was trained on %d targets but the dataset has %d",
                        r->ckpt_path, s->meta.targets, s->desc.layout.targets);
    s->desc.target_mean = s->meta.target_mean;
    s->desc.target_std = s->meta.target_std;
    return S3F_OK;
}

static s3f_status load_parameters(const model_request *r, model_session *s)
{
    s3f_checkpoint_meta meta;
    s3f_status rc = s3f_checkpoint_load(s->file, s->model_i->params(s->model), NULL, &meta);
    if (rc != S3F_OK)
        return s3f_fail_context(
            rc, "checkpoint %s does not fit the model its recipe makes: ", r->ckpt_path);
    return S3F_OK;
}

s3f_status model_session_open(const model_request *r, model_session *s)
{
    memset(s, 0, sizeof *s);
    run_request recipe = r->recipe;
    char name[512];
    if (r->ckpt_path) S3F_RETURN_IF_ERR(open_checkpoint(r, s, &recipe, name, sizeof name));
    S3F_RETURN_IF_ERR(run_setup_load(&recipe, &s->setup));
    S3F_RETURN_IF_ERR(open_dataset(r, s));
    S3F_RETURN_IF_ERR(use_checkpoint_normalisation(r, s));
    s->model_i = s->setup.model.descriptor->interface;
    S3F_RETURN_IF_ERR(s->model_i->create(s->setup.model.options, &s->desc, S3F_CPU,
                                         (uint64_t)s->setup.top.seed, &s->model));
    return s->file ? load_parameters(r, s) : S3F_OK;
}

void model_session_close(model_session *s)
{
    if (s->model) s->model_i->destroy(s->model);
    if (s->owns_dataset) s->dataset_i->close(s->dataset);
    run_setup_free(&s->setup);
    s3f_safetensors_close(s->file);
    memset(s, 0, sizeof *s);
}

s3f_train_setup model_session_train_setup(const model_session *s)
{
    return (s3f_train_setup){s->dataset_i, s->dataset, &s->desc, s->model_i, s->model, NULL, NULL};
}
