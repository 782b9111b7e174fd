/* export.h — symbol visibility and the host/device marker.
 *
 * libse3flow is built with -fvisibility=hidden; S3F_API marks the symbols that
 * plugins and the CLI may call. S3F_HD marks small per-element functions that
 * must compile both for the CPU (plain C, called from OpenMP loops) and for
 * CUDA kernels (ROADMAP.md, "Design rule for CUDA"). */
#ifndef SE3FLOW_EXPORT_H
#define SE3FLOW_EXPORT_H

#if defined(__GNUC__)
#define S3F_API __attribute__((visibility("default")))
#else
#define S3F_API
#endif

#if defined(__CUDACC__)
#define S3F_HD __host__ __device__ static inline
#else
#define S3F_HD static inline
#endif

#if defined(__GNUC__)
#define S3F_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#define S3F_NODISCARD                    __attribute__((warn_unused_result))
#else
#define S3F_PRINTF(fmt_index, first_arg)
#define S3F_NODISCARD
#endif

#endif
