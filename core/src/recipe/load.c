/* load.c — recipe files and their `extends` chains, text recipes, dotted
 * paths, and `--set` overrides.
 *
 * Not here: the YAML parser (parse.c), option tables (check.c).
 *
 * Invariant: while a chain of `extends` is being read, `chain` holds the
 * real path of every file being read, outermost first, so a file that asks
 * for one already in it is a cycle. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recipe_internal.h"

#define MAX_EXTENDS     16
#define MAX_RECIPE_SIZE (16u << 20)
#define MAX_SEGMENTS    RECIPE_MAX_DEPTH

static const s3f_recipe_origin k_set_origin = {S3F_RECIPE_ORIGIN_SET, 0, 0};

typedef struct chain {
    int depth;
    char *real[MAX_EXTENDS];        /* owned */
    const char *shown[MAX_EXTENDS]; /* interned in the recipe */
} chain;

/* A file that is not there is the recipe's or the command line's mistake
 * (a usage error, exit code 2); one that cannot be read is an i/o error. */
static s3f_status open_error(void)
{
    return errno == ENOENT || errno == ENOTDIR ? S3F_ERR_ARG : S3F_ERR_IO;
}

static s3f_status read_file(const char *path, char **text, size_t *length)
{
    FILE *file = fopen(path, "rb");
    if (!file) return s3f_fail(open_error(), "cannot read recipe '%s': %s", path, strerror(errno));
    char *buffer = NULL;
    size_t size = 0, capacity = 0;
    s3f_status rc = S3F_OK;
    for (;;) {
        if (size == capacity) {
            capacity = capacity ? 2 * capacity : 4096;
            char *grown = capacity > MAX_RECIPE_SIZE ? NULL : realloc(buffer, capacity);
            if (!grown) {
                rc = s3f_fail(S3F_ERR_FORMAT, "recipe '%s' is larger than %u MiB", path,
                              MAX_RECIPE_SIZE >> 20);
                break;
            }
            buffer = grown;
        }
        size_t n = fread(buffer + size, 1, capacity - size, file);
        size += n;
        if (n > 0) continue;
        if (ferror(file))
            rc = s3f_fail(S3F_ERR_IO, "cannot read recipe '%s': %s", path, strerror(errno));
        break;
    }
    fclose(file);
    if (rc != S3F_OK) {
        free(buffer);
        return rc;
    }
    *text = buffer;
    *length = size;
    return S3F_OK;
}

/* `target` relative to the directory of `from`, unless absolute. */
static s3f_status resolve_relative(const char *from, const char *target, char **out)
{
    const char *slash = strrchr(from, '/');
    size_t dir = target[0] == '/' || !slash ? 0 : (size_t)(slash - from) + 1;
    char *path = malloc(dir + strlen(target) + 1);
    if (!path) return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory");
    memcpy(path, from, dir);
    strcpy(path + dir, target);
    *out = path;
    return S3F_OK;
}

/* Adds `path` to the chain, refusing a cycle or a missing file; `asked`
 * is where it was asked for (the `extends` value), NULL for the first. */
static s3f_status chain_push(chain *chain, s3f_recipe_t *recipe, const char *path,
                             const s3f_recipe_node_t *asked)
{
    char *real = realpath(path, NULL);
    if (!real && !asked)
        return s3f_fail(open_error(), "cannot read recipe '%s': %s", path, strerror(errno));
    if (!real)
        return recipe_fail_at(open_error(), asked->origin, "extends: cannot read recipe '%s': %s",
                              path, strerror(errno));
    for (int i = 0; i < chain->depth; i++) {
        if (strcmp(chain->real[i], real) != 0) continue;
        char cycle[1024] = "";
        for (int j = i; j < chain->depth; j++)
            snprintf(cycle + strlen(cycle), sizeof cycle - strlen(cycle), "%s -> ",
                     chain->shown[j]);
        free(real);
        return recipe_fail_at(S3F_ERR_ARG, asked->origin, "cyclic extends: %s%s", cycle, path);
    }
    if (chain->depth == MAX_EXTENDS) {
        free(real);
        return recipe_fail_at(S3F_ERR_ARG, asked->origin, "extends chain longer than %d files",
                              MAX_EXTENDS);
    }
    s3f_status rc = recipe_intern(recipe, path, &chain->shown[chain->depth]);
    if (rc != S3F_OK) {
        free(real);
        return rc;
    }
    chain->real[chain->depth++] = real;
    return S3F_OK;
}

