/* npy.c — parsing one .npy image (npz.h): the magic, the version, the
 * header dict {'descr': ..., 'fortran_order': ..., 'shape': (...)} and data
 * of exactly dtype x shape bytes. The dict is parsed by a small recursive-
 * descent reader of the Python literal subset numpy writes; nothing past the
 * declared header length is read. */
#include <stdint.h>
#include <string.h>

#include "se3flow/npz.h"
#include "se3flow/status.h"

#define NPY_MAGIC     "\x93NUMPY"
#define NPY_MAGIC_LEN 6

typedef struct cursor {
    const char *p, *end;
} cursor;

static s3f_status bad(const char *what, const char *detail)
{
    return s3f_fail(S3F_ERR_FORMAT, "npy '%s': %s", what ? what : "(memory)", detail);
}

static void skip_space(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static bool eat(cursor *c, char ch)
{
    skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

/* A quoted string without escapes, copied into buf (NUL-terminated). */
static bool read_string(cursor *c, char *buf, size_t size)
{
    skip_space(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return false;
    char quote = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != quote) {
        if (*c->p == '\\' || n + 1 >= size) return false;
        buf[n++] = *c->p++;
    }
    if (c->p >= c->end) return false;
    c->p++;
    buf[n] = '\0';
    return true;
}

static bool read_word(cursor *c, const char *word)
{
    skip_space(c);
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) return false;
    c->p += n;
    return true;
}

/* A non-negative decimal integer that fits in int64_t. */
static bool read_dim(cursor *c, int64_t *out)
{
    skip_space(c);
    int64_t v = 0;
    const char *start = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        int digit = *c->p++ - '0';
        if (v > (INT64_MAX - digit) / 10) return false;
        v = v * 10 + digit;
    }
    if (c->p == start) return false;
    if (c->p < c->end && *c->p == 'L') c->p++; /* Python 2 longs */
    *out = v;
    return true;
}

static s3f_status read_shape(cursor *c, const char *what, s3f_shape *shape)
{
    if (!eat(c, '(')) return bad(what, "'shape' is not a tuple");
    shape->ndim = 0;
    if (eat(c, ')')) return S3F_OK;
    for (;;) {
        int64_t d;
        if (!read_dim(c, &d)) return bad(what, "a 'shape' entry is not a non-negative integer");
        if (shape->ndim == S3F_MAX_DIMS) return bad(what, "'shape' has more than 6 dimensions");
        shape->d[shape->ndim++] = d;
        if (eat(c, ')')) return S3F_OK;
        if (!eat(c, ',')) return bad(what, "'shape' is not a tuple of integers");
        if (eat(c, ')')) return S3F_OK; /* (n,) */
    }
}

static bool parse_descr(const char *descr, s3f_dtype *dtype)
{
    static const struct {
        const char *name;
        s3f_dtype dtype;
    } known[] = {{"<f4", S3F_F32}, {"<f8", S3F_F64}, {"<i4", S3F_I32},
                 {"<i8", S3F_I64}, {"|u1", S3F_U8},  {"<u1", S3F_U8}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(descr, known[i].name) == 0) {
            *dtype = known[i].dtype;
            return true;
        }
    return false;
}

/* The header dict: exactly the three keys, in any order. */
static s3f_status parse_dict(cursor *c, const char *what, s3f_dtype *dtype, s3f_shape *shape)
{
    bool have_descr = false, have_order = false, have_shape = false;
    if (!eat(c, '{')) return bad(what, "the header is not a dict");
    while (!eat(c, '}')) {
        char key[32];
        if (!read_string(c, key, sizeof key) || !eat(c, ':'))
            return bad(what, "the header dict has a malformed key");
        if (strcmp(key, "descr") == 0 && !have_descr) {
            char descr[32];
            if (!read_string(c, descr, sizeof descr))
                return bad(what, "'descr' is not a simple dtype string");
            if (!parse_descr(descr, dtype))
                return s3f_fail(S3F_ERR_FORMAT,
                                "npy '%s': dtype '%s' is not supported (only <f4 <f8 <i4 <i8 |u1)",
                                what ? what : "(memory)", descr);
            have_descr = true;
        } else if (strcmp(key, "fortran_order") == 0 && !have_order) {
            if (read_word(c, "True"))
                return bad(what, "fortran_order is True (only C-order arrays are supported)");
            if (!read_word(c, "False")) return bad(what, "'fortran_order' is not True or False");
            have_order = true;
        } else if (strcmp(key, "shape") == 0 && !have_shape) {
            s3f_status st = read_shape(c, what, shape);
            if (st != S3F_OK) return st;
            have_shape = true;
        } else {
            return s3f_fail(S3F_ERR_FORMAT, "npy '%s': unexpected or repeated header key '%s'",
                            what ? what : "(memory)", key);
        }
        if (!eat(c, ',')) {
            if (!eat(c, '}')) return bad(what, "the header dict is not closed");
            break;
        }
    }
    if (!have_descr || !have_order || !have_shape)
        return bad(what, "the header lacks 'descr', 'fortran_order' or 'shape'");
    return S3F_OK;
}

s3f_status s3f_npy_read_memory(const void *data, size_t size, const char *what, s3f_tensor **out)
{
    if (!out || (!data && size)) return s3f_fail(S3F_ERR_ARG, "s3f_npy_read_memory: NULL argument");
    *out = NULL;
    const unsigned char *b = data;
    if (size < 10 || memcmp(b, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
        return bad(what, "not a .npy file (no \\x93NUMPY magic)");
    unsigned major = b[6], minor = b[7];
    size_t prefix, header_len;
    if (major == 1 && minor == 0) {
        prefix = 10;
        header_len = (size_t)b[8] | (size_t)b[9] << 8;
    } else if ((major == 2 || major == 3) && minor == 0) {
        if (size < 12) return bad(what, "the header is truncated");
        prefix = 12;
        header_len = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
    } else {
        return s3f_fail(S3F_ERR_FORMAT, "npy '%s': version %u.%u is not supported",
                        what ? what : "(memory)", major, minor);
    }
    if (header_len > size - prefix) return bad(what, "the header is truncated");
    cursor c = {(const char *)b + prefix, (const char *)b + prefix + header_len};
    s3f_dtype dtype = S3F_F32;
    s3f_shape shape = {0};
    s3f_status st = parse_dict(&c, what, &dtype, &shape);
    if (st != S3F_OK) return st;
    if (s3f_shape_check(&shape, dtype) != S3F_OK)
        return bad(what, "the shape is too large for this machine");
    /* s3f_shape_check guarantees that numel * size fits in size_t. */
    size_t nbytes = (size_t)s3f_shape_numel(&shape) * s3f_dtype_size(dtype);
    size_t have = size - prefix - header_len;
    if (have != nbytes) {
        char buf[96];
        return s3f_fail(S3F_ERR_FORMAT,
                        "npy '%s': %zu data bytes, but dtype %s and shape %s need %zu",
                        what ? what : "(memory)", have, s3f_dtype_name(dtype),
                        s3f_shape_format(&shape, buf, sizeof buf), nbytes);
    }
    s3f_tensor *t = NULL;
    st = s3f_tensor_create(dtype, shape, &t);
    if (st != S3F_OK) return st;
    if (nbytes) memcpy(t->data, b + prefix + header_len, nbytes);
    *out = t;
    return S3F_OK;
}
