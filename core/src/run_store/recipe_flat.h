/* recipe_flat.h — a stored resolved recipe (YAML text) flattened to dotted
 * keys ("model.num_layers" -> "7"), for where expressions and the task of a
 * run.
 *
 * Deliberately minimal and separate from the recipe module (recipe.h): the
 * run store only needs scalar lookups by dotted path, and this is the one
 * place to swap for s3f_recipe_parse + s3f_recipe_get.
 *
 * Invariant: keys are unique; list items are keyed by index ("loggers.0.name"). */
#ifndef SE3FLOW_RECIPE_FLAT_H
#define SE3FLOW_RECIPE_FLAT_H

#include <stdbool.h>

#include "se3flow/status.h"

typedef struct recipe_flat_entry {
    char *key;   /* dotted path */
    char *text;  /* the scalar as written, without quotes */
    bool quoted; /* written quoted: a string whatever it reads as */
} recipe_flat_entry;

typedef struct recipe_flat recipe_flat;

/* Flattens the YAML document `yaml` ("" or NULL: no keys). Mappings nest
 * with '.', sequences by index; only scalar leaves are kept. *out is written
 * only on success. S3F_ERR_FORMAT: malformed YAML (line and column), an
 * alias, a key that is not a scalar, nesting deeper than 64. S3F_ERR_NOMEM. */
s3f_status recipe_flat_parse(const char *yaml, recipe_flat **out);
/* The entry at `key`, or NULL. */
const recipe_flat_entry *recipe_flat_find(const recipe_flat *flat, const char *key);
/* NULL is a no-op. */
void recipe_flat_destroy(recipe_flat *flat);

#endif
