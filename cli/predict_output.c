/* predict_output.c — predictions to CSV or JSON lines (predict_output.h).
 *
 * CSV: split,index then, per target NAME, NAME,NAME_target,NAME_error.
 * JSONL: {"split":"test","index":3,"prediction":[..],"target":[..],"error":[..]}.
 * Numbers are printed with 17 significant digits so that re-reading them
 * gives the same doubles (the MAE recomputed from the file matches). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "predict_output.h"

typedef enum { FORMAT_CSV, FORMAT_JSONL } output_format;

static s3f_status format_of(const char *path, output_format *f)
{
    size_t n = strlen(path);
    if (n > 4 && !strcmp(path + n - 4, ".csv")) {
        *f = FORMAT_CSV;
        return S3F_OK;
    }
    if (n > 6 && !strcmp(path + n - 6, ".jsonl")) {
        *f = FORMAT_JSONL;
        return S3F_OK;
    }
    return s3f_fail(S3F_ERR_ARG, "--output %s: name the file .csv or .jsonl", path);
}

/* printf into the atomic file (one line is always well under 64 KiB for
 * up to S3F_CKPT_MAX_TARGETS targets). */
static s3f_status put(s3f_atomic_file_t *f, const char *fmt, ...) S3F_PRINTF(2, 3);
static s3f_status put(s3f_atomic_file_t *f, const char *fmt, ...)
{
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line)
        return s3f_fail(S3F_ERR_INTERNAL, "an output field is longer than %zu bytes", sizeof line);
    return s3f_atomic_write_bytes(f, line, (size_t)n);
}

/* A number, or `missing` for NaN. */
static const char *number(double v, const char *missing, char *buf, size_t size)
{
    if (isnan(v)) return missing;
    snprintf(buf, size, "%.17g", v);
    return buf;
}

static s3f_status csv_header(s3f_atomic_file_t *f, const prediction_set *p,
                             const char *const *names)
{
    S3F_RETURN_IF_ERR(put(f, "split,index"));
    for (int k = 0; k < p->targets; k++)
        S3F_RETURN_IF_ERR(put(f, ",%s,%s_target,%s_error", names[k], names[k], names[k]));
    return put(f, "\n");
}

static s3f_status csv_row(s3f_atomic_file_t *f, const prediction_set *p, int64_t i)
{
    char a[32], b[32], c[32];
    S3F_RETURN_IF_ERR(put(f, "%s,%lld", model_split_name(p->split[i]), (long long)p->index[i]));
    for (int k = 0; k < p->targets; k++) {
        double y = p->pred[i * p->targets + k], t = p->target[i * p->targets + k];
        S3F_RETURN_IF_ERR(put(f, ",%s,%s,%s", number(y, "", a, 32), number(t, "", b, 32),
                              number(fabs(y - t), "", c, 32)));
    }
    return put(f, "\n");
}

/* "name":[v0,v1,...] with v = which(i, k). */
static s3f_status json_array(s3f_atomic_file_t *f, const prediction_set *p, int64_t i,
                             const char *name, int which)
{
    char buf[32];
    S3F_RETURN_IF_ERR(put(f, ",\"%s\":[", name));
    for (int k = 0; k < p->targets; k++) {
        double y = p->pred[i * p->targets + k], t = p->target[i * p->targets + k];
        double v = which == 0 ? y : which == 1 ? t : fabs(y - t);
        S3F_RETURN_IF_ERR(put(f, "%s%s", k ? "," : "", number(v, "null", buf, sizeof buf)));
    }
    return put(f, "]");
}

static s3f_status jsonl_row(s3f_atomic_file_t *f, const prediction_set *p, int64_t i)
{
    S3F_RETURN_IF_ERR(put(f, "{\"split\":\"%s\",\"index\":%lld", model_split_name(p->split[i]),
                          (long long)p->index[i]));
    S3F_RETURN_IF_ERR(json_array(f, p, i, "prediction", 0));
    S3F_RETURN_IF_ERR(json_array(f, p, i, "target", 1));
    S3F_RETURN_IF_ERR(json_array(f, p, i, "error", 2));
    return put(f, "}\n");
}

static s3f_status write_all(s3f_atomic_file_t *f, output_format format, const prediction_set *p,
                            const char *const *names)
{
    if (format == FORMAT_CSV) S3F_RETURN_IF_ERR(csv_header(f, p, names));
    for (int64_t i = 0; i < p->count; i++)
        S3F_RETURN_IF_ERR(format == FORMAT_CSV ? csv_row(f, p, i) : jsonl_row(f, p, i));
    return S3F_OK;
}

s3f_status predict_output_write(const char *path, const prediction_set *p,
                                const char *const *target_names)
{
    output_format format = FORMAT_CSV;
    S3F_RETURN_IF_ERR(format_of(path, &format));
    if (!p) return S3F_OK;
    s3f_atomic_file_t *f = NULL;
    S3F_RETURN_IF_ERR(s3f_atomic_open(path, &f));
    s3f_status rc = write_all(f, format, p, target_names);
    if (rc == S3F_OK) return s3f_atomic_commit(f);
    s3f_atomic_abort(f);
    return rc;
}
