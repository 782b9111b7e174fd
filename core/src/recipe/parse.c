/* parse.c — YAML text to a recipe tree, through libyaml's event parser.
 *
 * Not here: files and `extends` (load.c), what the values mean (check.c).
 *
 * Invariant: every event libyaml hands out is deleted exactly once — the
 * function that receives it deletes it — and every node built is either
 * attached to its parent or destroyed, so a malformed document leaks
 * nothing. Recursion is bounded by RECIPE_MAX_DEPTH. */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "recipe_internal.h"

typedef struct parser {
    yaml_parser_t yaml;
    const char *text; /* the input, for hints about the byte at fault */
    size_t length;
    const char *file;
    bool positions;
} parser;

static s3f_recipe_origin origin_at(const parser *p, yaml_mark_t mark)
{
    if (!p->positions) return (s3f_recipe_origin){p->file, 0, 0};
    return (s3f_recipe_origin){p->file, (int)mark.line + 1, (int)mark.column + 1};
}

static s3f_status next_event(parser *p, yaml_event_t *event)
{
    if (yaml_parser_parse(&p->yaml, event)) return S3F_OK;
    if (p->yaml.error == YAML_MEMORY_ERROR) return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory");
    const char *problem = p->yaml.problem ? p->yaml.problem : "unreadable input";
    size_t at_byte = p->yaml.problem_mark.index;
    const char *hint = at_byte < p->length && p->text[at_byte] == '\t'
                           ? "; YAML indents with spaces, not tabs"
                           : "";
    if (!p->positions) /* a value on its own: its line numbers mean nothing to the reader */
        return s3f_fail(S3F_ERR_FORMAT, "malformed YAML: %s%s", problem, hint);
    s3f_recipe_origin at = origin_at(p, p->yaml.problem_mark);
    if (p->yaml.context)
        return recipe_fail_at(S3F_ERR_FORMAT, at, "malformed YAML: %s (%s at line %zu)%s", problem,
                              p->yaml.context, p->yaml.context_mark.line + 1, hint);
    return recipe_fail_at(S3F_ERR_FORMAT, at, "malformed YAML: %s%s", problem, hint);
}

static s3f_status parse_node(parser *p, yaml_event_t *event, int depth, s3f_recipe_node_t **out);

static s3f_status parse_list(parser *p, s3f_recipe_origin origin, int depth,
                             s3f_recipe_node_t **out)
{
    s3f_recipe_node_t *list = NULL, *item = NULL;
    yaml_event_t event;
    s3f_status rc;
    S3F_TRY(recipe_node_create(S3F_RECIPE_LIST, origin, &list));
    for (;;) {
        S3F_TRY(next_event(p, &event));
        if (event.type == YAML_SEQUENCE_END_EVENT) break;
        S3F_TRY(parse_node(p, &event, depth + 1, &item));
        S3F_TRY(recipe_node_append(list, NULL, item->origin, item));
        item = NULL;
    }
    yaml_event_delete(&event);
    *out = list;
    return S3F_OK;
fail:
    recipe_node_destroy(item);
    recipe_node_destroy(list);
    return rc;
}

/* Reads one key event into *key (NULL at the map's end). */
static s3f_status parse_key(parser *p, const s3f_recipe_node_t *map, char **key,
                            s3f_recipe_origin *key_origin)
{
    yaml_event_t event;
    S3F_RETURN_IF_ERR(next_event(p, &event));
    s3f_recipe_origin at = origin_at(p, event.start_mark);
    s3f_status rc = S3F_OK;
    *key = NULL;
    if (event.type == YAML_MAPPING_END_EVENT) goto done;
    if (event.type != YAML_SCALAR_EVENT) {
        rc = recipe_fail_at(S3F_ERR_FORMAT, at, "a map key must be a plain word, not %s",
                            event.type == YAML_ALIAS_EVENT ? "an alias" : "a map or list");
        goto done;
    }
    const char *text = (const char *)event.data.scalar.value;
    int previous = recipe_node_index(map, text, strlen(text));
    if (previous >= 0) {
        rc = recipe_fail_at(S3F_ERR_FORMAT, at, "duplicate key '%s' (first at line %d)", text,
                            map->entries[previous].key_origin.line);
        goto done;
    }
    if (!(*key = strdup(text))) rc = s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory");
    *key_origin = at;
done:
    yaml_event_delete(&event);
    return rc;
}

