/* checkpoint.c — saving and loading training checkpoints (checkpoint.h).
 * Tensors and metadata go through the safetensors reader and writer; this
 * file decides names and keys, and checks a file against a model before
 * touching it. */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3flow/checkpoint.h"
#include "se3flow/se3flow.h"

#define OPTIMIZER_PREFIX "optimizer."

static char *json_list(const double *values, int n)
{
    cJSON *list = cJSON_CreateDoubleArray(values, n);
    char *text = list ? cJSON_PrintUnformatted(list) : NULL;
    cJSON_Delete(list);
    return text;
}

static s3f_status add_meta(s3f_safetensors_writer_t *w, const s3f_checkpoint_meta *m)
{
    char number[64];
    s3f_status rc = S3F_OK;
    if (m->recipe_yaml) rc = s3f_safetensors_writer_metadata(w, "se3flow.recipe", m->recipe_yaml);
    const struct {
        const char *key;
        int64_t value;
    } ints[] = {{"se3flow.epoch", m->epoch},
                {"se3flow.step", m->step},
                {"se3flow.batch", m->batch},
                {"se3flow.run_id", m->run_id},
                {"se3flow.seed", (int64_t)m->seed}};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0] && rc == S3F_OK; i++) {
        snprintf(number, sizeof number, "%" PRId64, ints[i].value);
        rc = s3f_safetensors_writer_metadata(w, ints[i].key, number);
    }
    const struct {
        const char *key;
        double value;
    } reals[] = {{"se3flow.metric", m->metric},
                 {"se3flow.best_metric", m->best_metric},
                 {"se3flow.loss_sum", m->loss_sum}};
    for (size_t i = 0; i < sizeof reals / sizeof reals[0] && rc == S3F_OK; i++) {
        snprintf(number, sizeof number, "%.17g", reals[i].value);
        rc = s3f_safetensors_writer_metadata(w, reals[i].key, number);
    }
    if (rc == S3F_OK && m->metric_name)
        rc = s3f_safetensors_writer_metadata(w, "se3flow.metric_name", m->metric_name);
    if (rc == S3F_OK)
        rc = s3f_safetensors_writer_metadata(w, "se3flow.version", S3F_VERSION_STRING);
    char *mean = json_list(m->target_mean, m->targets), *std = json_list(m->target_std, m->targets);
    if (!mean || !std) rc = s3f_fail(S3F_ERR_NOMEM, "checkpoint: out of memory");
    if (rc == S3F_OK) rc = s3f_safetensors_writer_metadata(w, "se3flow.target_mean", mean);
    if (rc == S3F_OK) rc = s3f_safetensors_writer_metadata(w, "se3flow.target_std", std);
    free(mean);
    free(std);
    return rc;
}

static s3f_status add_tensors(s3f_safetensors_writer_t *w, const s3f_params_t *params,
                              const s3f_checkpoint_state *opt)
{
    for (int i = 0; i < s3f_params_count(params); i++) {
        const s3f_tensor *t = s3f_params_at(params, i);
        S3F_RETURN_IF_ERR(s3f_safetensors_writer_add(w, t->name, t));
    }
    for (int i = 0; opt && i < opt->count; i++) {
        char name[256];
        snprintf(name, sizeof name, OPTIMIZER_PREFIX "%s", opt->names[i]);
        S3F_RETURN_IF_ERR(s3f_safetensors_writer_add(w, name, opt->tensors[i]));
    }
    return S3F_OK;
}

s3f_status s3f_checkpoint_save(const char *path, const s3f_params_t *params,
                               const s3f_checkpoint_state *optimizer,
                               const s3f_checkpoint_meta *meta)
{
    if (meta->targets < 0 || meta->targets > S3F_CKPT_MAX_TARGETS)
        return s3f_fail(S3F_ERR_ARG, "checkpoint: %d targets (at most %d)", meta->targets,
                        S3F_CKPT_MAX_TARGETS);
    s3f_safetensors_writer_t *w = NULL;
    S3F_RETURN_IF_ERR(s3f_safetensors_writer_create(&w));
    s3f_status rc = add_meta(w, meta);
    if (rc == S3F_OK) rc = add_tensors(w, params, optimizer);
    if (rc == S3F_OK) rc = s3f_safetensors_write(w, path);
    s3f_safetensors_writer_destroy(w);
    return rc;
}