/* Deep merge: `over`'s entries go into `base` (maps merge key by key,
 * anything else replaces). Moves values out of `over`; the caller destroys it. */
static s3f_status merge_maps(s3f_recipe_node_t *base, s3f_recipe_node_t *over)
{
    base->origin = over->origin;
    for (int i = 0; i < over->count; i++) {
        recipe_entry *from = &over->entries[i];
        int j = recipe_node_index(base, from->key, strlen(from->key));
        if (j < 0) {
            S3F_RETURN_IF_ERR(recipe_node_append(base, from->key, from->key_origin, from->value));
            from->value = NULL;
            continue;
        }
        recipe_entry *to = &base->entries[j];
        to->key_origin = from->key_origin;
        if (to->value->kind == S3F_RECIPE_MAP && from->value->kind == S3F_RECIPE_MAP) {
            S3F_RETURN_IF_ERR(merge_maps(to->value, from->value));
            continue;
        }
        recipe_node_destroy(to->value);
        to->value = from->value;
        from->value = NULL;
    }
    return S3F_OK;
}

static s3f_status load_file(s3f_recipe_t *recipe, chain *chain, s3f_recipe_node_t **out);

/* Replaces *root by its `extends` base with *root merged over it. */
static s3f_status apply_extends(s3f_recipe_t *recipe, chain *chain, s3f_recipe_node_t **root)
{
    int at = recipe_node_index(*root, "extends", strlen("extends"));
    if (at < 0) return S3F_OK;
    const s3f_recipe_node_t *asked = (*root)->entries[at].value;
    if (asked->kind != S3F_RECIPE_SCALAR || recipe_scalar_type_of(asked) == RECIPE_NULL)
        return recipe_fail_at(S3F_ERR_ARG, asked->origin,
                              "extends must name one recipe file (a path relative to this "
                              "recipe), not %s",
                              recipe_node_describe(asked));
    char *path = NULL;
    s3f_recipe_node_t *base = NULL;
    s3f_status rc;
    S3F_TRY(resolve_relative(chain->shown[chain->depth - 1], asked->text, &path));
    S3F_TRY(chain_push(chain, recipe, path, asked));
    S3F_TRY(load_file(recipe, chain, &base));
    recipe_node_remove(*root, at);
    S3F_TRY(merge_maps(base, *root));
    recipe_node_destroy(*root);
    *root = base;
    free(path);
    return S3F_OK;
fail:
    recipe_node_destroy(base);
    free(path);
    return rc;
}

/* Reads the chain's newest file (and its bases); pops it from the chain. */
static s3f_status load_file(s3f_recipe_t *recipe, chain *chain, s3f_recipe_node_t **out)
{
    const char *path = chain->shown[chain->depth - 1];
    char *text = NULL;
    size_t length = 0;
    s3f_recipe_node_t *root = NULL;
    s3f_status rc;
    S3F_TRY(read_file(path, &text, &length));
    S3F_TRY(recipe_parse_text(text, length, path, true, true, &root));
    S3F_TRY(apply_extends(recipe, chain, &root));
    *out = root;
    root = NULL;
fail:
    recipe_node_destroy(root);
    free(text);
    free(chain->real[--chain->depth]);
    return rc;
}

s3f_status s3f_recipe_load(const char *path, s3f_recipe_t **out)
{
    if (!path || !out) return s3f_fail(S3F_ERR_ARG, "s3f_recipe_load: NULL path or out");
    s3f_recipe_t *recipe = NULL;
    chain chain = {0};
    s3f_status rc;
    S3F_TRY(recipe_create(&recipe));
    S3F_TRY(chain_push(&chain, recipe, path, NULL));
    S3F_TRY(load_file(recipe, &chain, &recipe->root));
    *out = recipe;
    return S3F_OK;
fail:
    s3f_recipe_destroy(recipe);
    return rc;
}

s3f_status s3f_recipe_parse(const char *text, size_t length, const char *name, s3f_recipe_t **out)
{
    if (!text || !name || !out) return s3f_fail(S3F_ERR_ARG, "s3f_recipe_parse: NULL argument");
    s3f_recipe_t *recipe = NULL;
    const char *file = NULL;
    s3f_status rc;
    S3F_TRY(recipe_create(&recipe));
    S3F_TRY(recipe_intern(recipe, name, &file));
    S3F_TRY(recipe_parse_text(text, length, file, true, true, &recipe->root));
    const s3f_recipe_node_t *extends = s3f_recipe_node_find(recipe->root, "extends");
    if (extends) {
        rc = recipe_fail_at(S3F_ERR_ARG, extends->origin,
                            "extends works only in recipe files (it is resolved against the "
                            "file's directory), not in recipe text");
        goto fail;
    }
    *out = recipe;
    return S3F_OK;
fail:
    s3f_recipe_destroy(recipe);
    return rc;
}

