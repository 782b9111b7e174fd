/* options.c — facts about declared option tables (options.h). The recipe
 * checker that applies tables to recipes lives in recipe/. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3flow/options.h"

int s3f_options_count(const s3f_option *table)
{
    int n = 0;
    while (table && table[n].name) n++;
    return n;
}

const s3f_option *s3f_options_find(const s3f_option *table, const char *name)
{
    for (int i = 0; table && table[i].name; i++)
        if (!strcmp(table[i].name, name)) return &table[i];
    return NULL;
}

const char *s3f_option_type_name(s3f_option_type type)
{
    switch (type) {
    case S3F_OPTION_BOOL:
        return "bool";
    case S3F_OPTION_INT:
        return "int";
    case S3F_OPTION_FLOAT:
        return "float";
    case S3F_OPTION_STRING:
        return "string";
    case S3F_OPTION_CHOICE:
        return "choice";
    case S3F_OPTION_INT_LIST:
        return "int list";
    case S3F_OPTION_FLOAT_LIST:
        return "float list";
    }
    return "invalid";
}

static bool is_choice(const s3f_option *o, const char *value)
{
    for (int i = 0; o->choices && o->choices[i]; i++)
        if (!strcmp(o->choices[i], value)) return true;
    return false;
}

/* A number in [min, max], integral for INT. */
static bool number_ok(const s3f_option *o, const char *text, bool integral)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || isnan(v)) return false;
    if (integral && v != floor(v)) return false;
    return v >= o->min && v <= o->max;
}

/* Each comma-separated element of "[a, b]" passes number_ok. */
static bool list_ok(const s3f_option *o, const char *text, bool integral)
{
    size_t n = strlen(text);
    if (n < 2 || text[0] != '[' || text[n - 1] != ']') return false;
    char buf[256];
    if (n - 2 >= sizeof buf) return false;
    memcpy(buf, text + 1, n - 2);
    buf[n - 2] = '\0';
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        while (*item == ' ') item++;
        char *tail = item + strlen(item);
        while (tail > item && tail[-1] == ' ') *--tail = '\0';
        if (!number_ok(o, item, integral)) return false;
    }
    return true;
}

static bool default_ok(const s3f_option *o)
{
    const char *v = o->default_value;
    switch (o->type) {
    case S3F_OPTION_BOOL:
        return !strcmp(v, "true") || !strcmp(v, "false");
    case S3F_OPTION_INT:
        return number_ok(o, v, true);
    case S3F_OPTION_FLOAT:
        return number_ok(o, v, false);
    case S3F_OPTION_STRING:
        return true;
    case S3F_OPTION_CHOICE:
        return is_choice(o, v);
    case S3F_OPTION_INT_LIST:
        return list_ok(o, v, true);
    case S3F_OPTION_FLOAT_LIST:
        return list_ok(o, v, false);
    }
    return false;
}

static s3f_status check_entry(const s3f_option *table, int i, const char *owner)
{
    const s3f_option *o = &table[i];
    if (!*o->name) return s3f_fail(S3F_ERR_ARG, "%s: option %d has an empty name", owner, i);
    for (int j = 0; j < i; j++)
        if (!strcmp(table[j].name, o->name))
            return s3f_fail(S3F_ERR_ARG, "%s: option '%s' is declared twice", owner, o->name);
    if (!strcmp(s3f_option_type_name(o->type), "invalid"))
        return s3f_fail(S3F_ERR_ARG, "%s: option '%s' has an invalid type", owner, o->name);
    if (!o->help || !*o->help)
        return s3f_fail(S3F_ERR_ARG, "%s: option '%s' has no help text", owner, o->name);
    if (o->type == S3F_OPTION_CHOICE && (!o->choices || !o->choices[0]))
        return s3f_fail(S3F_ERR_ARG, "%s: choice option '%s' has no choices", owner, o->name);
    if ((o->type == S3F_OPTION_INT || o->type == S3F_OPTION_FLOAT) && !(o->min <= o->max))
        return s3f_fail(S3F_ERR_ARG, "%s: option '%s' has an empty range", owner, o->name);
    if (o->default_value && !default_ok(o))
        return s3f_fail(S3F_ERR_ARG, "%s: option '%s' has default '%s', which is not a valid %s",
                        owner, o->name, o->default_value, s3f_option_type_name(o->type));
    return S3F_OK;
}

s3f_status s3f_options_validate(const s3f_option *table, const char *owner)
{
    if (!table) return s3f_fail(S3F_ERR_ARG, "%s: no option table", owner);
    for (int i = 0; table[i].name; i++) S3F_RETURN_IF_ERR(check_entry(table, i, owner));
    return S3F_OK;
}

static s3f_status store_number(const s3f_option *o, void *slot, const char *text)
{
    bool integral = o->type == S3F_OPTION_INT;
    if (!number_ok(o, text, integral))
        return s3f_fail(S3F_ERR_ARG, "option '%s' is set to '%s'; it takes %s in [%g, %g]", o->name,
                        text, integral ? "an integer" : "a number", o->min, o->max);
    if (integral)
        *(int64_t *)slot = (int64_t)strtod(text, NULL);
    else
        *(double *)slot = strtod(text, NULL);
    return S3F_OK;
}

s3f_status s3f_options_set(const s3f_option *table, void *dest, const char *name, const char *text)
{
    const s3f_option *o = s3f_options_find(table, name);
    if (!o) return s3f_fail(S3F_ERR_ARG, "there is no option '%s'", name);
    void *slot = (char *)dest + o->offset;
    switch (o->type) {
    case S3F_OPTION_BOOL:
        if (strcmp(text, "true") && strcmp(text, "false"))
            return s3f_fail(S3F_ERR_ARG, "option '%s' takes true or false, not '%s'", name, text);
        *(bool *)slot = !strcmp(text, "true");
        return S3F_OK;
    case S3F_OPTION_INT:
    case S3F_OPTION_FLOAT:
        return store_number(o, slot, text);
    case S3F_OPTION_CHOICE:
        if (!is_choice(o, text))
            return s3f_fail(S3F_ERR_ARG, "option '%s' cannot be '%s' (see 'se3flow plugins show')",
                            name, text);
        /* fall through */
    case S3F_OPTION_STRING:
        *(const char **)slot = text;
        return S3F_OK;
    default:
        return s3f_fail(S3F_ERR_ARG, "list option '%s' is set through a recipe", name);
    }
}

s3f_status s3f_options_set_defaults(const s3f_option *table, void *dest)
{
    for (const s3f_option *o = table; o && o->name; o++) {
        if (!o->default_value || o->type == S3F_OPTION_INT_LIST || o->type == S3F_OPTION_FLOAT_LIST)
            continue;
        S3F_RETURN_IF_ERR(s3f_options_set(table, dest, o->name, o->default_value));
    }
    return S3F_OK;
}
