/* ckpt_convert.c — fusion layout conversion of se3_transformer checkpoints
 * (ckpt_convert.h). Tensor names follow SPEC §12: a FULL convolution's
 * radial network is `<P>.conv.radial_func.net.<k>.<weight|bias>`, a PARTIAL
 * one `<P>.conv_out.<d_out>.radial_func.net...`, a pairwise one
 * `<P>.conv.<d_in>,<d_out>.radial_func.net...`. The last layer (net.6, or
 * net.4 without layer norm) is the only one whose rows are per frequency. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt_convert.h"
#include "ckpt_layout.h"

#define RADIAL ".radial_func.net."

typedef struct convert_job {
    int max_degree;
    int64_t channels; /* C_in of every fused convolution: num_channels */
    char last[32];    /* "6.weight" or "4.weight" */
    fuse_layout from, to;
    const s3f_safetensors_t *file;
    s3f_safetensors_writer_t *writer;
    s3f_tensor **owned; /* kept until the file is written */
    int owned_count, owned_capacity;
} convert_job;

/* ---- the model options from the stored recipe ---- */

static s3f_status option_text(const s3f_recipe_t *r, const char *key, const char **out)
{
    const s3f_recipe_node_t *n = s3f_recipe_get(r, key);
    if (!n || s3f_recipe_node_kind(n) != S3F_RECIPE_SCALAR)
        return s3f_fail(S3F_ERR_ARG, "the checkpoint's recipe has no %s", key);
    *out = s3f_recipe_node_text(n);
    return S3F_OK;
}

static s3f_status read_options(const s3f_recipe_t *r, convert_job *j)
{
    const char *name, *degrees, *channels, *layer_norm, *fuse;
    S3F_RETURN_IF_ERR(option_text(r, "model.name", &name));
    if (strcmp(name, "se3_transformer") != 0)
        return s3f_fail(S3F_ERR_ARG,
                        "ckpt convert rewrites se3_transformer checkpoints; this one is a "
                        "'%s' model",
                        name);
    S3F_RETURN_IF_ERR(option_text(r, "model.num_degrees", &degrees));
    S3F_RETURN_IF_ERR(option_text(r, "model.num_channels", &channels));
    S3F_RETURN_IF_ERR(option_text(r, "model.use_layer_norm", &layer_norm));
    S3F_RETURN_IF_ERR(option_text(r, "model.fuse_level", &fuse));
    j->max_degree = atoi(degrees) - 1;
    j->channels = atoll(channels);
    if (j->max_degree < 0 || j->channels <= 0)
        return s3f_fail(S3F_ERR_ARG, "the checkpoint's recipe has num_degrees %s, num_channels %s",
                        degrees, channels);
    snprintf(j->last, sizeof j->last, "%d.weight", !strcmp(layer_norm, "true") ? 6 : 4);
    S3F_RETURN_IF_ERR(fuse_layout_parse(fuse, &j->from));
    /* low_memory makes every convolution pairwise whatever fuse_level says */
    const s3f_recipe_node_t *low = s3f_recipe_get(r, "model.low_memory");
    if (low && s3f_recipe_node_text(low) && !strcmp(s3f_recipe_node_text(low), "true"))
        j->from = LAYOUT_NONE;
    return S3F_OK;
}

static s3f_status check_direction(const convert_job *j)
{
    if (j->to == j->from)
        return s3f_fail(S3F_ERR_UNSUPPORTED, "the checkpoint is already in the %s layout",
                        fuse_layout_name(j->to));
    if (j->to > j->from)
        return s3f_fail(S3F_ERR_UNSUPPORTED,
                        "cannot convert %s to %s: the less fused layout trained a separate "
                        "radial network (hidden layers included) per %s, and separately trained "
                        "hidden layers cannot be merged into one; only FULL -> PARTIAL -> NONE "
                        "is lossless (SPEC 12.6)",
                        fuse_layout_name(j->from), fuse_layout_name(j->to),
                        j->from == LAYOUT_NONE ? "degree pair" : "output degree");
    return S3F_OK;
}

/* ---- tensors ---- */

