/* safetensors_internal.h — the dtype names of the safetensors format,
 * shared by its reader and writer (internal to core). */
#ifndef SE3FLOW_SAFETENSORS_INTERNAL_H
#define SE3FLOW_SAFETENSORS_INTERNAL_H

#include <stdbool.h>

#include "se3flow/safetensors.h"

/* "F32" -> S3F_F32 etc.; false for names se3flow does not read. */
bool safetensors_dtype_parse(const char *name, s3f_dtype *out);
/* S3F_F32 -> "F32" etc. */
const char *safetensors_dtype_name(s3f_dtype dtype);
/* Bytes per element. */
size_t safetensors_dtype_size(s3f_dtype dtype);

#endif
