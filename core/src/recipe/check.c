/* check.c — checking a recipe section against an option table: unknown
 * keys (with a suggestion), types, ranges, choices, required options;
 * filling defaults into the tree; writing typed values into an options struct.
 *
 * Not here: the option table's own sanity (options.c), which plugin or
 * section a table belongs to (the caller says).
 *
 * Invariant: the caller's options struct is written only when the whole
 * section is valid: values are first gathered in a scratch copy. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recipe_internal.h"

/* A bound as people write it: "64", "0.001", "inf". */
static void format_bound(double value, char *buffer, size_t size)
{
    if (isinf(value))
        snprintf(buffer, size, "%sinf", value < 0 ? "-" : "");
    else if (value == floor(value) && fabs(value) <= 9007199254740992.0) /* 2^53: exact */
        snprintf(buffer, size, "%.0f", value);
    else
        snprintf(buffer, size, "%g", value);
}

/* What the option accepts, for messages: "an int in [1, 64]". */
static void describe_allowed(const s3f_option *option, char *buffer, size_t size)
{
    char lo[32], hi[32];
    format_bound(option->min, lo, sizeof lo);
    format_bound(option->max, hi, sizeof hi);
    switch (option->type) {
    case S3F_OPTION_BOOL:
        snprintf(buffer, size, "true or false");
        break;
    case S3F_OPTION_INT:
        snprintf(buffer, size, "an int in [%s, %s]", lo, hi);
        break;
    case S3F_OPTION_FLOAT:
        snprintf(buffer, size, "a number in [%s, %s]", lo, hi);
        break;
    case S3F_OPTION_STRING:
        snprintf(buffer, size, "a string");
        break;
    case S3F_OPTION_INT_LIST:
        snprintf(buffer, size, "a list of ints in [%s, %s]", lo, hi);
        break;
    case S3F_OPTION_FLOAT_LIST:
        snprintf(buffer, size, "a list of numbers in [%s, %s]", lo, hi);
        break;
    case S3F_OPTION_CHOICE: {
        size_t used = (size_t)snprintf(buffer, size, "one of");
        for (const char *const *c = option->choices; c && *c && used < size; c++)
            used += (size_t)snprintf(buffer + used, size - used, "%s %s",
                                     c == option->choices ? "" : ",", *c);
        break;
    }
    default:
        snprintf(buffer, size, "nothing (option type %d is unknown)", (int)option->type);
    }
}

/* Who a message is about: a key ("train.epochs", "s.sizes.1") and whether
 * to start with the value's origin (not for option tables' own defaults). */
typedef struct subject {
    const char *key;
    bool locate;
} subject;

/* "a.yaml:3:5: train.epochs" */
static void name_value(const subject *who, const s3f_recipe_node_t *node, char *buffer, size_t size)
{
    char where[512] = "";
    if (who->locate) recipe_origin_format(node->origin, where, sizeof where);
    snprintf(buffer, size, "%s%s%s", where, who->locate ? ": " : "", who->key);
}

static s3f_status fail_type(const subject *who, const s3f_option *option,
                            const s3f_recipe_node_t *node)
{
    char name[1024], allowed[512];
    name_value(who, node, name, sizeof name);
    describe_allowed(option, allowed, sizeof allowed);
    if (node->kind == S3F_RECIPE_SCALAR)
        return s3f_fail(S3F_ERR_ARG, "%s: expected %s, got %s '%s'", name, allowed,
                        recipe_node_describe(node), node->text);
    return s3f_fail(S3F_ERR_ARG, "%s: expected %s, got %s", name, allowed,
                    recipe_node_describe(node));
}

static s3f_status fail_range(const subject *who, const s3f_option *option,
                             const s3f_recipe_node_t *node)
{
    char name[1024], allowed[512];
    name_value(who, node, name, sizeof name);
    describe_allowed(option, allowed, sizeof allowed);
    return s3f_fail(S3F_ERR_ARG, "%s: %s is out of range; allowed: %s", name, node->text, allowed);
}

static bool in_range(double value, const s3f_option *option)
{
    return value >= option->min && value <= option->max;
}

