/* npz.h — reading NumPy .npz archives (and bare .npy arrays), the format the
 * Python data pipelines hand over (SPEC §14).
 *
 * An .npz is a zip archive of .npy members, stored or deflated, possibly
 * zip64. The reader finds the central directory from the end-of-central-
 * directory record (and the zip64 locator and record where present), checks
 * every count, offset and length against the buffer before use (with
 * overflow checks), inflates deflated members with zlib and checks the
 * CRC-32 of every member it reads. A .npy member must be little-endian
 * '<f4', '<f8', '<i4', '<i8' or '|u1' ('<u1'), C order, at most
 * S3F_MAX_DIMS dimensions, and its data must be exactly dtype x shape bytes.
 *
 * Errors: S3F_ERR_IO when the file cannot be opened or mapped; S3F_ERR_FORMAT
 * naming the member and what is wrong with it; S3F_ERR_ARG for a member
 * that is not there. */
#ifndef SE3FLOW_NPZ_H
#define SE3FLOW_NPZ_H

#include "se3flow/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct s3f_npz s3f_npz_t;

/* Maps `path` and reads its central directory. *out takes ownership; free
 * with s3f_npz_close. */
S3F_API s3f_status s3f_npz_open(const char *path, s3f_npz_t **out);
/* The same on a buffer (borrowed; it must outlive the handle). */
S3F_API s3f_status s3f_npz_open_memory(const void *data, size_t size, s3f_npz_t **out);
S3F_API void s3f_npz_close(s3f_npz_t *npz);

/* Members in central-directory order; names as stored ("x.npy"), valid
 * until close. */
S3F_API int s3f_npz_count(const s3f_npz_t *npz);
S3F_API const char *s3f_npz_name(const s3f_npz_t *npz, int i);
/* Whether member `name` (or `name`.npy) exists. */
S3F_API bool s3f_npz_has(const s3f_npz_t *npz, const char *name);

/* Reads member `name` (or `name`.npy) into a new heap tensor of the stored
 * dtype and shape; free with s3f_tensor_destroy. */
S3F_API s3f_status s3f_npz_read(const s3f_npz_t *npz, const char *name, s3f_tensor **out);

/* Parses one whole .npy file image (versions 1.0, 2.0 and 3.0) into a new
 * heap tensor. `what` names it in error messages (may be NULL). */
S3F_API s3f_status s3f_npy_read_memory(const void *data, size_t size, const char *what,
                                       s3f_tensor **out);

#ifdef __cplusplus
}
#endif
#endif