/* ---- dotted paths ---- */

typedef struct path_parts {
    char *buffer;
    int count;
    const char *segments[MAX_SEGMENTS];
} path_parts;

static s3f_status split_path(const char *path, path_parts *parts)
{
    parts->count = 0;
    parts->buffer = strdup(path ? path : "");
    if (!parts->buffer) return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory");
    if (!parts->buffer[0]) return S3F_OK;
    for (char *segment = parts->buffer;;) {
        char *dot = strchr(segment, '.');
        if (dot) *dot = '\0';
        if (!*segment || parts->count == MAX_SEGMENTS) {
            const char *problem = *segment ? "too many segments" : "empty segment between dots";
            free(parts->buffer);
            parts->buffer = NULL;
            return s3f_fail(S3F_ERR_ARG, "key path '%s': %s", path, problem);
        }
        parts->segments[parts->count++] = segment;
        if (!dot) return S3F_OK;
        segment = dot + 1;
    }
}

/* A decimal list index (at most 9 digits), or -1. */
static int list_index(const char *segment)
{
    size_t n = strspn(segment, "0123456789");
    return n > 0 && n < 10 && segment[n] == '\0' ? atoi(segment) : -1;
}

static bool is_null(const s3f_recipe_node_t *node)
{
    return node->kind == S3F_RECIPE_SCALAR && recipe_scalar_type_of(node) == RECIPE_NULL;
}

/* A null value (`train:` with nothing after it) becomes an empty map in place. */
static void null_to_map(s3f_recipe_node_t *node)
{
    if (!is_null(node)) return;
    free(node->text);
    *node = (s3f_recipe_node_t){.kind = S3F_RECIPE_MAP, .origin = node->origin};
}

/* Where segment i of `path` lies in `node`: the entry's index, or -1 when it
 * is a missing key or the list's next index. Errors name the path so far. */
static s3f_status slot_of(const s3f_recipe_node_t *node, const char *path, const path_parts *parts,
                          int i, int *slot)
{
    const char *segment = parts->segments[i];
    const char *shown = i == 0 ? "the top level" : path;
    int prefix = i == 0 ? (int)strlen(shown) : (int)(segment - parts->buffer) - 1;
    if (node->kind == S3F_RECIPE_MAP) {
        *slot = recipe_node_index(node, segment, strlen(segment));
        return S3F_OK;
    }
    if (node->kind == S3F_RECIPE_SCALAR)
        return recipe_fail_at(S3F_ERR_ARG, node->origin, "'%.*s' is %s, so '%s' has nowhere to go",
                              prefix, shown, recipe_node_describe(node), path);
    int index = list_index(segment);
    if (index < 0 || index > node->count)
        return recipe_fail_at(S3F_ERR_ARG, node->origin,
                              "'%.*s' is a list of %d item%s: '%s' needs an index from 0 to %d",
                              prefix, shown, node->count, node->count == 1 ? "" : "s", path,
                              node->count);
    *slot = index < node->count ? index : -1;
    return S3F_OK;
}

/* Walks the first n segments from the root. With `create`, missing maps
 * are made (origin `made`) and null values on the way become empty maps;
 * without, *node is NULL when something on the way is missing or null. */
static s3f_status walk(s3f_recipe_t *recipe, const char *path, const path_parts *parts, int n,
                       bool create, s3f_recipe_origin made, s3f_recipe_node_t **node)
{
    s3f_recipe_node_t *at = recipe->root;
    for (int i = 0; i < n; i++) {
        if (is_null(at) && !create) {
            at = NULL;
            break;
        }
        null_to_map(at);
        int slot;
        S3F_RETURN_IF_ERR(slot_of(at, path, parts, i, &slot));
        if (slot >= 0) {
            at = at->entries[slot].value;
            continue;
        }
        if (!create) {
            at = NULL;
            break;
        }
        s3f_recipe_node_t *map = NULL;
        S3F_RETURN_IF_ERR(recipe_node_create(S3F_RECIPE_MAP, made, &map));
        const char *key = at->kind == S3F_RECIPE_MAP ? parts->segments[i] : NULL;
        s3f_status rc = recipe_node_append(at, key, made, map);
        if (rc != S3F_OK) {
            recipe_node_destroy(map);
            return rc;
        }
        at = map;
    }
    *node = at;
    return S3F_OK;
}