static s3f_status keep(convert_job *j, s3f_tensor *t)
{
    if (j->owned_count == j->owned_capacity) {
        int cap = j->owned_capacity ? 2 * j->owned_capacity : 256;
        s3f_tensor **o = realloc(j->owned, (size_t)cap * sizeof *o);
        if (!o) {
            s3f_tensor_destroy(t);
            return s3f_fail(S3F_ERR_NOMEM, "out of memory");
        }
        j->owned = o, j->owned_capacity = cap;
    }
    j->owned[j->owned_count++] = t;
    return S3F_OK;
}

static s3f_status add(convert_job *j, const char *name, s3f_tensor *t)
{
    S3F_RETURN_IF_ERR(keep(j, t));
    return s3f_safetensors_writer_add(j->writer, name, t);
}

static s3f_status read_entry(const convert_job *j, const s3f_safetensors_entry *e, s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(s3f_tensor_create(e->dtype, e->shape, out));
    s3f_status rc = s3f_safetensors_read(j->file, e->name, *out);
    if (rc != S3F_OK) s3f_tensor_destroy(*out);
    return rc;
}

/* One derived tensor: the hidden layers as they are, the last layer's rows
 * for frequencies [offset, offset + f_dst) of f_src, scaled. */
static s3f_status derive(convert_job *j, const s3f_safetensors_entry *e, const char *rest,
                         const char *name, int64_t f_src, int64_t offset, int64_t f_dst,
                         double scale)
{
    s3f_tensor *src = NULL, *dst = NULL;
    S3F_RETURN_IF_ERR(read_entry(j, e, &src));
    if (strcmp(rest, j->last) != 0) return add(j, name, src);
    s3f_status rc =
        layout_gather_rows(src, f_src, j->channels, offset, f_dst, scale, e->name, &dst);
    s3f_tensor_destroy(src);
    return rc == S3F_OK ? add(j, name, dst) : rc;
}

/* The pairwise (d_in, d_out) network from a fused one whose frequencies for
 * d_out start at `base` (FO(d_out) for FULL, 0 for PARTIAL). */
static s3f_status to_pair(convert_job *j, const s3f_safetensors_entry *e, const char *prefix,
                          const char *rest, int64_t f_src, int64_t base, int d_in, int d_out)
{
    char name[2300];
    double scale = d_in == 0 && d_out == 0 ? 1.0 / sqrt(4.0 * M_PI) : 1.0;
    snprintf(name, sizeof name, "%s.conv.%d,%d" RADIAL "%s", prefix, d_in, d_out, rest);
    return derive(j, e, rest, name, f_src, base + layout_partial_offset(d_in, d_out),
                  layout_pair_freqs(d_in, d_out), scale);
}

static s3f_status split_full(convert_job *j, const s3f_safetensors_entry *e, const char *prefix,
                             const char *rest)
{
    int64_t f_full = layout_full_freqs(j->max_degree);
    for (int d_out = 0; d_out <= j->max_degree; d_out++) {
        int64_t base = layout_full_offset(j->max_degree, d_out);
        if (j->to == LAYOUT_PARTIAL) {
            char name[2300];
            snprintf(name, sizeof name, "%s.conv_out.%d" RADIAL "%s", prefix, d_out, rest);
            S3F_RETURN_IF_ERR(derive(j, e, rest, name, f_full, base,
                                     layout_partial_freqs(j->max_degree, d_out), 1.0));
            continue;
        }
        for (int d_in = 0; d_in <= j->max_degree; d_in++)
            S3F_RETURN_IF_ERR(to_pair(j, e, prefix, rest, f_full, base, d_in, d_out));
    }
    return S3F_OK;
}

static s3f_status split_partial(convert_job *j, const s3f_safetensors_entry *e, const char *prefix,
                                int d_out, const char *rest)
{
    int64_t f = layout_partial_freqs(j->max_degree, d_out);
    for (int d_in = 0; d_in <= j->max_degree; d_in++)
        S3F_RETURN_IF_ERR(to_pair(j, e, prefix, rest, f, 0, d_in, d_out));
    return S3F_OK;
}

