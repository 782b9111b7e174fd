/* safetensors_write.c — building a safetensors file and writing it
 * atomically (safetensors.h). The header lists __metadata__ first, then the
 * tensors in the order they were added, with consecutive data offsets; it is
 * padded with spaces to a multiple of 8 bytes so the data section starts
 * aligned. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "safetensors_internal.h"
#include "se3flow/atomic_file.h"

static const struct {
    const char *name;
    s3f_dtype dtype;
} k_dtypes[] = {{"F64", S3F_F64}, {"F32", S3F_F32}, {"F16", S3F_F16}, {"BF16", S3F_BF16},
                {"I64", S3F_I64}, {"I32", S3F_I32}, {"U8", S3F_U8}};

bool safetensors_dtype_parse(const char *name, s3f_dtype *out)
{
    for (size_t i = 0; i < sizeof k_dtypes / sizeof k_dtypes[0]; i++)
        if (!strcmp(k_dtypes[i].name, name)) {
            *out = k_dtypes[i].dtype;
            return true;
        }
    return false;
}

const char *safetensors_dtype_name(s3f_dtype dtype)
{
    for (size_t i = 0; i < sizeof k_dtypes / sizeof k_dtypes[0]; i++)
        if (k_dtypes[i].dtype == dtype) return k_dtypes[i].name;
    return NULL;
}

size_t safetensors_dtype_size(s3f_dtype dtype)
{
    return s3f_dtype_size(dtype);
}

typedef struct named_tensor {
    char *name;
    const s3f_tensor *tensor;
} named_tensor;

struct s3f_safetensors_writer {
    named_tensor *tensors;
    int count;
    cJSON *metadata;
};

s3f_status s3f_safetensors_writer_create(s3f_safetensors_writer_t **out)
{
    s3f_safetensors_writer_t *w = calloc(1, sizeof *w);
    if (!w || !(w->metadata = cJSON_CreateObject())) {
        free(w);
        return s3f_fail(S3F_ERR_NOMEM, "safetensors: out of memory");
    }
    *out = w;
    return S3F_OK;
}

void s3f_safetensors_writer_destroy(s3f_safetensors_writer_t *w)
{
    if (!w) return;
    for (int i = 0; i < w->count; i++) free(w->tensors[i].name);
    free(w->tensors);
    cJSON_Delete(w->metadata);
    free(w);
}

s3f_status s3f_safetensors_writer_add(s3f_safetensors_writer_t *w, const char *name,
                                      const s3f_tensor *tensor)
{
    if (!name || !*name || !strcmp(name, "__metadata__"))
        return s3f_fail(S3F_ERR_ARG, "safetensors: invalid tensor name '%s'", name ? name : "");
    if (tensor->device != S3F_CPU)
        return s3f_fail(S3F_ERR_DEVICE, "safetensors: tensor '%s' is on a CUDA device", name);
    for (int i = 0; i < w->count; i++)
        if (!strcmp(w->tensors[i].name, name))
            return s3f_fail(S3F_ERR_ARG, "safetensors: tensor '%s' added twice", name);
    named_tensor *grown = realloc(w->tensors, sizeof *grown * ((size_t)w->count + 1));
    if (!grown) return s3f_fail(S3F_ERR_NOMEM, "safetensors: out of memory");
    w->tensors = grown;
    if (!(grown[w->count].name = strdup(name)))
        return s3f_fail(S3F_ERR_NOMEM, "safetensors: out of memory");
    grown[w->count++].tensor = tensor;
    return S3F_OK;
}

s3f_status s3f_safetensors_writer_metadata(s3f_safetensors_writer_t *w, const char *key,
                                           const char *value)
{
    cJSON *item = cJSON_CreateString(value);
    if (!item) return s3f_fail(S3F_ERR_NOMEM, "safetensors: out of memory");
    if (cJSON_GetObjectItemCaseSensitive(w->metadata, key))
        cJSON_ReplaceItemInObjectCaseSensitive(w->metadata, key, item);
    else
        cJSON_AddItemToObject(w->metadata, key, item);
    return S3F_OK;
}

static cJSON *entry_json(const s3f_tensor *t, size_t begin)
{
    cJSON *e = cJSON_CreateObject(), *shape = cJSON_AddArrayToObject(e, "shape");
    cJSON *offsets = cJSON_AddArrayToObject(e, "data_offsets");
    cJSON_AddStringToObject(e, "dtype", safetensors_dtype_name(t->dtype));
    for (int i = 0; i < t->shape.ndim; i++)
        cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)t->shape.d[i]));
    cJSON_AddItemToArray(offsets, cJSON_CreateNumber((double)begin));
    cJSON_AddItemToArray(offsets, cJSON_CreateNumber((double)(begin + s3f_tensor_nbytes(t))));
    return e;
}

/* The header JSON text (malloc'ed, caller frees), or NULL. */
static char *header_text(const s3f_safetensors_writer_t *w)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    if (cJSON_GetArraySize(w->metadata) > 0)
        cJSON_AddItemReferenceToObject(root, "__metadata__", w->metadata);
    size_t offset = 0;
    for (int i = 0; i < w->count; i++) {
        cJSON_AddItemToObject(root, w->tensors[i].name, entry_json(w->tensors[i].tensor, offset));
        offset += s3f_tensor_nbytes(w->tensors[i].tensor);
    }
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

static s3f_status write_all(const s3f_safetensors_writer_t *w, const char *header,
                            s3f_atomic_file_t *file)
{
    size_t n = strlen(header), padded = (n + 7) / 8 * 8;
    unsigned char length[8];
    for (int i = 0; i < 8; i++) length[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    S3F_RETURN_IF_ERR(s3f_atomic_write_bytes(file, length, 8));
    S3F_RETURN_IF_ERR(s3f_atomic_write_bytes(file, header, n));
    S3F_RETURN_IF_ERR(s3f_atomic_write_bytes(file, "       ", padded - n));
    for (int i = 0; i < w->count; i++)
        S3F_RETURN_IF_ERR(s3f_atomic_write_bytes(file, w->tensors[i].tensor->data,
                                                 s3f_tensor_nbytes(w->tensors[i].tensor)));
    return S3F_OK;
}

s3f_status s3f_safetensors_write(const s3f_safetensors_writer_t *w, const char *path)
{
    for (int i = 0; i < w->count; i++)
        if (!safetensors_dtype_name(w->tensors[i].tensor->dtype))
            return s3f_fail(S3F_ERR_DTYPE, "safetensors: tensor '%s' has no safetensors dtype",
                            w->tensors[i].name);
    char *header = header_text(w);
    if (!header) return s3f_fail(S3F_ERR_NOMEM, "safetensors: out of memory building the header");
    s3f_atomic_file_t *file = NULL;
    s3f_status rc = s3f_atomic_open(path, &file);
    if (rc == S3F_OK) rc = write_all(w, header, file);
    if (rc == S3F_OK)
        rc = s3f_atomic_commit(file);
    else
        s3f_atomic_abort(file);
    free(header);
    return rc;
}