static s3f_status parse_map(parser *p, s3f_recipe_origin origin, int depth, s3f_recipe_node_t **out)
{
    s3f_recipe_node_t *map = NULL, *value = NULL;
    char *key = NULL;
    s3f_recipe_origin key_origin;
    yaml_event_t event;
    s3f_status rc;
    S3F_TRY(recipe_node_create(S3F_RECIPE_MAP, origin, &map));
    for (;;) {
        S3F_TRY(parse_key(p, map, &key, &key_origin));
        if (!key) break;
        S3F_TRY(next_event(p, &event));
        S3F_TRY(parse_node(p, &event, depth + 1, &value));
        S3F_TRY(recipe_node_append(map, key, key_origin, value));
        value = NULL;
        free(key);
        key = NULL;
    }
    *out = map;
    return S3F_OK;
fail:
    free(key);
    recipe_node_destroy(value);
    recipe_node_destroy(map);
    return rc;
}

/* Builds the node that `event` starts; deletes the event. */
static s3f_status parse_node(parser *p, yaml_event_t *event, int depth, s3f_recipe_node_t **out)
{
    s3f_recipe_origin origin = origin_at(p, event->start_mark);
    s3f_status rc;
    if (depth > RECIPE_MAX_DEPTH) {
        rc = recipe_fail_at(S3F_ERR_FORMAT, origin, "nesting deeper than %d levels",
                            RECIPE_MAX_DEPTH);
    } else if (event->type == YAML_SCALAR_EVENT) {
        rc = recipe_scalar_create((const char *)event->data.scalar.value, event->data.scalar.length,
                                  event->data.scalar.style != YAML_PLAIN_SCALAR_STYLE, origin, out);
    } else if (event->type == YAML_SEQUENCE_START_EVENT) {
        rc = parse_list(p, origin, depth, out);
    } else if (event->type == YAML_MAPPING_START_EVENT) {
        rc = parse_map(p, origin, depth, out);
    } else if (event->type == YAML_ALIAS_EVENT) {
        rc = recipe_fail_at(S3F_ERR_FORMAT, origin,
                            "aliases (*%s) are not supported in recipes; write the value out",
                            (const char *)event->data.alias.anchor);
    } else {
        rc = recipe_fail_at(S3F_ERR_INTERNAL, origin, "unexpected YAML event %d", event->type);
    }
    yaml_event_delete(event);
    return rc;
}

/* The document's one node; an empty stream is an empty plain scalar. */
static s3f_status parse_document(parser *p, s3f_recipe_node_t **out)
{
    s3f_recipe_node_t *node = NULL;
    yaml_event_t event;
    s3f_status rc;
    S3F_TRY(next_event(p, &event)); /* stream start */
    yaml_event_delete(&event);
    S3F_TRY(next_event(p, &event));
    if (event.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&event);
        return recipe_scalar_create("", 0, false, origin_at(p, p->yaml.mark), out);
    }
    yaml_event_delete(&event); /* document start */
    S3F_TRY(next_event(p, &event));
    S3F_TRY(parse_node(p, &event, 1, &node));
    S3F_TRY(next_event(p, &event)); /* document end */
    yaml_event_delete(&event);
    S3F_TRY(next_event(p, &event));
    s3f_recipe_origin at = origin_at(p, event.start_mark);
    bool second = event.type != YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
    if (second) {
        rc = recipe_fail_at(S3F_ERR_FORMAT, at, "a second YAML document ('---'); a recipe is one");
        goto fail;
    }
    *out = node;
    return S3F_OK;
fail:
    recipe_node_destroy(node);
    return rc;
}

/* A null root becomes an empty map; any other non-map root is an error. */
static s3f_status require_map(s3f_recipe_node_t **node)
{
    s3f_recipe_node_t *root = *node;
    if (root->kind == S3F_RECIPE_MAP) return S3F_OK;
    if (root->kind == S3F_RECIPE_SCALAR && recipe_scalar_type_of(root) == RECIPE_NULL) {
        s3f_recipe_origin origin = root->origin;
        recipe_node_destroy(root);
        *node = NULL;
        return recipe_node_create(S3F_RECIPE_MAP, origin, node);
    }
    return recipe_fail_at(S3F_ERR_FORMAT, root->origin,
                          "a recipe must be a map of sections (key: value), not %s",
                          recipe_node_describe(root));
}

s3f_status recipe_parse_text(const char *text, size_t length, const char *file, bool positions,
                             bool root_map, s3f_recipe_node_t **out)
{
    parser p = {.text = text, .length = length, .file = file, .positions = positions};
    s3f_recipe_node_t *node = NULL;
    s3f_status rc;
    if (!yaml_parser_initialize(&p.yaml)) return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory");
    yaml_parser_set_input_string(&p.yaml, (const unsigned char *)text, length);
    S3F_TRY(parse_document(&p, &node));
    if (root_map) S3F_TRY(require_map(&node));
    yaml_parser_delete(&p.yaml);
    *out = node;
    return S3F_OK;
fail:
    recipe_node_destroy(node);
    yaml_parser_delete(&p.yaml);
    return rc;
}
