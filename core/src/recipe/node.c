/* node.c — the recipe tree's nodes: creation, entries, scalar typing, the
 * public read accessors and tree equality.
 *
 * Not here: reading YAML (parse.c), files and paths (load.c), option
 * tables (check.c), writing (emit.c).
 *
 * Invariant: count <= capacity; entries[0..count) hold non-NULL values, and
 * map keys are unique (callers check recipe_node_index before appending). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recipe_internal.h"

s3f_status recipe_create(s3f_recipe_t **out)
{
    s3f_recipe_t *recipe = calloc(1, sizeof *recipe);
    if (!recipe) return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory");
    *out = recipe;
    return S3F_OK;
}

void s3f_recipe_destroy(s3f_recipe_t *recipe)
{
    if (!recipe) return;
    recipe_node_destroy(recipe->root);
    for (int i = 0; i < recipe->name_count; i++) free(recipe->names[i]);
    for (int i = 0; i < recipe->block_count; i++) free(recipe->blocks[i]);
    free(recipe->names);
    free(recipe->blocks);
    free(recipe);
}

/* Appends `item` to a heap array of pointers, growing it by one. */
static s3f_status push_pointer(void ***array, int *count, void *item)
{
    void **grown = realloc(*array, (size_t)(*count + 1) * sizeof *grown);
    if (!grown) return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory");
    grown[(*count)++] = item;
    *array = grown;
    return S3F_OK;
}

s3f_status recipe_intern(s3f_recipe_t *recipe, const char *name, const char **out)
{
    for (int i = 0; i < recipe->name_count; i++)
        if (strcmp(recipe->names[i], name) == 0) {
            *out = recipe->names[i];
            return S3F_OK;
        }
    char *copy = strdup(name);
    if (!copy) return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory");
    s3f_status rc = push_pointer((void ***)&recipe->names, &recipe->name_count, copy);
    if (rc != S3F_OK) {
        free(copy);
        return rc;
    }
    *out = copy;
    return S3F_OK;
}

s3f_status recipe_keep(s3f_recipe_t *recipe, void *block)
{
    s3f_status rc = push_pointer(&recipe->blocks, &recipe->block_count, block);
    if (rc != S3F_OK) free(block);
    return rc;
}

s3f_status recipe_node_create(s3f_recipe_kind kind, s3f_recipe_origin origin,
                              s3f_recipe_node_t **out)
{
    s3f_recipe_node_t *node = calloc(1, sizeof *node);
    if (!node) return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory");
    node->kind = kind;
    node->origin = origin;
    *out = node;
    return S3F_OK;
}

s3f_status recipe_scalar_create(const char *text, size_t length, bool quoted,
                                s3f_recipe_origin origin, s3f_recipe_node_t **out)
{
    s3f_recipe_node_t *node = NULL;
    S3F_RETURN_IF_ERR(recipe_node_create(S3F_RECIPE_SCALAR, origin, &node));
    node->text = malloc(length + 1);
    if (!node->text) {
        free(node);
        return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory");
    }
    memcpy(node->text, text, length);
    node->text[length] = '\0';
    node->quoted = quoted;
    *out = node;
    return S3F_OK;
}

void recipe_node_destroy(s3f_recipe_node_t *node)
{
    if (!node) return;
    for (int i = 0; i < node->count; i++) {
        free(node->entries[i].key);
        recipe_node_destroy(node->entries[i].value);
    }
    free(node->entries);
    free(node->text);
    free(node);
}

s3f_status recipe_node_append(s3f_recipe_node_t *node, const char *key,
                              s3f_recipe_origin key_origin, s3f_recipe_node_t *value)
{
    S3F_ASSERT(node->kind != S3F_RECIPE_SCALAR);
    if (node->count == node->capacity) {
        int capacity = node->capacity ? 2 * node->capacity : 4;
        recipe_entry *grown = realloc(node->entries, (size_t)capacity * sizeof *grown);
        if (!grown) return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory");
        node->entries = grown;
        node->capacity = capacity;
    }
    char *copy = NULL;
    if (key && !(copy = strdup(key))) return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory");
    node->entries[node->count++] = (recipe_entry){copy, key_origin, value};
    return S3F_OK;
}

int recipe_node_index(const s3f_recipe_node_t *node, const char *key, size_t length)
{
    if (!node || node->kind != S3F_RECIPE_MAP) return -1;
    for (int i = 0; i < node->count; i++) {
        const char *k = node->entries[i].key;
        if (strncmp(k, key, length) == 0 && k[length] == '\0') return i;
    }
    return -1;
}

void recipe_node_remove(s3f_recipe_node_t *node, int i)
{
    free(node->entries[i].key);
    recipe_node_destroy(node->entries[i].value);
    memmove(&node->entries[i], &node->entries[i + 1],
            (size_t)(node->count - i - 1) * sizeof node->entries[0]);
    node->count--;
}

