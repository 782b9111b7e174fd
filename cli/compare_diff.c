/* compare_diff.c — recipe and parameter differences of two checkpoints
 * (compare_diff.h). Recipes are flattened to "a.b.c" = scalar pairs, sorted,
 * and merged; parameters are read as f64 (whatever their stored dtype). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_diff.h"

/* ---- recipes ---- */

typedef struct flat_entry {
    char *key;
    const char *value; /* borrowed from the recipe */
} flat_entry;

typedef struct flat {
    int count, capacity;
    flat_entry *entries;
} flat;

static s3f_status flat_add(flat *f, const char *key, const char *value)
{
    if (f->count == f->capacity) {
        int cap = f->capacity ? 2 * f->capacity : 64;
        flat_entry *e = realloc(f->entries, (size_t)cap * sizeof *e);
        if (!e) return s3f_fail(S3F_ERR_NOMEM, "out of memory");
        f->entries = e, f->capacity = cap;
    }
    char *copy = strdup(key);
    if (!copy) return s3f_fail(S3F_ERR_NOMEM, "out of memory");
    f->entries[f->count++] = (flat_entry){copy, value};
    return S3F_OK;
}

static s3f_status flatten(const s3f_recipe_node_t *node, const char *prefix, flat *f)
{
    s3f_recipe_kind kind = s3f_recipe_node_kind(node);
    if (kind == S3F_RECIPE_SCALAR) return flat_add(f, prefix, s3f_recipe_node_text(node));
    for (int i = 0; i < s3f_recipe_node_count(node); i++) {
        char key[512], index[16];
        snprintf(index, sizeof index, "%d", i);
        const char *part = kind == S3F_RECIPE_MAP ? s3f_recipe_node_key(node, i) : index;
        snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", part);
        S3F_RETURN_IF_ERR(flatten(s3f_recipe_node_child(node, i), key, f));
    }
    return S3F_OK;
}

static int by_key(const void *x, const void *y)
{
    return strcmp(((const flat_entry *)x)->key, ((const flat_entry *)y)->key);
}

static void flat_free(flat *f)
{
    for (int i = 0; i < f->count; i++) free(f->entries[i].key);
    free(f->entries);
}

static s3f_status add_change(recipe_diff *d, const char *key, const char *a, const char *b)
{
    recipe_change *c = realloc(d->changes, (size_t)(d->count + 1) * sizeof *c);
    if (!c) return s3f_fail(S3F_ERR_NOMEM, "out of memory");
    d->changes = c;
    c[d->count++] = (recipe_change){strdup(key), a ? strdup(a) : NULL, b ? strdup(b) : NULL};
    return S3F_OK;
}

/* Merge of two sorted flat lists. */
static s3f_status merge(const flat *a, const flat *b, recipe_diff *d)
{
    int i = 0, j = 0;
    while (i < a->count || j < b->count) {
        int order = i == a->count   ? 1
                    : j == b->count ? -1
                                    : strcmp(a->entries[i].key, b->entries[j].key);
        if (order < 0) {
            S3F_RETURN_IF_ERR(add_change(d, a->entries[i].key, a->entries[i].value, NULL));
            i++;
        } else if (order > 0) {
            S3F_RETURN_IF_ERR(add_change(d, b->entries[j].key, NULL, b->entries[j].value));
            j++;
        } else {
            if (strcmp(a->entries[i].value, b->entries[j].value) != 0)
                S3F_RETURN_IF_ERR(
                    add_change(d, a->entries[i].key, a->entries[i].value, b->entries[j].value));
            i++, j++;
        }
    }
    return S3F_OK;
}

static s3f_status parse_flat(const char *yaml, const char *name, s3f_recipe_t **recipe, flat *f)
{
    S3F_RETURN_IF_ERR(
        s3f_recipe_parse(yaml ? yaml : "{}", strlen(yaml ? yaml : "{}"), name, recipe));
    S3F_RETURN_IF_ERR(flatten(s3f_recipe_get(*recipe, ""), "", f));
    qsort(f->entries, (size_t)f->count, sizeof *f->entries, by_key);
    return S3F_OK;
}