static s3f_status read_int(const subject *who, const s3f_option *option,
                           const s3f_recipe_node_t *node, int64_t *out)
{
    if (node->kind != S3F_RECIPE_SCALAR || recipe_scalar_type_of(node) != RECIPE_INT)
        return fail_type(who, option, node);
    errno = 0;
    long long value = strtoll(node->text, NULL, 10);
    if (errno == ERANGE || !in_range((double)value, option)) return fail_range(who, option, node);
    *out = value;
    return S3F_OK;
}

static s3f_status read_float(const subject *who, const s3f_option *option,
                             const s3f_recipe_node_t *node, double *out)
{
    recipe_scalar_type type =
        node->kind == S3F_RECIPE_SCALAR ? recipe_scalar_type_of(node) : RECIPE_STRING;
    if (node->kind != S3F_RECIPE_SCALAR || (type != RECIPE_INT && type != RECIPE_FLOAT))
        return fail_type(who, option, node);
    const char *text = node->text, *unsigned_text = text + (*text == '-' || *text == '+');
    double value;
    if (unsigned_text[0] == '.' && (unsigned_text[1] == 'i' || unsigned_text[1] == 'I'))
        value = text[0] == '-' ? -INFINITY : INFINITY;
    else if (unsigned_text[0] == '.' && (unsigned_text[1] == 'n' || unsigned_text[1] == 'N'))
        value = NAN;
    else
        value = strtod(text, NULL);
    if (!in_range(value, option)) return fail_range(who, option, node);
    *out = value;
    return S3F_OK;
}

static s3f_status read_choice(const subject *who, const s3f_option *option,
                              const s3f_recipe_node_t *node, const char **out)
{
    if (node->kind != S3F_RECIPE_SCALAR) return fail_type(who, option, node);
    size_t count = 0;
    for (const char *const *c = option->choices; c && *c; c++, count++)
        if (strcmp(*c, node->text) == 0) {
            *out = *c;
            return S3F_OK;
        }
    char name[1024], allowed[512];
    name_value(who, node, name, sizeof name);
    describe_allowed(option, allowed, sizeof allowed);
    const char *near = s3f_word_nearest(node->text, option->choices, count);
    if (near)
        return s3f_fail(S3F_ERR_ARG, "%s: '%s' is not a valid choice; did you mean '%s'? (%s)",
                        name, node->text, near, allowed);
    return s3f_fail(S3F_ERR_ARG, "%s: '%s' is not a valid choice; allowed: %s", name, node->text,
                    allowed);
}

/* INT_LIST and FLOAT_LIST: checks every item; with `out`, fills an array the recipe keeps. */
static s3f_status read_list(s3f_recipe_t *recipe, const subject *who, const s3f_option *option,
                            const s3f_recipe_node_t *node, void *out)
{
    if (node->kind != S3F_RECIPE_LIST) return fail_type(who, option, node);
    bool ints = option->type == S3F_OPTION_INT_LIST;
    size_t item_size = ints ? sizeof(int64_t) : sizeof(double);
    char *items = NULL;
    if (out && node->count > 0 && !(items = malloc((size_t)node->count * item_size)))
        return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory");
    for (int i = 0; i < node->count; i++) {
        char key[600];
        snprintf(key, sizeof key, "%s.%d", who->key, i);
        subject item = {key, who->locate};
        int64_t i64 = 0;
        double f64 = 0;
        s3f_status rc = ints ? read_int(&item, option, node->entries[i].value, &i64)
                             : read_float(&item, option, node->entries[i].value, &f64);
        if (rc != S3F_OK) {
            free(items);
            return rc;
        }
        if (items)
            memcpy(items + (size_t)i * item_size, ints ? (void *)&i64 : (void *)&f64, item_size);
    }
    if (!out) return S3F_OK;
    if (items) S3F_RETURN_IF_ERR(recipe_keep(recipe, items));
    if (ints)
        memcpy(out, &(s3f_int_list){node->count, (const int64_t *)items}, sizeof(s3f_int_list));
    else
        memcpy(out, &(s3f_float_list){node->count, (const double *)items}, sizeof(s3f_float_list));
    return S3F_OK;
}