/* [-+]? then digits, with at least one digit; *end is past them. */
static bool skip_digits(const char **p)
{
    const char *start = *p;
    while (**p >= '0' && **p <= '9') (*p)++;
    return *p > start;
}

static bool is_one_of(const char *text, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(text, *words) == 0) return true;
    return false;
}

/* YAML 1.2 core schema floats: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?,
 * [-+]?.inf and .nan in three spellings each. */
static bool reads_as_float(const char *text)
{
    static const char *const special[] = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", NULL};
    const char *p = text + (*text == '-' || *text == '+');
    if (is_one_of(p, special)) return p == text || p[1] != 'n';
    bool whole = skip_digits(&p), fraction = false;
    if (*p == '.') {
        p++;
        fraction = skip_digits(&p);
    }
    if (!whole && !fraction) return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+') p++;
        if (!skip_digits(&p)) return false;
    }
    return *p == '\0';
}

recipe_scalar_type recipe_scalar_type_of(const s3f_recipe_node_t *node)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE", NULL};
    if (node->quoted) return RECIPE_STRING;
    const char *text = node->text;
    if (is_one_of(text, nulls)) return RECIPE_NULL;
    if (is_one_of(text, bools)) return RECIPE_BOOL;
    const char *p = text + (*text == '-' || *text == '+');
    if (skip_digits(&p) && *p == '\0') return RECIPE_INT;
    return reads_as_float(text) ? RECIPE_FLOAT : RECIPE_STRING;
}

const char *recipe_node_describe(const s3f_recipe_node_t *node)
{
    static const char *const scalar_names[] = {
        [RECIPE_NULL] = "null",     [RECIPE_BOOL] = "a bool",     [RECIPE_INT] = "an int",
        [RECIPE_FLOAT] = "a float", [RECIPE_STRING] = "a string",
    };
    if (node->kind == S3F_RECIPE_MAP) return "a map";
    if (node->kind == S3F_RECIPE_LIST) return "a list";
    return scalar_names[recipe_scalar_type_of(node)];
}

void recipe_origin_format(s3f_recipe_origin origin, char *buffer, size_t size)
{
    if (origin.line > 0)
        snprintf(buffer, size, "%s:%d:%d", origin.file, origin.line, origin.column);
    else
        snprintf(buffer, size, "%s", origin.file ? origin.file : "?");
}

s3f_status recipe_fail_at(s3f_status status, s3f_recipe_origin origin, const char *fmt, ...)
{
    char where[512], message[1536];
    recipe_origin_format(origin, where, sizeof where);
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    return s3f_fail(status, "%s: %s", where, message);
}

/* ---- public accessors ---- */

s3f_recipe_kind s3f_recipe_node_kind(const s3f_recipe_node_t *node)
{
    return node->kind;
}

const char *s3f_recipe_node_text(const s3f_recipe_node_t *node)
{
    return node && node->kind == S3F_RECIPE_SCALAR ? node->text : NULL;
}

int s3f_recipe_node_count(const s3f_recipe_node_t *node)
{
    return node ? node->count : 0;
}

const char *s3f_recipe_node_key(const s3f_recipe_node_t *node, int i)
{
    if (!node || node->kind != S3F_RECIPE_MAP || i < 0 || i >= node->count) return NULL;
    return node->entries[i].key;
}

const s3f_recipe_node_t *s3f_recipe_node_child(const s3f_recipe_node_t *node, int i)
{
    if (!node || i < 0 || i >= node->count) return NULL;
    return node->entries[i].value;
}

const s3f_recipe_node_t *s3f_recipe_node_find(const s3f_recipe_node_t *node, const char *key)
{
    if (!key) return NULL;
    int i = recipe_node_index(node, key, strlen(key));
    return i < 0 ? NULL : node->entries[i].value;
}

s3f_recipe_origin s3f_recipe_node_origin(const s3f_recipe_node_t *node)
{
    return node->origin;
}

static bool scalars_equal(const s3f_recipe_node_t *a, const s3f_recipe_node_t *b)
{
    recipe_scalar_type type = recipe_scalar_type_of(a);
    if (type != recipe_scalar_type_of(b)) return false;
    return type == RECIPE_NULL || strcmp(a->text, b->text) == 0;
}

bool s3f_recipe_node_equal(const s3f_recipe_node_t *a, const s3f_recipe_node_t *b)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind || a->count != b->count) return false;
    if (a->kind == S3F_RECIPE_SCALAR) return scalars_equal(a, b);
    for (int i = 0; i < a->count; i++) {
        const s3f_recipe_node_t *other = a->kind == S3F_RECIPE_MAP
                                             ? s3f_recipe_node_find(b, a->entries[i].key)
                                             : b->entries[i].value;
        if (!s3f_recipe_node_equal(a->entries[i].value, other)) return false;
    }
    return true;
}
