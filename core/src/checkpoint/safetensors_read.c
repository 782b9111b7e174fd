/* safetensors_read.c — mapping and validating safetensors files
 * (safetensors.h). Nothing from the file is trusted before it is checked:
 * every count, offset and length is validated, with overflow checks, before
 * any pointer into the data is formed. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safetensors_internal.h"

#define MAX_HEADER_BYTES ((uint64_t)100 << 20)

struct s3f_safetensors {
    void *map; /* the mapped file, or NULL for open_memory */
    size_t map_size;
    const unsigned char *data; /* start of the data section */
    size_t data_size;
    cJSON *header;
    s3f_safetensors_entry *entries;
    int count;
    const cJSON **metadata; /* string items of __metadata__ */
    int metadata_count;
};

static s3f_status bad(const char *what, const char *name)
{
    return s3f_fail(S3F_ERR_FORMAT, "safetensors: %s%s%s%s", what, name ? " (tensor '" : "",
                    name ? name : "", name ? "')" : "");
}

/* A JSON number that is an exact integer in [0, 2^53]. */
static bool read_count(const cJSON *item, uint64_t *out)
{
    if (!cJSON_IsNumber(item)) return false;
    double v = item->valuedouble;
    if (!(v >= 0 && v <= 9007199254740992.0) || v != (double)(uint64_t)v) return false;
    *out = (uint64_t)v;
    return true;
}

static s3f_status parse_shape(const cJSON *shape, const char *name, s3f_shape *out)
{
    if (!cJSON_IsArray(shape)) return bad("'shape' is not a list", name);
    int ndim = cJSON_GetArraySize(shape);
    if (ndim > S3F_MAX_DIMS) return bad("more than 6 dimensions", name);
    out->ndim = ndim;
    for (int i = 0; i < ndim; i++) {
        uint64_t d;
        if (!read_count(cJSON_GetArrayItem(shape, i), &d) || d > INT64_MAX)
            return bad("a shape entry is not a non-negative integer", name);
        out->d[i] = (int64_t)d;
    }
    return S3F_OK;
}

/* Checks offsets and that the byte range matches dtype x shape. */
static s3f_status parse_range(const cJSON *offsets, s3f_safetensors_t *f, s3f_safetensors_entry *e)
{
    uint64_t begin, end, bytes = safetensors_dtype_size(e->dtype);
    if (!cJSON_IsArray(offsets) || cJSON_GetArraySize(offsets) != 2 ||
        !read_count(cJSON_GetArrayItem(offsets, 0), &begin) ||
        !read_count(cJSON_GetArrayItem(offsets, 1), &end))
        return bad("'data_offsets' is not a pair of non-negative integers", e->name);
    if (begin > end || end > f->data_size)
        return bad("'data_offsets' lie outside the data", e->name);
    for (int i = 0; i < e->shape.ndim; i++) {
        uint64_t d = (uint64_t)e->shape.d[i];
        if (d && bytes > UINT64_MAX / d) return bad("the shape is too large", e->name);
        bytes *= d;
    }
    if (bytes != end - begin) return bad("the byte range does not match dtype and shape", e->name);
    e->data = f->data + begin;
    e->nbytes = (size_t)bytes;
    return S3F_OK;
}

static s3f_status parse_entry(const cJSON *item, s3f_safetensors_t *f, s3f_safetensors_entry *e)
{
    e->name = item->string;
    if (!cJSON_IsObject(item)) return bad("an entry is not an object", e->name);
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(item, "dtype");
    if (!cJSON_IsString(dtype) || !safetensors_dtype_parse(dtype->valuestring, &e->dtype))
        return bad(
            "unsupported or missing 'dtype' (se3flow reads F64, F32, F16, BF16, I64, I32, U8)",
            e->name);
    S3F_RETURN_IF_ERR(
        parse_shape(cJSON_GetObjectItemCaseSensitive(item, "shape"), e->name, &e->shape));
    return parse_range(cJSON_GetObjectItemCaseSensitive(item, "data_offsets"), f, e);
}

