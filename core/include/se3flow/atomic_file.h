/* atomic_file.h — writing a file so that readers see either the old file or
 * the complete new one, never a part.
 *
 * The content goes to a temporary file in the same directory, is flushed
 * with fsync, and is renamed over the final name; the directory is then
 * synced so the rename survives a power loss. On any failure (including a
 * full disk) the temporary file is removed and the old file is untouched.
 *
 * Fault injection for tests: s3f_fault_fail_write_at(n) makes the n-th
 * s3f_atomic_write_bytes call from now fail as a full disk would (ENOSPC);
 * 0 turns it off. Process-wide, not thread-safe; a test switch only. */
#ifndef SE3FLOW_ATOMIC_FILE_H
#define SE3FLOW_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "se3flow/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct s3f_atomic_file s3f_atomic_file_t;

/* Starts writing `path` (copied). S3F_ERR_IO when the temporary file cannot
 * be created (message names the directory and errno text). */
S3F_API s3f_status s3f_atomic_open(const char *path, s3f_atomic_file_t **out);
/* Appends bytes. S3F_ERR_IO on a short write. */
S3F_API s3f_status s3f_atomic_write_bytes(s3f_atomic_file_t *file, const void *data, size_t size);
/* fsync, rename over the final name, fsync the directory; frees `file`
 * whatever the outcome. */
S3F_API s3f_status s3f_atomic_commit(s3f_atomic_file_t *file);
/* Removes the temporary file and frees `file`. NULL is a no-op. */
S3F_API void s3f_atomic_abort(s3f_atomic_file_t *file);

S3F_API void s3f_fault_fail_write_at(long n);

#ifdef __cplusplus
}
#endif
#endif
