/* byte_buf.h — a growing byte buffer for tests that build binary files by
 * hand (.npy images, zip archives): little-endian integers, and raw
 * deflate through zlib. Allocation or zlib failures set `failed` instead
 * of aborting, so that tools outside the test framework can use it too. */
#ifndef S3F_BYTE_BUF_H
#define S3F_BYTE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct byte_buf {
    unsigned char *p;
    size_t n, cap;
    bool failed;
} byte_buf;

void byte_buf_put(byte_buf *b, const void *data, size_t n);
void byte_buf_put16(byte_buf *b, unsigned v);
void byte_buf_put32(byte_buf *b, uint32_t v);
void byte_buf_put64(byte_buf *b, uint64_t v);
/* `in` compressed as a raw deflate stream (no zlib header), as zip stores it. */
byte_buf byte_buf_deflate_raw(const byte_buf *in);

#endif