static s3f_status parse_metadata(const cJSON *meta, s3f_safetensors_t *f)
{
    if (!cJSON_IsObject(meta)) return bad("'__metadata__' is not an object", NULL);
    if (f->metadata) return bad("'__metadata__' appears twice", NULL); /* found by fuzzing */
    int n = cJSON_GetArraySize(meta);
    if (!(f->metadata = calloc((size_t)n + 1, sizeof *f->metadata)))
        return s3f_fail(S3F_ERR_NOMEM, "safetensors: out of memory");
    for (const cJSON *kv = meta->child; kv; kv = kv->next) {
        if (!cJSON_IsString(kv)) return bad("a '__metadata__' value is not a string", NULL);
        f->metadata[f->metadata_count++] = kv;
    }
    return S3F_OK;
}

static int by_offset(const void *a, const void *b)
{
    const s3f_safetensors_entry *x = a, *y = b;
    return x->data < y->data ? -1 : x->data > y->data;
}

/* No two tensors share bytes (checked on a sorted copy, keeping header order). */
static s3f_status check_overlaps(const s3f_safetensors_t *f)
{
    s3f_safetensors_entry *sorted = malloc(sizeof *sorted * ((size_t)f->count + 1));
    if (!sorted) return s3f_fail(S3F_ERR_NOMEM, "safetensors: out of memory");
    if (f->count) memcpy(sorted, f->entries, sizeof *sorted * (size_t)f->count);
    qsort(sorted, (size_t)f->count, sizeof *sorted, by_offset);
    s3f_status rc = S3F_OK;
    for (int i = 1; i < f->count && rc == S3F_OK; i++)
        if ((const unsigned char *)sorted[i - 1].data + sorted[i - 1].nbytes >
            (const unsigned char *)sorted[i].data)
            rc = bad("two tensors overlap", sorted[i].name);
    free(sorted);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const s3f_safetensors_entry *)a)->name,
                  ((const s3f_safetensors_entry *)b)->name);
}

/* Names are unique (checked on a sorted copy, keeping header order). */
static s3f_status check_duplicates(const s3f_safetensors_t *f)
{
    s3f_safetensors_entry *sorted = malloc(sizeof *sorted * ((size_t)f->count + 1));
    if (!sorted) return s3f_fail(S3F_ERR_NOMEM, "safetensors: out of memory");
    if (f->count) memcpy(sorted, f->entries, sizeof *sorted * (size_t)f->count);
    qsort(sorted, (size_t)f->count, sizeof *sorted, by_name);
    s3f_status rc = S3F_OK;
    for (int i = 1; i < f->count && rc == S3F_OK; i++)
        if (!strcmp(sorted[i - 1].name, sorted[i].name))
            rc = bad("the name appears twice", sorted[i].name);
    free(sorted);
    return rc;
}

static s3f_status parse_header(s3f_safetensors_t *f, const char *text, size_t size)
{
    f->header = cJSON_ParseWithLength(text, size);
    if (!f->header || !cJSON_IsObject(f->header))
        return bad("the header is not a JSON object", NULL);
    int n = cJSON_GetArraySize(f->header);
    if (!(f->entries = calloc((size_t)n + 1, sizeof *f->entries)))
        return s3f_fail(S3F_ERR_NOMEM, "safetensors: out of memory");
    for (const cJSON *item = f->header->child; item; item = item->next) {
        if (!item->string) return bad("an entry has no name", NULL);
        if (!strcmp(item->string, "__metadata__"))
            S3F_RETURN_IF_ERR(parse_metadata(item, f));
        else
            S3F_RETURN_IF_ERR(parse_entry(item, f, &f->entries[f->count++]));
    }
    S3F_RETURN_IF_ERR(check_duplicates(f));
    return check_overlaps(f);
}

