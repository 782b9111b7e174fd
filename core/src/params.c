/* params.c — parameter slabs with named views (params.h).
 *
 * Invariant after finalising: parameter i's value is values[offset_i ..) and
 * its gradient grads[offset_i ..), offsets 64-byte aligned, padding zero. */
#include <stdlib.h>
#include <string.h>

#include "se3flow/params.h"

typedef struct param_entry {
    char *name;
    s3f_tensor tensor; /* data and grad point into the slabs once finalised */
    s3f_tensor grad;
    int64_t offset; /* in elements */
} param_entry;

struct s3f_params {
    s3f_dtype dtype;
    bool finalized;
    int count, capacity;
    param_entry **entries; /* each entry on its own, so tensor pointers stay put */
    s3f_tensor *values;    /* (total) */
    s3f_tensor *grads;     /* (total) */
    int64_t numel;
};

s3f_status s3f_params_create(s3f_dtype dtype, s3f_params_t **out)
{
    if (dtype != S3F_F32 && dtype != S3F_F64)
        return s3f_fail(S3F_ERR_DTYPE, "parameters must be f32 or f64, not %s",
                        s3f_dtype_name(dtype));
    s3f_params_t *params = calloc(1, sizeof *params);
    if (!params) return s3f_fail(S3F_ERR_NOMEM, "cannot allocate a parameter set");
    params->dtype = dtype;
    *out = params;
    return S3F_OK;
}

void s3f_params_destroy(s3f_params_t *params)
{
    if (!params) return;
    for (int i = 0; i < params->count; i++) {
        free(params->entries[i]->name);
        free(params->entries[i]);
    }
    free(params->entries);
    s3f_tensor_destroy(params->values);
    s3f_tensor_destroy(params->grads);
    free(params);
}

static s3f_status grow(s3f_params_t *params)
{
    int capacity = params->capacity ? params->capacity * 2 : 64;
    param_entry **entries = realloc(params->entries, (size_t)capacity * sizeof *entries);
    if (!entries) return s3f_fail(S3F_ERR_NOMEM, "cannot grow the parameter table");
    params->entries = entries;
    params->capacity = capacity;
    return S3F_OK;
}

s3f_status s3f_params_add(s3f_params_t *params, const char *name, s3f_shape shape, s3f_tensor **out)
{
    if (params->finalized)
        return s3f_fail(S3F_ERR_STATE, "parameter '%s' added after the set was finalised", name);
    if (s3f_params_find(params, name))
        return s3f_fail(S3F_ERR_ARG, "parameter '%s' is declared twice", name);
    S3F_RETURN_IF_ERR(s3f_shape_check(&shape, params->dtype));
    if (params->count == params->capacity) S3F_RETURN_IF_ERR(grow(params));
    param_entry *e = calloc(1, sizeof *e);
    if (e) e->name = strdup(name);
    if (!e || !e->name) {
        free(e);
        return s3f_fail(S3F_ERR_NOMEM, "cannot allocate parameter '%s'", name);
    }
    params->entries[params->count] = e;
    e->tensor.dtype = e->grad.dtype = params->dtype;
    e->tensor.shape = e->grad.shape = shape;
    e->tensor.requires_grad = true;
    e->tensor.name = e->grad.name = e->name;
    params->count++;
    if (out) *out = &e->tensor;
    return S3F_OK;
}

s3f_status s3f_params_finalize(s3f_params_t *params)
{
    if (params->finalized) return s3f_fail(S3F_ERR_STATE, "parameters finalised twice");
    int64_t align = 64 / (int64_t)s3f_dtype_size(params->dtype), total = 0;
    for (int i = 0; i < params->count; i++) {
        params->entries[i]->offset = total;
        int64_t n = s3f_tensor_numel(&params->entries[i]->tensor);
        params->numel += n;
        total += (n + align - 1) / align * align;
    }
    S3F_RETURN_IF_ERR(s3f_tensor_create(params->dtype, S3F_SHAPE(total), &params->values));
    S3F_RETURN_IF_ERR(s3f_tensor_create(params->dtype, S3F_SHAPE(total), &params->grads));
    size_t elem = s3f_dtype_size(params->dtype);
    for (int i = 0; i < params->count; i++) {
        param_entry *e = params->entries[i];
        e->tensor.data = (char *)params->values->data + (size_t)e->offset * elem;
        e->grad.data = (char *)params->grads->data + (size_t)e->offset * elem;
        e->tensor.grad = &e->grad;
    }
    params->finalized = true;
    return S3F_OK;
}

int s3f_params_count(const s3f_params_t *params)
{
    return params->count;
}

s3f_tensor *s3f_params_at(const s3f_params_t *params, int i)
{
    return i >= 0 && i < params->count ? &params->entries[i]->tensor : NULL;
}

s3f_tensor *s3f_params_find(const s3f_params_t *params, const char *name)
{
    for (int i = 0; i < params->count; i++)
        if (strcmp(params->entries[i]->name, name) == 0) return &params->entries[i]->tensor;
    return NULL;
}

s3f_tensor *s3f_params_values(const s3f_params_t *params)
{
    return params->values;
}

s3f_tensor *s3f_params_grads(const s3f_params_t *params)
{
    return params->grads;
}

int64_t s3f_params_numel(const s3f_params_t *params)
{
    return params->numel;
}

void s3f_params_zero_grad(s3f_params_t *params)
{
    if (params->grads) s3f_tensor_fill(params->grads, 0.0);
}
