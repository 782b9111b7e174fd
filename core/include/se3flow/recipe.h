/* recipe.h — YAML recipes as a typed tree that remembers where every value came from.
 *
 * A recipe is a tree of maps, lists and scalars read with libyaml. Every node
 * keeps its origin: the file, line and column it was read from, "default" for
 * values the checker filled in from an option table, "--set" for overrides.
 *
 *     s3f_recipe_t *r = NULL;
 *     S3F_TRY(s3f_recipe_load("recipes/qm9_homo.yaml", &r));        // follows `extends`
 *     S3F_TRY(s3f_recipe_set(r, "train.epochs=10"));                 // --set
 *     S3F_TRY(s3f_recipe_check_section(r, "train", s3f_host_options("train"), NULL, NULL,
 *                                      &train));   // types, ranges, defaults (host_sections.h)
 *     S3F_TRY(s3f_recipe_emit(r, &yaml, &length));                   // the resolved recipe
 *     s3f_recipe_destroy(r);
 *
 * Loading: `extends: base.yaml` (a path relative to the recipe's directory;
 * chains allowed) loads the base first and deep-merges the recipe over it:
 * maps merge key by key, recursively; scalars and lists replace. The key
 * `extends` itself is removed from the result.
 *
 * Scalars are typed as in YAML 1.2's core schema when checked: plain
 * `true`/`false` are booleans, plain `12`/`-3` integers, plain `1.5`/`2e-3`/
 * `.inf` floats, plain `~`/`null`/nothing is null; quoted scalars are always
 * strings. Aliases (*name) are refused, so anchors do nothing; tags are
 * ignored.
 *
 * Not here: which plugins a recipe names (the plugin host reads `name`), and
 * what the sections mean (their owners' option tables say).
 *
 * Invariant: a map never holds the same key twice, and every node reachable
 * from the root is owned by the recipe and freed with it.
 *
 * Ownership: every pointer a recipe hands out (nodes, texts, keys, origins'
 * file names, strings and lists written into options structs) is owned by the
 * recipe and valid until s3f_recipe_destroy, or until s3f_recipe_set replaces
 * the node it came from.
 *
 * Thread safety: a recipe is not locked. Concurrent readers are safe while no
 * thread modifies it (s3f_recipe_set, s3f_recipe_check_section); distinct
 * recipes may be used from distinct threads freely. */
#ifndef SE3FLOW_RECIPE_H
#define SE3FLOW_RECIPE_H

#include <stdbool.h>
#include <stddef.h>

#include "se3flow/options.h"
#include "se3flow/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct s3f_recipe s3f_recipe_t;
typedef struct s3f_recipe_node s3f_recipe_node_t;

typedef enum s3f_recipe_kind {
    S3F_RECIPE_MAP = 1,
    S3F_RECIPE_LIST = 2,
    S3F_RECIPE_SCALAR = 3,
} s3f_recipe_kind;

/* Origin file names of values that no file holds. */
#define S3F_RECIPE_ORIGIN_DEFAULT "default" /* filled from an option table */
#define S3F_RECIPE_ORIGIN_SET     "--set"   /* from s3f_recipe_set */

/* Where a value came from. line and column are 1-based; both are 0 when
 * `file` is S3F_RECIPE_ORIGIN_DEFAULT or S3F_RECIPE_ORIGIN_SET. */
typedef struct s3f_recipe_origin {
    const char *file; /* owned by the recipe */
    int line;
    int column;
} s3f_recipe_origin;

/* ---- loading and changing ----------------------------------------------- */

/* Reads the recipe file at `path`, following its `extends` chain.
 * *out is written only on success; the caller owns it (s3f_recipe_destroy).
 * S3F_ERR_ARG: a file that is not there (named, with the `extends` line
 * that asked for it: a usage error, not an i/o one); cyclic `extends`
 * (names every file of the cycle); an `extends` that is not one file name.
 * S3F_ERR_IO: a file that is there but cannot be read. S3F_ERR_FORMAT:
 * malformed YAML (file:line:col and libyaml's problem), a root that is not
 * a map, a duplicate key, an alias, nesting deeper than 64. S3F_ERR_NOMEM. */
S3F_API s3f_status s3f_recipe_load(const char *path, s3f_recipe_t **out);

/* Parses a recipe from `length` bytes of YAML `text` (a stored resolved
 * recipe, a test). `name` is the origin file name that values and messages
 * carry (borrowed; copied). `extends` is refused here (S3F_ERR_ARG): a
 * string has no directory to resolve it against. Statuses as
 * s3f_recipe_load. */
S3F_API s3f_status s3f_recipe_parse(const char *text, size_t length, const char *name,
                                    s3f_recipe_t **out);

/* NULL is a no-op. */
S3F_API void s3f_recipe_destroy(s3f_recipe_t *recipe);

