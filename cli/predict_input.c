/* predict_input.c — recipe overrides for `predict --input FILE`
 * (predict_input.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "predict_input.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && !strcmp(s + n - m, suffix);
}

/* The dataset plugin name the checkpoint was trained with ("" if none). */
static s3f_status trained_dataset(const char *ckpt_path, char *name, size_t size)
{
    s3f_safetensors_t *f = NULL;
    s3f_recipe_t *recipe = NULL;
    s3f_checkpoint_meta meta;
    s3f_status rc = S3F_OK;
    S3F_TRY(s3f_safetensors_open(ckpt_path, &f));
    S3F_TRY(s3f_checkpoint_read_meta(f, &meta));
    name[0] = '\0';
    if (meta.recipe_yaml) {
        S3F_TRY(
            s3f_recipe_parse(meta.recipe_yaml, strlen(meta.recipe_yaml), "stored recipe", &recipe));
        const s3f_recipe_node_t *n = s3f_recipe_get(recipe, "dataset.name");
        if (n && s3f_recipe_node_kind(n) == S3F_RECIPE_SCALAR)
            snprintf(name, size, "%s", s3f_recipe_node_text(n));
    }
fail:
    s3f_recipe_destroy(recipe);
    s3f_safetensors_close(f);
    if (rc != S3F_OK) return s3f_fail_context(rc, "checkpoint %s: ", ckpt_path);
    return S3F_OK;
}

/* `file` as a single-quoted YAML scalar ('' stands for '). */
static void quoted(const char *file, char *out, size_t size)
{
    size_t j = 0;
    out[j++] = '\'';
    for (const char *c = file; *c && j + 3 < size; c++) {
        if (*c == '\'') out[j++] = '\'';
        out[j++] = *c;
    }
    out[j++] = '\'';
    out[j] = '\0';
}

static void add(predict_input *in, const char *text)
{
    snprintf(in->sets[in->count++], PREDICT_INPUT_SET_SIZE, "%s", text);
}

s3f_status predict_input_sets(const char *ckpt_path, const char *file, predict_input *out)
{
    bool xyz = ends_with(file, ".xyz"), npz = ends_with(file, ".npz");
    if (!xyz && !npz)
        return s3f_fail(S3F_ERR_ARG, "--input %s: expected an .xyz or a QM9-layout .npz file",
                        file);
    if (access(file, R_OK) != 0)
        return s3f_fail(S3F_ERR_ARG, "--input %s: no such readable file", file);
    char trained[64], path[4100], text[PREDICT_INPUT_SET_SIZE], *absolute = realpath(file, NULL);
    quoted(absolute ? absolute : file, path, sizeof path);
    free(absolute);
    S3F_RETURN_IF_ERR(trained_dataset(ckpt_path, trained, sizeof trained));
    const char *plugin = xyz ? "xyz" : "qm9";
    out->count = 0;
    if (strcmp(trained, plugin) != 0) {
        snprintf(text, sizeof text, "dataset={name: %s}", plugin);
        add(out, text);
    }
    snprintf(text, sizeof text, "dataset.%s=%s", xyz ? "path" : "file", path);
    add(out, text);
    if (xyz) {
        add(out, "dataset.files=''");
        add(out, "dataset.train_fraction=1");
        add(out, "dataset.val_fraction=0");
    }
    return S3F_OK;
}
