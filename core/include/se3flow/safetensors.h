/* safetensors.h — reading and writing safetensors files, the checkpoint
 * format se3flow shares with the PyTorch ecosystem.
 *
 * Layout: an 8-byte little-endian header length, a JSON header mapping each
 * tensor name to {dtype, shape, data_offsets} (offsets relative to the data
 * section) plus an optional "__metadata__" map of strings, then the data.
 * The reader maps the file and checks everything before handing anything
 * out: header length within the file, valid JSON, known dtypes, shapes whose
 * byte size equals the offset range, offsets within the data and no two
 * tensors overlapping. The writer writes atomically (temporary file in the
 * same directory, fsync, rename, fsync of the directory), so a crash or a
 * full disk never leaves a half-written file under the final name. */
#ifndef SE3FLOW_SAFETENSORS_H
#define SE3FLOW_SAFETENSORS_H

#include "se3flow/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct s3f_safetensors s3f_safetensors_t;

/* One stored tensor. `data` points into the mapped file and is valid until
 * the file is closed; it may be unaligned for its dtype (copy before use). */
typedef struct s3f_safetensors_entry {
    const char *name;
    s3f_dtype dtype;
    s3f_shape shape;
    const void *data;
    size_t nbytes;
} s3f_safetensors_entry;

/* Opens and validates a file. S3F_ERR_IO (cannot open/map), S3F_ERR_FORMAT
 * (the file is not valid; the message says why and where). *out takes
 * ownership; free with s3f_safetensors_close. */
S3F_API s3f_status s3f_safetensors_open(const char *path, s3f_safetensors_t **out);
/* The same checks on a buffer (borrowed; must outlive the handle). */
S3F_API s3f_status s3f_safetensors_open_memory(const void *data, size_t size,
                                               s3f_safetensors_t **out);
S3F_API void s3f_safetensors_close(s3f_safetensors_t *file);

/* Tensors in header order. */
S3F_API int s3f_safetensors_count(const s3f_safetensors_t *file);
S3F_API const s3f_safetensors_entry *s3f_safetensors_at(const s3f_safetensors_t *file, int i);
/* The entry called name, or NULL. */
S3F_API const s3f_safetensors_entry *s3f_safetensors_find(const s3f_safetensors_t *file,
                                                          const char *name);
/* Copies entry `name` into dst, which must have the same shape (dtype may
 * differ: values are converted as s3f_tensor_cast does). S3F_ERR_ARG when
 * absent, S3F_ERR_SHAPE naming both shapes. */
S3F_API s3f_status s3f_safetensors_read(const s3f_safetensors_t *file, const char *name,
                                        s3f_tensor *dst);

/* Metadata value for key, or NULL. Valid until close. */
S3F_API const char *s3f_safetensors_metadata(const s3f_safetensors_t *file, const char *key);
S3F_API int s3f_safetensors_metadata_count(const s3f_safetensors_t *file);
S3F_API const char *s3f_safetensors_metadata_key(const s3f_safetensors_t *file, int i);

/* ---- writing ---- */

typedef struct s3f_safetensors_writer s3f_safetensors_writer_t;

S3F_API s3f_status s3f_safetensors_writer_create(s3f_safetensors_writer_t **out);
S3F_API void s3f_safetensors_writer_destroy(s3f_safetensors_writer_t *writer);
/* Adds a tensor under `name` (copied). The tensor is borrowed and must stay
 * unchanged until s3f_safetensors_write. CPU tensors only. Duplicate names
 * are S3F_ERR_ARG. */
S3F_API s3f_status s3f_safetensors_writer_add(s3f_safetensors_writer_t *writer, const char *name,
                                              const s3f_tensor *tensor);
/* Adds or replaces a metadata string (both copied). */
S3F_API s3f_status s3f_safetensors_writer_metadata(s3f_safetensors_writer_t *writer,
                                                   const char *key, const char *value);
/* Writes the file atomically to `path`. S3F_ERR_IO with the reason (e.g. no
 * space left); then any previous file at `path` is untouched. */
S3F_API s3f_status s3f_safetensors_write(const s3f_safetensors_writer_t *writer, const char *path);

#ifdef __cplusplus
}
#endif
#endif
