/* fuzz_safetensors.c — libFuzzer harness for the safetensors reader: any
 * byte string must be either accepted (and then every entry's bytes lie
 * inside the input and can be read) or refused with a status; never a crash,
 * a hang or an out-of-bounds read (built with ASan/UBSan). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "se3flow/checkpoint.h"
#include "se3flow/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s3f_safetensors_t *f = NULL;
    if (s3f_safetensors_open_memory(data, size, &f) != S3F_OK) return 0;
    volatile uint8_t sink = 0; /* keeps the reads from being optimised away */
    for (int i = 0; i < s3f_safetensors_count(f); i++) {
        const s3f_safetensors_entry *e = s3f_safetensors_at(f, i);
        const uint8_t *p = e->data;
        if (e->nbytes) sink ^= p[0] ^ p[e->nbytes - 1]; /* ASan checks both ends */
    }
    s3f_checkpoint_meta meta;
    (void)s3f_checkpoint_read_meta(f, &meta);
    for (int i = 0; i < s3f_safetensors_metadata_count(f); i++)
        sink ^= (uint8_t)strlen(s3f_safetensors_metadata(f, s3f_safetensors_metadata_key(f, i)));
    (void)sink;
    s3f_safetensors_close(f);
    return 0;
}
