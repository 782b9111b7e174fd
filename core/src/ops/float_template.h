/* float_template.h — instantiates a kernel file once for f32 and once for f64.
 *
 * A kernel file is written once, in terms of `real` (the element type) and
 * FN(name) (which appends _f32 or _f64), and has no include guard:
 *
 *     #define KERNEL_FILE "unary_kernels.h"
 *     #include "float_template.h"
 *
 * defines e.g. relu_forward_f32(const float *, ...) and relu_forward_f64(...).
 * OP_DISPATCH then calls the one that fits a dtype; data pointers are void *
 * and convert implicitly. */
#ifndef KERNEL_FILE
#error "define KERNEL_FILE before including float_template.h"
#endif

#define real     float
#define FN(name) name##_f32
#include KERNEL_FILE
#undef real
#undef FN

#define real     double
#define FN(name) name##_f64
#include KERNEL_FILE
#undef real
#undef FN

#undef KERNEL_FILE