s3f_status recipe_section_at(s3f_recipe_t *recipe, const char *path, s3f_recipe_node_t **out)
{
    static const s3f_recipe_origin made = {S3F_RECIPE_ORIGIN_DEFAULT, 0, 0};
    path_parts parts;
    S3F_RETURN_IF_ERR(split_path(path, &parts));
    s3f_recipe_node_t *node = NULL;
    s3f_status rc = walk(recipe, path, &parts, parts.count, true, made, &node);
    free(parts.buffer);
    if (rc != S3F_OK) return rc;
    null_to_map(node);
    *out = node;
    return S3F_OK;
}

const s3f_recipe_node_t *s3f_recipe_get(const s3f_recipe_t *recipe, const char *path)
{
    if (!recipe) return NULL;
    const s3f_recipe_node_t *at = recipe->root;
    for (const char *p = path ? path : ""; at && *p;) {
        size_t n = strcspn(p, ".");
        char segment[256];
        if (n == 0 || n >= sizeof segment) return NULL;
        memcpy(segment, p, n);
        segment[n] = '\0';
        int index = list_index(segment);
        at = at->kind == S3F_RECIPE_LIST ? s3f_recipe_node_child(at, index)
                                         : s3f_recipe_node_find(at, segment);
        p += n + (p[n] == '.');
    }
    return at;
}

/* Puts `value` at the last segment under `parent` (taking ownership on success). */
static s3f_status place(s3f_recipe_node_t *parent, const char *path, const path_parts *parts,
                        s3f_recipe_node_t *value)
{
    int last = parts->count - 1, slot;
    S3F_RETURN_IF_ERR(slot_of(parent, path, parts, last, &slot));
    if (slot < 0) {
        const char *key = parent->kind == S3F_RECIPE_MAP ? parts->segments[last] : NULL;
        return recipe_node_append(parent, key, k_set_origin, value);
    }
    recipe_node_destroy(parent->entries[slot].value);
    parent->entries[slot].value = value;
    parent->entries[slot].key_origin = k_set_origin;
    return S3F_OK;
}

s3f_status s3f_recipe_set(s3f_recipe_t *recipe, const char *assignment)
{
    if (!recipe || !assignment) return s3f_fail(S3F_ERR_ARG, "s3f_recipe_set: NULL argument");
    const char *equals = strchr(assignment, '=');
    if (!equals)
        return s3f_fail(S3F_ERR_ARG, "--set '%s': expected KEY=VALUE, e.g. train.epochs=10",
                        assignment);
    char *path = strndup(assignment, (size_t)(equals - assignment));
    path_parts parts = {0};
    s3f_recipe_node_t *value = NULL, *parent = NULL;
    s3f_status rc;
    if (!path) return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory");
    S3F_TRY(split_path(path, &parts));
    if (parts.count == 0 || strcmp(parts.segments[0], "extends") == 0) {
        rc = s3f_fail(S3F_ERR_ARG, "--set '%s': %s", assignment,
                      parts.count ? "extends can only be given in a recipe file"
                                  : "the key before '=' is empty");
        goto fail;
    }
    rc = recipe_parse_text(equals + 1, strlen(equals + 1), S3F_RECIPE_ORIGIN_SET, false, false,
                           &value);
    if (rc != S3F_OK) {
        s3f_fail_context(rc, "--set '%s': ", assignment);
        goto fail;
    }
    /* A dry walk first finds every error, so that a failed override changes nothing. */
    S3F_TRY(walk(recipe, path, &parts, parts.count - 1, false, k_set_origin, &parent));
    int unused;
    if (parent && !is_null(parent))
        S3F_TRY(slot_of(parent, path, &parts, parts.count - 1, &unused));
    S3F_TRY(walk(recipe, path, &parts, parts.count - 1, true, k_set_origin, &parent));
    null_to_map(parent);
    S3F_TRY(place(parent, path, &parts, value));
    value = NULL;
fail:
    recipe_node_destroy(value);
    free(parts.buffer);
    free(path);
    return rc;
}