static size_t field_size(s3f_option_type type)
{
    switch (type) {
    case S3F_OPTION_BOOL:
        return sizeof(bool);
    case S3F_OPTION_INT:
        return sizeof(int64_t);
    case S3F_OPTION_FLOAT:
        return sizeof(double);
    case S3F_OPTION_STRING:
    case S3F_OPTION_CHOICE:
        return sizeof(const char *);
    case S3F_OPTION_INT_LIST:
        return sizeof(s3f_int_list);
    case S3F_OPTION_FLOAT_LIST:
        return sizeof(s3f_float_list);
    }
    return 0;
}

s3f_status recipe_option_value(s3f_recipe_t *recipe, const s3f_option *option,
                               const s3f_recipe_node_t *node, const char *key, bool locate,
                               void *dest)
{
    const subject who_value = {key, locate}, *who = &who_value;
    union {
        bool b;
        int64_t i;
        double f;
        const char *s;
    } v;
    s3f_status rc = S3F_OK;
    switch (option->type) {
    case S3F_OPTION_BOOL:
        if (node->kind != S3F_RECIPE_SCALAR || recipe_scalar_type_of(node) != RECIPE_BOOL)
            return fail_type(who, option, node);
        v.b = node->text[0] == 't' || node->text[0] == 'T';
        break;
    case S3F_OPTION_INT:
        rc = read_int(who, option, node, &v.i);
        break;
    case S3F_OPTION_FLOAT:
        rc = read_float(who, option, node, &v.f);
        break;
    case S3F_OPTION_STRING:
        if (node->kind != S3F_RECIPE_SCALAR) return fail_type(who, option, node);
        v.s = recipe_scalar_type_of(node) == RECIPE_NULL ? "" : node->text;
        break;
    case S3F_OPTION_CHOICE:
        rc = read_choice(who, option, node, &v.s);
        break;
    case S3F_OPTION_INT_LIST:
    case S3F_OPTION_FLOAT_LIST:
        return read_list(recipe, who, option, node, dest);
    default:
        return fail_type(who, option, node);
    }
    if (rc == S3F_OK && dest) memcpy(dest, &v, field_size(option->type));
    return rc;
}

/* ---- sections ---- */

typedef struct section {
    s3f_recipe_t *recipe;
    const char *path;
    s3f_recipe_node_t *map;
    const s3f_option *options;
    const char *const *reserved;
    char name[512]; /* "section 'model' (model 'se3_transformer')" */
} section;

static bool is_reserved(const section *s, const char *key)
{
    for (const char *const *r = s->reserved; r && *r; r++)
        if (strcmp(*r, key) == 0) return true;
    return false;
}

static s3f_status fail_unknown(const section *s, const recipe_entry *entry)
{
    const char *candidates[256];
    size_t count = 0;
    char valid[1024] = "";
    for (const s3f_option *o = s->options; o->name && count < 255; o++)
        candidates[count++] = o->name;
    for (const char *const *r = s->reserved; r && *r && count < 255; r++) candidates[count++] = *r;
    for (size_t i = 0; i < count; i++)
        snprintf(valid + strlen(valid), sizeof valid - strlen(valid), "%s%s", i ? ", " : "",
                 candidates[i]);
    const char *near = s3f_word_nearest(entry->key, candidates, count);
    if (near)
        return recipe_fail_at(S3F_ERR_ARG, entry->key_origin,
                              "unknown key '%s' in %s; did you mean '%s'?", entry->key, s->name,
                              near);
    return recipe_fail_at(S3F_ERR_ARG, entry->key_origin, "unknown key '%s' in %s; valid keys: %s",
                          entry->key, s->name, count ? valid : "none");
}

/* "train.epochs": the option's full key, for messages. */
static void full_key(const section *s, const s3f_option *option, char *buffer, size_t size)
{
    snprintf(buffer, size, "%s%s%s", s->path, *s->path ? "." : "", option->name);
}