/* Which kind of tensor `e` is, and what it becomes. */
static s3f_status convert_entry(convert_job *j, const s3f_safetensors_entry *e)
{
    char prefix[1024];
    const char *full = strstr(e->name, ".conv" RADIAL), *partial = strstr(e->name, ".conv_out.");
    int d_out, used = 0;
    if (!strncmp(e->name, "optimizer.", 10)) return S3F_OK;
    if (full && j->from == LAYOUT_FULL) {
        snprintf(prefix, sizeof prefix, "%.*s", (int)(full - e->name), e->name);
        return split_full(j, e, prefix, full + strlen(".conv" RADIAL));
    }
    if (partial && j->to == LAYOUT_NONE &&
        sscanf(partial, ".conv_out.%d" RADIAL "%n", &d_out, &used) == 1 && used > 0 && d_out >= 0 &&
        d_out <= j->max_degree) {
        snprintf(prefix, sizeof prefix, "%.*s", (int)(partial - e->name), e->name);
        return split_partial(j, e, prefix, d_out, partial + used);
    }
    s3f_tensor *t = NULL;
    S3F_RETURN_IF_ERR(read_entry(j, e, &t));
    return add(j, e->name, t);
}

/* ---- metadata ---- */

static s3f_status copy_metadata(convert_job *j, const char *recipe)
{
    for (int i = 0; i < s3f_safetensors_metadata_count(j->file); i++) {
        const char *key = s3f_safetensors_metadata_key(j->file, i);
        if (strcmp(key, "se3flow.recipe") != 0)
            S3F_RETURN_IF_ERR(s3f_safetensors_writer_metadata(
                j->writer, key, s3f_safetensors_metadata(j->file, key)));
    }
    return s3f_safetensors_writer_metadata(j->writer, "se3flow.recipe", recipe);
}

static s3f_status new_recipe(s3f_recipe_t *r, fuse_layout to, char **text)
{
    char assignment[64];
    snprintf(assignment, sizeof assignment, "model.fuse_level=%s", fuse_layout_name(to));
    S3F_RETURN_IF_ERR(s3f_recipe_set(r, assignment));
    return s3f_recipe_emit(r, text, NULL);
}

static s3f_status convert(convert_job *j, const char *out, const char *layout)
{
    s3f_checkpoint_meta meta;
    s3f_recipe_t *recipe = NULL;
    char *text = NULL;
    s3f_status rc = S3F_OK;
    S3F_TRY(fuse_layout_parse(layout, &j->to));
    S3F_TRY(s3f_checkpoint_read_meta(j->file, &meta));
    if (!meta.recipe_yaml) S3F_TRY(s3f_fail(S3F_ERR_ARG, "the checkpoint stores no recipe"));
    S3F_TRY(s3f_recipe_parse(meta.recipe_yaml, strlen(meta.recipe_yaml), "stored recipe", &recipe));
    S3F_TRY(read_options(recipe, j));
    S3F_TRY(check_direction(j));
    S3F_TRY(s3f_safetensors_writer_create(&j->writer));
    for (int i = 0; i < s3f_safetensors_count(j->file); i++)
        S3F_TRY(convert_entry(j, s3f_safetensors_at(j->file, i)));
    S3F_TRY(new_recipe(recipe, j->to, &text));
    S3F_TRY(copy_metadata(j, text));
    S3F_TRY(s3f_safetensors_write(j->writer, out));
fail:
    free(text);
    s3f_recipe_destroy(recipe);
    return rc;
}

s3f_status ckpt_convert_file(const char *in, const char *out, const char *layout)
{
    convert_job j;
    memset(&j, 0, sizeof j);
    s3f_safetensors_t *file = NULL;
    s3f_status rc = s3f_safetensors_open(in, &file);
    j.file = file;
    if (rc == S3F_OK) rc = convert(&j, out, layout);
    s3f_safetensors_writer_destroy(j.writer);
    for (int i = 0; i < j.owned_count; i++) s3f_tensor_destroy(j.owned[i]);
    free(j.owned);
    s3f_safetensors_close(file);
    if (rc != S3F_OK) return s3f_fail_context(rc, "%s: ", in);
    return S3F_OK;
}