/* A bounded message listing problems, like "missing: a, b". */
typedef struct problems {
    char text[2048];
    size_t len;
    int count;
} problems;

static void note(problems *p, const char *fmt, const char *name, const s3f_shape *a,
                 const s3f_shape *b)
{
    char sa[96] = "", sb[96] = "";
    if (a) s3f_shape_format(a, sa, sizeof sa);
    if (b) s3f_shape_format(b, sb, sizeof sb);
    if (p->len + 1 < sizeof p->text) {
        int n = snprintf(p->text + p->len, sizeof p->text - p->len, "%s", p->count ? "; " : "");
        p->len += n > 0 ? (size_t)n : 0;
        n = snprintf(p->text + p->len, sizeof p->text - p->len, fmt, name, sa, sb);
        p->len =
            n > 0 && p->len + (size_t)n < sizeof p->text ? p->len + (size_t)n : sizeof p->text - 1;
    }
    p->count++;
}

static bool is_optimizer(const char *name)
{
    return strncmp(name, OPTIMIZER_PREFIX, strlen(OPTIMIZER_PREFIX)) == 0;
}

static void check_params(const s3f_safetensors_t *f, const s3f_params_t *params, problems *p)
{
    for (int i = 0; i < s3f_params_count(params); i++) {
        const s3f_tensor *t = s3f_params_at(params, i);
        const s3f_safetensors_entry *e = s3f_safetensors_find(f, t->name);
        if (!e)
            note(p, "missing '%s'%s%s", t->name, NULL, NULL);
        else if (!s3f_shape_equal(&e->shape, &t->shape))
            note(p, "'%s' is %s in the file but %s in the model", t->name, &e->shape, &t->shape);
    }
    for (int i = 0; i < s3f_safetensors_count(f); i++) {
        const char *name = s3f_safetensors_at(f, i)->name;
        if (!is_optimizer(name) && !s3f_params_find(params, name))
            note(p, "unexpected '%s'%s%s", name, NULL, NULL);
    }
}

/* Number of optimizer entries found; problems for those that do not fit. */
static int check_optimizer(const s3f_safetensors_t *f, const s3f_checkpoint_state *opt, problems *p)
{
    int found = 0;
    for (int i = 0; opt && i < opt->count; i++) {
        char name[256];
        snprintf(name, sizeof name, OPTIMIZER_PREFIX "%s", opt->names[i]);
        const s3f_safetensors_entry *e = s3f_safetensors_find(f, name);
        if (!e) continue;
        found++;
        if (!s3f_shape_equal(&e->shape, &opt->tensors[i]->shape))
            note(p, "'%s' is %s in the file but %s here", name, &e->shape, &opt->tensors[i]->shape);
    }
    if (found && found != opt->count)
        note(p, "%s", "the optimizer state is incomplete", NULL, NULL);
    return found;
}

static s3f_status read_int(const s3f_safetensors_t *f, const char *key, int64_t *out)
{
    const char *text = s3f_safetensors_metadata(f, key);
    if (!text) return S3F_OK; /* absent: keep the default (e.g. a reference checkpoint) */
    char *end;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end)
        return s3f_fail(S3F_ERR_FORMAT, "checkpoint: %s is '%s', not an integer", key, text);
    *out = v;
    return S3F_OK;
}

static s3f_status read_real(const s3f_safetensors_t *f, const char *key, double *out)
{
    const char *text = s3f_safetensors_metadata(f, key);
    if (!text) return S3F_OK;
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end)
        return s3f_fail(S3F_ERR_FORMAT, "checkpoint: %s is '%s', not a number", key, text);
    *out = v;
    return S3F_OK;
}