static s3f_status check_keys(const section *s)
{
    for (int i = 0; i < s->map->count; i++) {
        const recipe_entry *entry = &s->map->entries[i];
        if (!s3f_options_find(s->options, entry->key) && !is_reserved(s, entry->key))
            return fail_unknown(s, entry);
    }
    for (const s3f_option *o = s->options; o->name; o++) {
        if (o->default_value || s3f_recipe_node_find(s->map, o->name)) continue;
        s3f_recipe_origin at = s->map->origin.line > 0 ? s->map->origin : s->recipe->root->origin;
        return recipe_fail_at(S3F_ERR_ARG, at, "%s lacks the required key '%s' (%s): add it",
                              s->name, o->name, o->help ? o->help : "no help");
    }
    return S3F_OK;
}

/* Reads every option into `scratch`: first those present, then the
 * defaults, which are added to the map as they are read. */
static s3f_status read_options(section *s, char *scratch)
{
    static const s3f_recipe_origin k_default = {S3F_RECIPE_ORIGIN_DEFAULT, 0, 0};
    char key[512];
    for (const s3f_option *o = s->options; o->name; o++) {
        const s3f_recipe_node_t *value = s3f_recipe_node_find(s->map, o->name);
        if (!value) continue;
        full_key(s, o, key, sizeof key);
        S3F_RETURN_IF_ERR(recipe_option_value(s->recipe, o, value, key, true, scratch + o->offset));
    }
    for (const s3f_option *o = s->options; o->name; o++) {
        if (s3f_recipe_node_find(s->map, o->name)) continue;
        s3f_recipe_node_t *value = NULL;
        full_key(s, o, key, sizeof key);
        s3f_status rc = recipe_parse_text(o->default_value, strlen(o->default_value),
                                          S3F_RECIPE_ORIGIN_DEFAULT, false, false, &value);
        if (rc == S3F_OK)
            rc = recipe_option_value(s->recipe, o, value, key, false, scratch + o->offset);
        if (rc == S3F_OK) rc = recipe_node_append(s->map, o->name, k_default, value);
        if (rc != S3F_OK) {
            recipe_node_destroy(value);
            if (rc == S3F_ERR_NOMEM) return rc;
            return s3f_fail_context(rc, "the option table of %s is broken: ", s->name);
        }
    }
    return S3F_OK;
}

static void name_section(section *s, const char *owner)
{
    int n = *s->path ? snprintf(s->name, sizeof s->name, "section '%s'", s->path)
                     : snprintf(s->name, sizeof s->name, "the recipe's top level");
    if (owner && *owner && strcmp(owner, s->path) != 0 && n > 0 && (size_t)n < sizeof s->name)
        snprintf(s->name + n, sizeof s->name - (size_t)n, " (%s)", owner);
}

s3f_status s3f_recipe_check_section(s3f_recipe_t *recipe, const char *path,
                                    const s3f_option *options, const char *owner,
                                    const char *const *reserved, void *values)
{
    if (!recipe || !options)
        return s3f_fail(S3F_ERR_ARG, "s3f_recipe_check_section: NULL recipe or options");
    section s = {
        .recipe = recipe, .path = path ? path : "", .options = options, .reserved = reserved};
    name_section(&s, owner);
    S3F_RETURN_IF_ERR(recipe_section_at(recipe, s.path, &s.map));
    if (s.map->kind != S3F_RECIPE_MAP)
        return recipe_fail_at(S3F_ERR_ARG, s.map->origin, "%s must be a map of options, not %s",
                              s.name, recipe_node_describe(s.map));
    S3F_RETURN_IF_ERR(check_keys(&s));
    size_t extent = 1;
    for (const s3f_option *o = options; o->name; o++)
        if (o->offset + field_size(o->type) > extent) extent = o->offset + field_size(o->type);
    char *scratch = calloc(1, extent);
    if (!scratch) return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory");
    s3f_status rc = read_options(&s, scratch);
    for (const s3f_option *o = options; rc == S3F_OK && values && o->name; o++)
        memcpy((char *)values + o->offset, scratch + o->offset, field_size(o->type));
    free(scratch);
    return rc;
}
