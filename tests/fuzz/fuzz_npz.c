/* fuzz_npz.c — libFuzzer harness for the .npz reader: any byte string must
 * be either accepted (then every member is read, or refused with a status)
 * or refused with a status; never a crash, a hang, a leak or an
 * out-of-bounds read (built with ASan/UBSan). The input is also tried as a
 * bare .npy image. */
#include <stddef.h>
#include <stdint.h>

#include "se3flow/npz.h"

static void touch(const s3f_tensor *t, volatile uint8_t *sink)
{
    size_t n = s3f_tensor_nbytes(t);
    const uint8_t *p = t->data;
    if (n) *sink ^= p[0] ^ p[n - 1]; /* ASan checks both ends */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    volatile uint8_t sink = 0; /* keeps the reads from being optimised away */
    s3f_tensor *t = NULL;
    if (s3f_npy_read_memory(data, size, "fuzz", &t) == S3F_OK) {
        touch(t, &sink);
        s3f_tensor_destroy(t);
    }
    s3f_npz_t *f = NULL;
    if (s3f_npz_open_memory(data, size, &f) != S3F_OK) return 0;
    for (int i = 0; i < s3f_npz_count(f); i++) {
        t = NULL;
        if (s3f_npz_read(f, s3f_npz_name(f, i), &t) != S3F_OK) continue;
        touch(t, &sink);
        s3f_tensor_destroy(t);
    }
    (void)s3f_npz_has(f, "x");
    s3f_npz_close(f);
    return 0;
}