static s3f_status read_list(const s3f_safetensors_t *f, const char *key, double *out, int *count)
{
    const char *text = s3f_safetensors_metadata(f, key);
    if (!text) return S3F_OK;
    cJSON *list = cJSON_Parse(text);
    int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : -1;
    s3f_status rc =
        n < 0 || n > S3F_CKPT_MAX_TARGETS
            ? s3f_fail(S3F_ERR_FORMAT, "checkpoint: %s is not a list of at most %d numbers", key,
                       S3F_CKPT_MAX_TARGETS)
            : S3F_OK;
    for (int i = 0; rc == S3F_OK && i < n; i++) {
        cJSON *item = cJSON_GetArrayItem(list, i);
        if (!cJSON_IsNumber(item))
            rc = s3f_fail(S3F_ERR_FORMAT, "checkpoint: %s holds a non-number", key);
        else
            out[i] = item->valuedouble;
    }
    if (rc == S3F_OK) *count = n;
    cJSON_Delete(list);
    return rc;
}

s3f_status s3f_checkpoint_read_meta(const s3f_safetensors_t *f, s3f_checkpoint_meta *m)
{
    memset(m, 0, sizeof *m);
    m->metric = m->best_metric = NAN;
    int64_t seed = 0;
    int mean_count = 0, std_count = 0;
    m->recipe_yaml = s3f_safetensors_metadata(f, "se3flow.recipe");
    m->metric_name = s3f_safetensors_metadata(f, "se3flow.metric_name");
    S3F_RETURN_IF_ERR(read_real(f, "se3flow.metric", &m->metric));
    S3F_RETURN_IF_ERR(read_real(f, "se3flow.best_metric", &m->best_metric));
    S3F_RETURN_IF_ERR(read_real(f, "se3flow.loss_sum", &m->loss_sum));
    S3F_RETURN_IF_ERR(read_int(f, "se3flow.batch", &m->batch));
    S3F_RETURN_IF_ERR(read_int(f, "se3flow.epoch", &m->epoch));
    S3F_RETURN_IF_ERR(read_int(f, "se3flow.step", &m->step));
    S3F_RETURN_IF_ERR(read_int(f, "se3flow.run_id", &m->run_id));
    S3F_RETURN_IF_ERR(read_int(f, "se3flow.seed", &seed));
    m->seed = (uint64_t)seed;
    S3F_RETURN_IF_ERR(read_list(f, "se3flow.target_mean", m->target_mean, &mean_count));
    S3F_RETURN_IF_ERR(read_list(f, "se3flow.target_std", m->target_std, &std_count));
    if (mean_count != std_count)
        return s3f_fail(S3F_ERR_FORMAT, "checkpoint: %d target means but %d stds", mean_count,
                        std_count);
    m->targets = mean_count;
    return S3F_OK;
}

s3f_status s3f_checkpoint_load(const s3f_safetensors_t *f, s3f_params_t *params,
                               const s3f_checkpoint_state *optimizer, s3f_checkpoint_meta *meta)
{
    problems p = {.len = 0, .count = 0};
    p.text[0] = '\0';
    check_params(f, params, &p);
    int optimizer_found = check_optimizer(f, optimizer, &p);
    if (p.count)
        return s3f_fail(S3F_ERR_SHAPE,
                        "the checkpoint does not fit this model (%d difference%s): %s", p.count,
                        p.count == 1 ? "" : "s", p.text);
    S3F_RETURN_IF_ERR(s3f_checkpoint_read_meta(f, meta));
    for (int i = 0; i < s3f_params_count(params); i++) {
        s3f_tensor *t = s3f_params_at(params, i);
        S3F_RETURN_IF_ERR(s3f_safetensors_read(f, t->name, t));
    }
    for (int i = 0; optimizer_found && i < optimizer->count; i++) {
        char name[256];
        snprintf(name, sizeof name, OPTIMIZER_PREFIX "%s", optimizer->names[i]);
        S3F_RETURN_IF_ERR(s3f_safetensors_read(f, name, optimizer->tensors[i]));
    }
    return S3F_OK;
}
