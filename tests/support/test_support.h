/* test_support.h — helpers shared by se3flow's cmocka tests.
 *
 * Every helper asserts (fails the current cmocka test) rather than returning
 * a status, so tests read as a list of facts. Tensors from ts_* are heap
 * tensors the test frees with s3f_tensor_destroy (or ts_destroy_all). */
#ifndef SE3FLOW_TEST_SUPPORT_H
#define SE3FLOW_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "se3flow/se3flow.h"

/* ctest treats this exit code as "skipped" (SKIP_RETURN_CODE). */
#define TS_SKIP_CODE 77

/* Fails the test with the status string and the thread's detail message. */
void ts_assert_ok_at(s3f_status rc, const char *expr, const char *file, int line);
#define assert_ok(expr) ts_assert_ok_at((expr), #expr, __FILE__, __LINE__)
/* Asserts that expr fails with `code` and that the detail message contains
 * every one of the NULL-terminated substrings. */
void ts_assert_fails_at(s3f_status rc, s3f_status code, const char *expr, const char *file,
                        int line, ...);
#define assert_fails(expr, code, ...)                                                              \
    ts_assert_fails_at((expr), (code), #expr, __FILE__, __LINE__, __VA_ARGS__, (const char *)NULL)

/* A heap tensor filled uniformly in [lo, hi) from `seed`. */
s3f_tensor *ts_random(s3f_dtype dtype, s3f_shape shape, uint64_t seed, double lo, double hi,
                      bool requires_grad);
/* A heap tensor holding `values` (numel of shape entries). */
s3f_tensor *ts_from(s3f_dtype dtype, s3f_shape shape, const double *values);
/* A heap i32 tensor holding `values`. */
s3f_tensor *ts_index(int64_t n, const int32_t *values);
/* A heap copy of t cast to dtype, keeping requires_grad. */
s3f_tensor *ts_cast(const s3f_tensor *t, s3f_dtype dtype);
void ts_destroy_all(int n, s3f_tensor **tensors);

/* Every element satisfies |a - b| <= atol + rtol * |b| (shapes equal). */
void ts_assert_close_at(const s3f_tensor *a, const s3f_tensor *b, double atol, double rtol,
                        const char *file, int line);
#define ts_assert_close(a, b, atol, rtol)                                                          \
    ts_assert_close_at((a), (b), (atol), (rtol), __FILE__, __LINE__)
/* Same dtype, shape and bytes. */
void ts_assert_bitwise_equal_at(const s3f_tensor *a, const s3f_tensor *b, const char *file,
                                int line);
#define ts_assert_bitwise_equal(a, b) ts_assert_bitwise_equal_at((a), (b), __FILE__, __LINE__)

/* Finite-difference check of fn over f64 inputs (those with requires_grad).
 * atol/rtol 0 take gradcheck's defaults. */
void ts_gradcheck_at(s3f_gradcheck_fn fn, void *user, int n, s3f_tensor **inputs, double atol,
                     double rtol, const char *file, int line);
#define ts_gradcheck(fn, user, n, inputs, atol, rtol)                                              \
    ts_gradcheck_at((fn), (user), (n), (inputs), (atol), (rtol), __FILE__, __LINE__)

/* Runs fn on the f64 inputs and on f32 casts of them (index tensors are
 * passed through unchanged) and asserts the outputs agree within
 * |f32 - f64| <= tol * (1 + |f64|). */
void ts_assert_f32_matches_f64_at(s3f_gradcheck_fn fn, void *user, int n, s3f_tensor **inputs,
                                  double tol, const char *file, int line);
#define ts_assert_f32_matches_f64(fn, user, n, inputs, tol)                                        \
    ts_assert_f32_matches_f64_at((fn), (user), (n), (inputs), (tol), __FILE__, __LINE__)

/* Runs forward and backward (seeded with fixed random weights) with 1 and
 * with 2 OpenMP threads and asserts outputs and input gradients are bitwise
 * equal. Works on inputs of any float dtype. */
void ts_assert_deterministic_at(s3f_gradcheck_fn fn, void *user, int n, s3f_tensor **inputs,
                                const char *file, int line);
#define ts_assert_deterministic(fn, user, n, inputs)                                               \
    ts_assert_deterministic_at((fn), (user), (n), (inputs), __FILE__, __LINE__)

/* Backward adds into a gradient that is already there (inputs[0]'s): two
 * passes with the same seed give twice the gradient of one. */
void ts_assert_accumulates(s3f_gradcheck_fn fn, void *user, s3f_tensor **inputs);

/* Heap i32 CSR offsets (S+1) shaped like a QM9 batch's incoming edges: S
 * segments of 0 to 4 rows (some empty), drawn from an LCG seeded by `seed`. */
s3f_tensor *ts_random_offsets(int64_t S, uint32_t seed);

/* A context shared by the helpers; tests may use it too. Reset between uses. */
s3f_ctx_t *ts_ctx(void);

#endif