/* Applies one override "a.b.c=value" (what `--set` passes). The value is
 * parsed as YAML: `3`, `2.5e-3`, `true`, `max`, `"quoted"`, `[1, 2]`,
 * `{a: 1}`. Path segments name map keys; a segment that is a number indexes a
 * list (`loggers.0.name=csv`), and the index equal to the list's length
 * appends. Missing maps on the way are created. The new node replaces the old
 * one whole (origin "--set"). S3F_ERR_ARG: no '=', an empty segment, a path
 * through a scalar, a list index out of range, the key `extends`.
 * S3F_ERR_FORMAT: the value is not valid YAML. On failure the recipe is
 * unchanged. */
S3F_API s3f_status s3f_recipe_set(s3f_recipe_t *recipe, const char *assignment);

/* ---- reading ------------------------------------------------------------ */

/* The node at a dotted path ("model.num_layers", "loggers.0.name"); "" or
 * NULL is the root map. NULL when absent. */
S3F_API const s3f_recipe_node_t *s3f_recipe_get(const s3f_recipe_t *recipe, const char *path);

/* Kind and origin take a node that is not NULL. */
S3F_API s3f_recipe_kind s3f_recipe_node_kind(const s3f_recipe_node_t *node);
/* A scalar's text exactly as written (without quotes); NULL for maps and lists. */
S3F_API const char *s3f_recipe_node_text(const s3f_recipe_node_t *node);
/* Entries of a map or items of a list; 0 for a scalar. */
S3F_API int s3f_recipe_node_count(const s3f_recipe_node_t *node);
/* The i-th key of a map, in order of first appearance; NULL when node is
 * not a map or i is out of range. */
S3F_API const char *s3f_recipe_node_key(const s3f_recipe_node_t *node, int i);
/* The i-th value of a map or item of a list; NULL when out of range. */
S3F_API const s3f_recipe_node_t *s3f_recipe_node_child(const s3f_recipe_node_t *node, int i);
/* The value under `key` in a map; NULL when absent or node is not a map. */
S3F_API const s3f_recipe_node_t *s3f_recipe_node_find(const s3f_recipe_node_t *node,
                                                      const char *key);
S3F_API s3f_recipe_origin s3f_recipe_node_origin(const s3f_recipe_node_t *node);
/* True when both trees hold the same data: same kinds, maps with the same
 * keys (in any order) and equal values, lists equal item by item, scalars
 * with the same text and the same type (a quoted "1" differs from a plain 1,
 * a plain 1 from a plain 1.0). Origins are not compared. */
S3F_API bool s3f_recipe_node_equal(const s3f_recipe_node_t *a, const s3f_recipe_node_t *b);

/* ---- checking ----------------------------------------------------------- */

/* Checks the map at `path` ("" is the root; "loggers.0" an item of a list)
 * against an option table and completes it. Missing maps on the way are
 * created, and a null there (`train:` with nothing after it) becomes an
 * empty map. Call it after every s3f_recipe_set.
 *  - every key must be an option of `options` or one of `reserved` (a
 *    NULL-terminated list, may be NULL: keys the caller handles, such as the
 *    `name` that selects a plugin); reserved keys are skipped;
 *  - every option present must have its type, range or choice;
 *  - every option absent is added with its default (origin "default"), after
 *    the keys already there, in table order;
 *  - when `values` is not NULL, each option's typed value is written at its
 *    offset: bool, int64_t, double, const char * (a STRING given as null is
 *    ""), s3f_int_list, s3f_float_list — strings and lists owned by the
 *    recipe. `values` is written only on success.
 * `owner` names the table's owner in messages (e.g. "model 'se3_transformer'");
 * may be NULL. The option table is trusted (s3f_options_validate it once).
 * The scalar typing rules are at the top of this header; a FLOAT option
 * takes ints too, and NaN is out of every range.
 * S3F_ERR_ARG, with file:line:col, the section, the key and what is allowed:
 * an unknown key (with the nearest option or reserved key, "did you mean
 * 'num_layers'?"), a wrong type, a value out of range, a choice not in the
 * list, a missing required option, a section that is not a map. Other
 * statuses as s3f_recipe_set. */
S3F_API s3f_status s3f_recipe_check_section(s3f_recipe_t *recipe, const char *path,
                                            const s3f_option *options, const char *owner,
                                            const char *const *reserved, void *values);

/* ---- writing ------------------------------------------------------------ */

/* The recipe as block-style YAML text (lists of scalars in flow style), keys
 * in their stored order, that s3f_recipe_parse reads back into an equal
 * tree. *text is NUL-terminated, owned by the caller (free()); *length
 * excludes the NUL and may be NULL. Written only on success.
 * S3F_ERR_NOMEM; S3F_ERR_INTERNAL if libyaml refuses an event. */
S3F_API s3f_status s3f_recipe_emit(const s3f_recipe_t *recipe, char **text, size_t *length);

/* ---- suggestions -------------------------------------------------------- */

/* The candidate nearest to `word` by edit distance (case-insensitive;
 * insertions, deletions, substitutions and swaps of neighbours each count
 * 1), or NULL when none is close enough to be a likely typo: at most 1 edit
 * for words under 4 characters, 2 under 8, 3 otherwise. Ties go to the
 * earlier candidate. NULL entries are skipped. Pure; thread-safe. */
S3F_API const char *s3f_word_nearest(const char *word, const char *const *candidates, size_t count);

#ifdef __cplusplus
}
#endif
#endif
