/* options.c — reading, checking and setting declared option tables
 * (options.h).
 *
 * Not here: checking a recipe against a table (recipe/check.c, which this
 * file reuses to prove that each default parses and fits its own option).
 *
 * Invariant: none of these functions changes or keeps the table. */
#include <stdio.h>
#include <string.h>

#include "recipe/recipe_internal.h"
#include "se3flow/options.h"
#include "se3flow/recipe.h"

int s3f_options_count(const s3f_option *table)
{
    int count = 0;
    while (table && table[count].name) count++;
    return count;
}

const s3f_option *s3f_options_find(const s3f_option *table, const char *name)
{
    if (!name) return NULL;
    for (const s3f_option *o = table; o && o->name; o++)
        if (strcmp(o->name, name) == 0) return o;
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
    return "unknown";
}

static bool has_range(s3f_option_type type)
{
    return type == S3F_OPTION_INT || type == S3F_OPTION_FLOAT || type == S3F_OPTION_INT_LIST ||
           type == S3F_OPTION_FLOAT_LIST;
}

/* The entry's shape, before its default is tried. */
static s3f_status check_entry(const s3f_option *table, int i, const char *owner)
{
    const s3f_option *o = &table[i];
    if (!o->name[0] || strchr(o->name, '.'))
        return s3f_fail(S3F_ERR_ARG,
                        "%s: option %d has the name '%s'; names must be non-empty, "
                        "without '.'",
                        owner, i, o->name);
    for (int j = 0; j < i; j++)
        if (strcmp(table[j].name, o->name) == 0)
            return s3f_fail(S3F_ERR_ARG, "%s: option '%s' is declared twice (entries %d and %d)",
                            owner, o->name, j, i);
    if (!o->help) return s3f_fail(S3F_ERR_ARG, "%s: option '%s' has no help text", owner, o->name);
    if (strcmp(s3f_option_type_name(o->type), "unknown") == 0)
        return s3f_fail(S3F_ERR_ARG, "%s: option '%s' has the unknown type %d", owner, o->name,
                        (int)o->type);
    if (has_range(o->type) && !(o->min <= o->max))
        return s3f_fail(S3F_ERR_ARG, "%s: option '%s' has the empty range [%g, %g]", owner, o->name,
                        o->min, o->max);
    if (o->type != S3F_OPTION_CHOICE) return S3F_OK;
    if (!o->choices || !o->choices[0])
        return s3f_fail(S3F_ERR_ARG, "%s: choice option '%s' lists no choices", owner, o->name);
    for (const char *const *c = o->choices; *c; c++)
        if (!**c)
            return s3f_fail(S3F_ERR_ARG, "%s: choice option '%s' lists an empty choice", owner,
                            o->name);
    return S3F_OK;
}

/* The default parses as YAML and is a valid value of its own option. */
static s3f_status check_default(const s3f_option *o, const char *owner)
{
    if (!o->default_value) return S3F_OK;
    s3f_recipe_node_t *value = NULL;
    char label[512];
    snprintf(label, sizeof label, "%s: default of option %s", owner, o->name);
    s3f_status rc = recipe_parse_text(o->default_value, strlen(o->default_value),
                                      S3F_RECIPE_ORIGIN_DEFAULT, false, false, &value);
    if (rc == S3F_OK)
        rc = recipe_option_value(NULL, o, value, label, false, NULL);
    else if (rc != S3F_ERR_NOMEM)
        rc = s3f_fail_context(S3F_ERR_ARG, "%s: ", label);
    recipe_node_destroy(value);
    return rc;
}

s3f_status s3f_options_validate(const s3f_option *table, const char *owner)
{
    if (!owner) owner = "option table";
    if (!table) return s3f_fail(S3F_ERR_ARG, "%s: the option table is NULL", owner);
    for (int i = 0; table[i].name; i++) {
        S3F_RETURN_IF_ERR(check_entry(table, i, owner));
        S3F_RETURN_IF_ERR(check_default(&table[i], owner));
    }
    return S3F_OK;
}

/* ---- setting options without a recipe (tests, programmatic use) ---- */

s3f_status s3f_options_set(const s3f_option *table, void *dest, const char *name, const char *text)
{
    const s3f_option *o = s3f_options_find(table, name);
    if (!o) return s3f_fail(S3F_ERR_ARG, "there is no option '%s'", name);
    if (o->type == S3F_OPTION_INT_LIST || o->type == S3F_OPTION_FLOAT_LIST)
        return s3f_fail(S3F_ERR_ARG, "list option '%s' is set through a recipe", name);
    bool text_type = o->type == S3F_OPTION_STRING || o->type == S3F_OPTION_CHOICE;
    void *slot = (char *)dest + o->offset;
    s3f_recipe_node_t *value = NULL;
    s3f_status rc =
        recipe_parse_text(text, strlen(text), S3F_RECIPE_ORIGIN_SET, false, false, &value);
    if (rc == S3F_OK)
        rc = recipe_option_value(NULL, o, value, name, false, text_type ? NULL : slot);
    if (rc == S3F_OK && text_type) *(const char **)slot = text; /* borrowed, as documented */
    recipe_node_destroy(value);
    return rc;
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
