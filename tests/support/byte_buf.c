/* byte_buf.c — see byte_buf.h. */
#include "byte_buf.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

void byte_buf_put(byte_buf *b, const void *data, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = (b->n + n) * 2 + 64;
        unsigned char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->p = p, b->cap = cap;
    }
    if (n) memcpy(b->p + b->n, data, n);
    b->n += n;
}

void byte_buf_put16(byte_buf *b, unsigned v)
{
    unsigned char x[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    byte_buf_put(b, x, 2);
}

void byte_buf_put32(byte_buf *b, uint32_t v)
{
    byte_buf_put16(b, v & 0xffff);
    byte_buf_put16(b, v >> 16);
}

void byte_buf_put64(byte_buf *b, uint64_t v)
{
    byte_buf_put32(b, (uint32_t)v);
    byte_buf_put32(b, (uint32_t)(v >> 32));
}

byte_buf byte_buf_deflate_raw(const byte_buf *in)
{
    z_stream zs = {0};
    byte_buf out = {0};
    if (deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        out.failed = true;
        return out;
    }
    out.cap = deflateBound(&zs, in->n) + 16;
    out.p = malloc(out.cap);
    zs.next_in = in->p, zs.avail_in = (uInt)in->n;
    zs.next_out = out.p, zs.avail_out = (uInt)out.cap;
    out.failed = !out.p || deflate(&zs, Z_FINISH) != Z_STREAM_END;
    out.n = zs.total_out;
    deflateEnd(&zs);
    return out;
}
