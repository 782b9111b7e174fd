/* recipe_flat.c — flattens a YAML document to dotted scalar keys with
 * libyaml's event parser (recipe_flat.h).
 *
 * Not here: typing, checking, defaults or `extends` — the recipe module's.
 *
 * Invariant: frames[depth - 1] is the innermost open collection, and its
 * `path` is the dotted path of that collection ("" for the root). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "recipe_flat.h"

#define FLAT_MAX_DEPTH 64

struct recipe_flat {
    int count, capacity;
    recipe_flat_entry *entries;
};

typedef struct flat_frame {
    bool is_map;
    bool want_key; /* maps: the next scalar is a key */
    char *key;     /* maps: the pending key */
    long index;    /* sequences: the next item's index */
    char *path;
} flat_frame;

typedef struct flattener {
    recipe_flat *flat;
    flat_frame frames[FLAT_MAX_DEPTH];
    int depth;
} flattener;

void recipe_flat_destroy(recipe_flat *flat)
{
    if (!flat) return;
    for (int i = 0; i < flat->count; i++) {
        free(flat->entries[i].key);
        free(flat->entries[i].text);
    }
    free(flat->entries);
    free(flat);
}

const recipe_flat_entry *recipe_flat_find(const recipe_flat *flat, const char *key)
{
    for (int i = 0; i < flat->count; i++)
        if (strcmp(flat->entries[i].key, key) == 0) return &flat->entries[i];
    return NULL;
}

/* The dotted path of the value about to be read in the innermost frame. */
static char *child_path(const flattener *f)
{
    if (f->depth == 0) return strdup("");
    const flat_frame *top = &f->frames[f->depth - 1];
    char index[24];
    snprintf(index, sizeof index, "%ld", top->index);
    const char *leaf = top->is_map ? top->key : index;
    size_t length = strlen(top->path) + strlen(leaf) + 2;
    char *path = malloc(length);
    if (path) snprintf(path, length, "%s%s%s", top->path, top->path[0] ? "." : "", leaf);
    return path;
}

/* After a value: a map wants its next key, a sequence moves to the next item. */
static void advance(flattener *f)
{
    if (f->depth == 0) return;
    flat_frame *top = &f->frames[f->depth - 1];
    if (top->is_map) {
        free(top->key);
        top->key = NULL;
        top->want_key = true;
    } else {
        top->index++;
    }
}

/* Takes ownership of key and text. A repeated key keeps the last value. */
static s3f_status add_entry(recipe_flat *flat, char *key, char *text, bool quoted)
{
    for (int i = 0; i < flat->count; i++)
        if (strcmp(flat->entries[i].key, key) == 0) {
            free(flat->entries[i].text);
            free(key);
            flat->entries[i].text = text;
            flat->entries[i].quoted = quoted;
            return S3F_OK;
        }
    if (flat->count == flat->capacity) {
        int capacity = flat->capacity ? 2 * flat->capacity : 32;
        recipe_flat_entry *grown = realloc(flat->entries, (size_t)capacity * sizeof *grown);
        if (!grown) goto nomem;
        flat->entries = grown;
        flat->capacity = capacity;
    }
    flat->entries[flat->count++] = (recipe_flat_entry){key, text, quoted};
    return S3F_OK;
nomem:
    free(key);
    free(text);
    return s3f_fail(S3F_ERR_NOMEM, "cannot allocate the flattened recipe");
}

static s3f_status on_scalar(flattener *f, const yaml_event_t *event)
{
    const char *value = (const char *)event->data.scalar.value;
    flat_frame *top = f->depth ? &f->frames[f->depth - 1] : NULL;
    if (top && top->is_map && top->want_key) {
        if (!(top->key = strdup(value))) return s3f_fail(S3F_ERR_NOMEM, "recipe key");
        top->want_key = false;
        return S3F_OK;
    }
    if (!top) return S3F_OK; /* a document that is one scalar has no keys */
    char *path = child_path(f);
    char *text = strdup(value);
    advance(f);
    if (!path || !text) {
        free(path);
        free(text);
        return s3f_fail(S3F_ERR_NOMEM, "cannot allocate the flattened recipe");
    }
    return add_entry(f->flat, path, text, event->data.scalar.style != YAML_PLAIN_SCALAR_STYLE);
}

static s3f_status on_open(flattener *f, const yaml_event_t *event, bool is_map)
{
    const flat_frame *top = f->depth ? &f->frames[f->depth - 1] : NULL;
    if (top && top->is_map && top->want_key)
        return s3f_fail(S3F_ERR_FORMAT, "recipe line %zu: a key that is not a plain value",
                        event->start_mark.line + 1);
    if (f->depth == FLAT_MAX_DEPTH)
        return s3f_fail(S3F_ERR_FORMAT, "recipe line %zu: nesting deeper than %d",
                        event->start_mark.line + 1, FLAT_MAX_DEPTH);
    char *path = child_path(f);
    if (!path) return s3f_fail(S3F_ERR_NOMEM, "cannot allocate the flattened recipe");
    f->frames[f->depth++] = (flat_frame){.is_map = is_map, .want_key = is_map, .path = path};
    return S3F_OK;
}

static void on_close(flattener *f)
{
    flat_frame *top = &f->frames[--f->depth];
    free(top->path);
    free(top->key);
    advance(f);
}

/* Handles one event; *done when the document has ended. */
static s3f_status on_event(flattener *f, const yaml_event_t *event, bool *done)
{
    switch (event->type) {
    case YAML_SCALAR_EVENT:
        return on_scalar(f, event);
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
        return on_open(f, event, event->type == YAML_MAPPING_START_EVENT);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        on_close(f);
        return S3F_OK;
    case YAML_ALIAS_EVENT:
        return s3f_fail(S3F_ERR_FORMAT, "recipe line %zu: aliases are not allowed in recipes",
                        event->start_mark.line + 1);
    case YAML_DOCUMENT_END_EVENT:
    case YAML_STREAM_END_EVENT:
        *done = true;
        return S3F_OK;
    default:
        return S3F_OK;
    }
}

static s3f_status run_parser(yaml_parser_t *parser, flattener *f)
{
    bool done = false;
    while (!done) {
        yaml_event_t event;
        if (!yaml_parser_parse(parser, &event))
            return s3f_fail(S3F_ERR_FORMAT, "recipe line %zu column %zu: %s",
                            parser->problem_mark.line + 1, parser->problem_mark.column + 1,
                            parser->problem ? parser->problem : "malformed YAML");
        s3f_status rc = on_event(f, &event, &done);
        yaml_event_delete(&event);
        S3F_RETURN_IF_ERR(rc);
    }
    return S3F_OK;
}

s3f_status recipe_flat_parse(const char *yaml, recipe_flat **out)
{
    s3f_status rc = S3F_OK;
    flattener f = {.flat = calloc(1, sizeof(recipe_flat))};
    yaml_parser_t parser;
    bool parser_ready = yaml_parser_initialize(&parser) == 1;
    if (!f.flat || !parser_ready) {
        rc = s3f_fail(S3F_ERR_NOMEM, "cannot allocate a YAML parser for the recipe");
        goto fail;
    }
    if (!yaml) yaml = "";
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, strlen(yaml));
    S3F_TRY(run_parser(&parser, &f));
    yaml_parser_delete(&parser);
    *out = f.flat;
    return S3F_OK;
fail:
    while (f.depth > 0) {
        f.depth--;
        free(f.frames[f.depth].path);
        free(f.frames[f.depth].key);
    }
    if (parser_ready) yaml_parser_delete(&parser);
    recipe_flat_destroy(f.flat);
    return rc;
}
