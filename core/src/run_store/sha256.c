/* sha256.c — SHA-256 of a file with OpenSSL's EVP interface, for recipe
 * files and checkpoints.
 *
 * Not here: verifying checkpoints (the checkpoint module compares hashes).
 *
 * Invariant: hex is written only when the whole file was read. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "run_store_internal.h"

static s3f_status digest_stream(FILE *file, const char *path, EVP_MD_CTX *md,
                                unsigned char digest[EVP_MAX_MD_SIZE])
{
    unsigned char buffer[1 << 16];
    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        return s3f_fail(S3F_ERR_INTERNAL, "OpenSSL cannot start a SHA-256 digest");
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, file)) > 0)
        if (EVP_DigestUpdate(md, buffer, n) != 1)
            return s3f_fail(S3F_ERR_INTERNAL, "OpenSSL failed hashing %s", path);
    if (ferror(file)) return s3f_fail(S3F_ERR_IO, "cannot read %s for hashing", path);
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(md, digest, &length) != 1 || length != 32)
        return s3f_fail(S3F_ERR_INTERNAL, "OpenSSL failed finishing the SHA-256 of %s", path);
    return S3F_OK;
}

s3f_status store_sha256_file(const char *path, char hex[STORE_SHA256_HEX_SIZE])
{
    s3f_status rc = S3F_OK;
    EVP_MD_CTX *md = NULL;
    FILE *file = fopen(path, "rb");
    if (!file) {
        rc = s3f_fail(S3F_ERR_IO, "cannot open %s to hash it: %s", path, strerror(errno));
        goto fail;
    }
    if (!(md = EVP_MD_CTX_new())) {
        rc = s3f_fail(S3F_ERR_NOMEM, "cannot allocate a SHA-256 context for %s", path);
        goto fail;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    S3F_TRY(digest_stream(file, path, md, digest));
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
fail:
    EVP_MD_CTX_free(md);
    if (file) fclose(file);
    return rc;
}