static s3f_status parse(s3f_safetensors_t *f, const unsigned char *bytes, size_t size)
{
    if (size < 8) return bad("the file is shorter than its 8-byte header length", NULL);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | bytes[i];
    if (n > size - 8 || n > MAX_HEADER_BYTES)
        return bad("the header length points past the end of the file", NULL);
    f->data = bytes + 8 + n;
    f->data_size = size - 8 - (size_t)n;
    return parse_header(f, (const char *)bytes + 8, (size_t)n);
}

s3f_status s3f_safetensors_open_memory(const void *data, size_t size, s3f_safetensors_t **out)
{
    s3f_safetensors_t *f = calloc(1, sizeof *f);
    if (!f) return s3f_fail(S3F_ERR_NOMEM, "safetensors: out of memory");
    s3f_status rc = parse(f, data, size);
    if (rc != S3F_OK)
        s3f_safetensors_close(f);
    else
        *out = f;
    return rc;
}

s3f_status s3f_safetensors_open(const char *path, s3f_safetensors_t **out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        s3f_status rc = s3f_fail(S3F_ERR_IO, "cannot open %s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return rc;
    }
    size_t size = (size_t)st.st_size;
    void *map = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (map == MAP_FAILED) return s3f_fail(S3F_ERR_IO, "cannot map %s: %s", path, strerror(errno));
    s3f_status rc = s3f_safetensors_open_memory(map ? map : "", size, out);
    if (rc != S3F_OK) {
        if (map) munmap(map, size);
        return s3f_fail_context(rc, "%s: ", path);
    }
    (*out)->map = map;
    (*out)->map_size = size;
    return S3F_OK;
}

void s3f_safetensors_close(s3f_safetensors_t *f)
{
    if (!f) return;
    cJSON_Delete(f->header);
    free(f->entries);
    free(f->metadata);
    if (f->map) munmap(f->map, f->map_size);
    free(f);
}

int s3f_safetensors_count(const s3f_safetensors_t *f)
{
    return f->count;
}

const s3f_safetensors_entry *s3f_safetensors_at(const s3f_safetensors_t *f, int i)
{
    return i >= 0 && i < f->count ? &f->entries[i] : NULL;
}

const s3f_safetensors_entry *s3f_safetensors_find(const s3f_safetensors_t *f, const char *name)
{
    for (int i = 0; i < f->count; i++)
        if (!strcmp(f->entries[i].name, name)) return &f->entries[i];
    return NULL;
}

const char *s3f_safetensors_metadata(const s3f_safetensors_t *f, const char *key)
{
    for (int i = 0; i < f->metadata_count; i++)
        if (!strcmp(f->metadata[i]->string, key)) return f->metadata[i]->valuestring;
    return NULL;
}

int s3f_safetensors_metadata_count(const s3f_safetensors_t *f)
{
    return f->metadata_count;
}

const char *s3f_safetensors_metadata_key(const s3f_safetensors_t *f, int i)
{
    return i >= 0 && i < f->metadata_count ? f->metadata[i]->string : NULL;
}

s3f_status s3f_safetensors_read(const s3f_safetensors_t *f, const char *name, s3f_tensor *dst)
{
    const s3f_safetensors_entry *e = s3f_safetensors_find(f, name);
    if (!e) return s3f_fail(S3F_ERR_ARG, "safetensors: no tensor '%s' in the file", name);
    if (!s3f_shape_equal(&e->shape, &dst->shape)) {
        char a[128], b[128];
        return s3f_fail(S3F_ERR_SHAPE, "tensor '%s' has shape %s in the file but %s is expected",
                        name, s3f_shape_format(&e->shape, a, sizeof a),
                        s3f_shape_format(&dst->shape, b, sizeof b));
    }
    s3f_tensor *aligned; /* the mapped bytes may be unaligned for their dtype */
    S3F_RETURN_IF_ERR(s3f_tensor_create(e->dtype, e->shape, &aligned));
    if (e->nbytes) memcpy(aligned->data, e->data, e->nbytes);
    s3f_status rc = s3f_tensor_cast(dst, aligned);
    s3f_tensor_destroy(aligned);
    return rc;
}
