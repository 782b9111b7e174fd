/* compare_report.c — a comparison as text or JSON (compare_report.h). */
#include <math.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "compare_report.h"

static void text_recipes(FILE *out, const recipe_diff *d)
{
    fprintf(out, "%s\n", d->count ? "recipe differences (A -> B):" : "recipes: identical");
    for (int i = 0; i < d->count; i++)
        fprintf(out, "  %-40s %s -> %s\n", d->changes[i].key,
                d->changes[i].a ? d->changes[i].a : "(absent)",
                d->changes[i].b ? d->changes[i].b : "(absent)");
}

static void text_params(FILE *out, const param_diff *d)
{
    fprintf(out, "parameters: relative L2 difference %.6g over the tensors both have\n",
            d->total_rel_l2);
    for (int i = 0; i < d->count; i++) {
        const param_change *c = &d->tensors[i];
        char a[96], b[96];
        s3f_shape_format(&c->shape_a, a, sizeof a);
        s3f_shape_format(&c->shape_b, b, sizeof b);
        if (!c->in_b)
            fprintf(out, "  %-50s %-16s only in A\n", c->name, a);
        else if (!c->in_a)
            fprintf(out, "  %-50s %-16s only in B\n", c->name, b);
        else if (isnan(c->rel_l2))
            fprintf(out, "  %-50s %s in A, %s in B\n", c->name, a, b);
        else
            fprintf(out, "  %-50s %-16s %.6g\n", c->name, a, c->rel_l2);
    }
}

void compare_report_text(FILE *out, const compare_report *r)
{
    const paired_result *p = &r->result;
    fprintf(out, "A: %s\nB: %s\n", r->path_a, r->path_b);
    text_recipes(out, r->recipes);
    text_params(out, r->params);
    fprintf(out, "%s split, %lld molecules:\n", r->split, (long long)p->n);
    fprintf(out, "  MAE A %.9g %s, MAE B %.9g %s\n", p->mean_a, r->unit, p->mean_b, r->unit);
    fprintf(out,
            "  A - B %.6g %s, 95%% CI [%.6g, %.6g] (paired bootstrap, %d resamples, seed %llu)\n",
            p->diff, r->unit, p->ci_low, p->ci_high, p->resamples, (unsigned long long)r->seed);
    fprintf(out, "  A better on %.1f%%, B better on %.1f%%, equal on %.1f%% of the molecules\n",
            100 * p->a_better, 100 * p->b_better, 100 * p->ties);
    bool zero_in = p->ci_low <= 0 && 0 <= p->ci_high;
    fprintf(out, "  %s\n",
            zero_in       ? "no significant difference (the interval contains 0)"
            : p->diff > 0 ? "B is more accurate (the interval excludes 0)"
                          : "A is more accurate (the interval excludes 0)");
}

static cJSON *shape_json(const s3f_shape *s, bool present)
{
    if (!present) return cJSON_CreateNull();
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < s->ndim; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber((double)s->d[i]));
    return a;
}

static cJSON *string_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *number_or_null(double v)
{
    return isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v);
}

static void add_lists(cJSON *o, const compare_report *r)
{
    cJSON *recipes = cJSON_AddArrayToObject(o, "recipe_diff");
    for (int i = 0; i < r->recipes->count; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "key", r->recipes->changes[i].key);
        cJSON_AddItemToObject(c, "a", string_or_null(r->recipes->changes[i].a));
        cJSON_AddItemToObject(c, "b", string_or_null(r->recipes->changes[i].b));
        cJSON_AddItemToArray(recipes, c);
    }
    cJSON *params = cJSON_AddArrayToObject(o, "parameters");
    for (int i = 0; i < r->params->count; i++) {
        const param_change *t = &r->params->tensors[i];
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "name", t->name);
        cJSON_AddItemToObject(c, "shape_a", shape_json(&t->shape_a, t->in_a));
        cJSON_AddItemToObject(c, "shape_b", shape_json(&t->shape_b, t->in_b));
        cJSON_AddItemToObject(c, "rel_l2", number_or_null(t->rel_l2));
        cJSON_AddItemToArray(params, c);
    }
    cJSON_AddItemToObject(o, "parameters_rel_l2", number_or_null(r->params->total_rel_l2));
}

static void add_model(cJSON *o, const char *key, const char *path, double mae)
{
    cJSON *m = cJSON_AddObjectToObject(o, key);
    cJSON_AddStringToObject(m, "checkpoint", path);
    cJSON_AddItemToObject(m, "mae", number_or_null(mae));
}

s3f_status compare_report_json(FILE *out, const compare_report *r)
{
    const paired_result *p = &r->result;
    cJSON *o = cJSON_CreateObject();
    add_model(o, "a", r->path_a, p->mean_a);
    add_model(o, "b", r->path_b, p->mean_b);
    cJSON_AddStringToObject(o, "split", r->split);
    cJSON_AddStringToObject(o, "unit", r->unit);
    cJSON_AddNumberToObject(o, "molecules", (double)p->n);
    cJSON *d = cJSON_AddObjectToObject(o, "difference");
    cJSON_AddNumberToObject(d, "mae_a_minus_b", p->diff);
    cJSON *ci = cJSON_AddArrayToObject(d, "ci95");
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(p->ci_low));
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(p->ci_high));
    cJSON_AddNumberToObject(d, "resamples", p->resamples);
    cJSON_AddNumberToObject(d, "seed", (double)r->seed);
    cJSON *s = cJSON_AddObjectToObject(o, "share");
    cJSON_AddNumberToObject(s, "a_better", p->a_better);
    cJSON_AddNumberToObject(s, "b_better", p->b_better);
    cJSON_AddNumberToObject(s, "ties", p->ties);
    add_lists(o, r);
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text) return s3f_fail(S3F_ERR_NOMEM, "out of memory printing JSON");
    fprintf(out, "%s\n", text);
    cJSON_free(text);
    return S3F_OK;
}
