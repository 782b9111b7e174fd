/* recipe_internal.h — the recipe tree's layout and the helpers its files share
 * (node.c, parse.c, load.c, check.c, emit.c) and options.c reuses.
 *
 * Not public: plugins and the CLI see only recipe.h's opaque handles.
 *
 * Invariant: a node owns its text, its entries' keys and its children; the
 * origin file names a node points to are owned elsewhere (the recipe's name
 * table, or string literals for "default" and "--set"). */
#ifndef SE3FLOW_RECIPE_INTERNAL_H
#define SE3FLOW_RECIPE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "se3flow/recipe.h"

/* Nesting deeper than this is refused (it bounds the parser's recursion). */
#define RECIPE_MAX_DEPTH 64

/* How a scalar reads under YAML 1.2's core schema (recipe.h). */
typedef enum recipe_scalar_type {
    RECIPE_NULL,
    RECIPE_BOOL,
    RECIPE_INT,
    RECIPE_FLOAT,
    RECIPE_STRING,
} recipe_scalar_type;

typedef struct recipe_entry {
    char *key; /* maps only; NULL in lists */
    s3f_recipe_origin key_origin;
    s3f_recipe_node_t *value;
} recipe_entry;

struct s3f_recipe_node {
    s3f_recipe_kind kind;
    s3f_recipe_origin origin;
    char *text;  /* SCALAR: NUL-terminated */
    bool quoted; /* SCALAR: written in quotes, so a string whatever it reads as */
    int count, capacity;
    recipe_entry *entries; /* MAP and LIST */
};

struct s3f_recipe {
    s3f_recipe_node_t *root; /* always a map */
    char **names;            /* origin file names, owned */
    int name_count;
    void **blocks; /* arrays check_section handed out, owned */
    int block_count;
};

/* ---- node.c ---- */
s3f_status recipe_create(s3f_recipe_t **out);
/* A name that lives as long as the recipe (a copy of `name`). */
s3f_status recipe_intern(s3f_recipe_t *recipe, const char *name, const char **out);
/* Takes ownership of `block` (freed with the recipe), or frees it on failure. */
s3f_status recipe_keep(s3f_recipe_t *recipe, void *block);
s3f_status recipe_node_create(s3f_recipe_kind kind, s3f_recipe_origin origin,
                              s3f_recipe_node_t **out);
s3f_status recipe_scalar_create(const char *text, size_t length, bool quoted,
                                s3f_recipe_origin origin, s3f_recipe_node_t **out);
void recipe_node_destroy(s3f_recipe_node_t *node);
/* Appends (key copied; NULL for lists); takes ownership of value on success only. */
s3f_status recipe_node_append(s3f_recipe_node_t *node, const char *key,
                              s3f_recipe_origin key_origin, s3f_recipe_node_t *value);
/* Index of `key` (first `length` bytes) in a map, or -1. */
int recipe_node_index(const s3f_recipe_node_t *node, const char *key, size_t length);
/* Removes entry i, destroying its key and value. */
void recipe_node_remove(s3f_recipe_node_t *node, int i);
recipe_scalar_type recipe_scalar_type_of(const s3f_recipe_node_t *node);
/* "a scalar", "a map", "a list" — or for scalars "an int", "a string", ... */
const char *recipe_node_describe(const s3f_recipe_node_t *node);
/* "file:line:col", or just "file" when the origin has no line. */
void recipe_origin_format(s3f_recipe_origin origin, char *buffer, size_t size);
/* s3f_fail with the message prefixed by "file:line:col: ". */
s3f_status recipe_fail_at(s3f_status status, s3f_recipe_origin origin, const char *fmt, ...)
    S3F_PRINTF(3, 4);

/* ---- parse.c ---- */
/* Parses one YAML document. With `root_map`, the document must be a map (an
 * empty document is an empty map); otherwise any node. `file` names the
 * origin (borrowed: must outlive the nodes); with `positions` false lines
 * and columns are 0 (defaults, overrides). */
s3f_status recipe_parse_text(const char *text, size_t length, const char *file, bool positions,
                             bool root_map, s3f_recipe_node_t **out);

/* ---- load.c ---- */
/* The map at a dotted path ("" is the root), made (origin "default") when
 * missing; a null there becomes an empty map. It may be another kind: the
 * caller checks. S3F_ERR_ARG for a path through a scalar or a bad index. */
s3f_status recipe_section_at(s3f_recipe_t *recipe, const char *path, s3f_recipe_node_t **out);

/* ---- check.c ---- */
/* Checks `node` against option `option` and, when dest is not NULL, writes
 * its typed value there (lists are kept by `recipe`, which may be NULL when
 * dest is). Messages name `key` ("train.epochs"), after the value's origin
 * ("a.yaml:3:5: ") when `locate`. */
s3f_status recipe_option_value(s3f_recipe_t *recipe, const s3f_option *option,
                               const s3f_recipe_node_t *node, const char *key, bool locate,
                               void *dest);

#endif