s3f_status recipe_diff_make(const char *a_yaml, const char *b_yaml, recipe_diff *out)
{
    s3f_recipe_t *ra = NULL, *rb = NULL;
    flat fa = {0}, fb = {0};
    memset(out, 0, sizeof *out);
    s3f_status rc = S3F_OK;
    S3F_TRY(parse_flat(a_yaml, "recipe of A", &ra, &fa));
    S3F_TRY(parse_flat(b_yaml, "recipe of B", &rb, &fb));
    S3F_TRY(merge(&fa, &fb, out));
fail:
    flat_free(&fa);
    flat_free(&fb);
    s3f_recipe_destroy(ra);
    s3f_recipe_destroy(rb);
    if (rc != S3F_OK) recipe_diff_free(out);
    return rc;
}

void recipe_diff_free(recipe_diff *d)
{
    for (int i = 0; i < d->count; i++) {
        free(d->changes[i].key);
        free(d->changes[i].a);
        free(d->changes[i].b);
    }
    free(d->changes);
    memset(d, 0, sizeof *d);
}

/* ---- parameters ---- */

static bool is_parameter(const s3f_safetensors_entry *e)
{
    return strncmp(e->name, "optimizer.", 10) != 0;
}

/* Sum of squares of a and of (b - a), read as f64. */
static s3f_status squares(const s3f_safetensors_t *fa, const s3f_safetensors_t *fb,
                          const s3f_safetensors_entry *e, double *norm_a, double *norm_d)
{
    s3f_tensor *a = NULL, *b = NULL;
    s3f_status rc = S3F_OK;
    S3F_TRY(s3f_tensor_create(S3F_F64, e->shape, &a));
    S3F_TRY(s3f_tensor_create(S3F_F64, e->shape, &b));
    S3F_TRY(s3f_safetensors_read(fa, e->name, a));
    S3F_TRY(s3f_safetensors_read(fb, e->name, b));
    const double *x = a->data, *y = b->data;
    for (int64_t i = 0; i < s3f_tensor_numel(a); i++) {
        *norm_a += x[i] * x[i];
        *norm_d += (y[i] - x[i]) * (y[i] - x[i]);
    }
fail:
    s3f_tensor_destroy(a);
    s3f_tensor_destroy(b);
    return rc;
}

static s3f_status compare_one(const s3f_safetensors_t *fa, const s3f_safetensors_t *fb,
                              const s3f_safetensors_entry *ea, param_change *c, double *total_a,
                              double *total_d)
{
    const s3f_safetensors_entry *eb = s3f_safetensors_find(fb, ea->name);
    *c = (param_change){ea->name, true, eb != NULL, ea->shape, {0}, NAN};
    if (!eb) return S3F_OK;
    c->shape_b = eb->shape;
    if (!s3f_shape_equal(&ea->shape, &eb->shape) || !s3f_dtype_is_float(ea->dtype) ||
        !s3f_dtype_is_float(eb->dtype))
        return S3F_OK;
    double na = 0, nd = 0;
    S3F_RETURN_IF_ERR(squares(fa, fb, ea, &na, &nd));
    c->rel_l2 = na > 0 ? sqrt(nd / na) : sqrt(nd);
    *total_a += na, *total_d += nd;
    return S3F_OK;
}

s3f_status param_diff_make(const s3f_safetensors_t *a, const s3f_safetensors_t *b, param_diff *out)
{
    memset(out, 0, sizeof *out);
    int na = s3f_safetensors_count(a), nb = s3f_safetensors_count(b);
    if (!(out->tensors = calloc((size_t)(na + nb) + 1, sizeof *out->tensors)))
        return s3f_fail(S3F_ERR_NOMEM, "out of memory");
    double total_a = 0, total_d = 0;
    for (int i = 0; i < na; i++) {
        const s3f_safetensors_entry *e = s3f_safetensors_at(a, i);
        if (!is_parameter(e)) continue;
        s3f_status rc = compare_one(a, b, e, &out->tensors[out->count++], &total_a, &total_d);
        if (rc != S3F_OK) {
            param_diff_free(out);
            return rc;
        }
    }
    for (int i = 0; i < nb; i++) {
        const s3f_safetensors_entry *e = s3f_safetensors_at(b, i);
        if (is_parameter(e) && !s3f_safetensors_find(a, e->name))
            out->tensors[out->count++] = (param_change){e->name, false, true, {0}, e->shape, NAN};
    }
    out->total_rel_l2 = total_a > 0 ? sqrt(total_d / total_a) : sqrt(total_d);
    return S3F_OK;
}

void param_diff_free(param_diff *d)
{
    free(d->tensors);
    memset(d, 0, sizeof *d);
}
