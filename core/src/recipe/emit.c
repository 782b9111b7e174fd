/* emit.c — a recipe tree back to YAML text, through libyaml's emitter.
 *
 * Not here: parsing (parse.c). The text is what `--dry-run` prints and what
 * runs and checkpoints store.
 *
 * Invariant: parsing the text gives an equal tree (s3f_recipe_node_equal):
 * quoted scalars stay quoted (so "1" stays a string), plain ones stay plain
 * unless libyaml must quote them, which it does only for strings; a null
 * is written as `null`, which reads back as null in any context. */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "recipe_internal.h"

typedef struct text_buffer {
    char *data;
    size_t size, capacity;
} text_buffer;

static int write_text(void *user, unsigned char *bytes, size_t size)
{
    text_buffer *out = user;
    if (out->size + size + 1 > out->capacity) {
        size_t capacity = out->capacity ? out->capacity : 1024;
        while (capacity < out->size + size + 1) capacity *= 2;
        char *grown = realloc(out->data, capacity);
        if (!grown) return 0;
        out->data = grown;
        out->capacity = capacity;
    }
    memcpy(out->data + out->size, bytes, size);
    out->size += size;
    out->data[out->size] = '\0';
    return 1;
}

/* Emits an initialized event (libyaml takes it over); `made` is the
 * initializer's result. */
static s3f_status emit(yaml_emitter_t *emitter, yaml_event_t *event, int made)
{
    if (!made) return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory while writing YAML");
    if (yaml_emitter_emit(emitter, event)) return S3F_OK;
    if (emitter->error == YAML_MEMORY_ERROR || emitter->error == YAML_WRITER_ERROR)
        return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory while writing YAML");
    return s3f_fail(S3F_ERR_INTERNAL, "recipe: libyaml refused to write the recipe: %s",
                    emitter->problem ? emitter->problem : "no reason given");
}

static s3f_status emit_scalar(yaml_emitter_t *emitter, const char *text, bool quoted)
{
    yaml_event_t event;
    yaml_scalar_style_t style = quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE;
    int made = yaml_scalar_event_initialize(&event, NULL, NULL, (yaml_char_t *)text,
                                            (int)strlen(text), 1, 1, style);
    return emit(emitter, &event, made);
}

static bool all_scalars(const s3f_recipe_node_t *list)
{
    for (int i = 0; i < list->count; i++)
        if (list->entries[i].value->kind != S3F_RECIPE_SCALAR) return false;
    return true;
}

static s3f_status emit_node(yaml_emitter_t *emitter, const s3f_recipe_node_t *node)
{
    yaml_event_t event;
    if (node->kind == S3F_RECIPE_SCALAR) {
        bool null = recipe_scalar_type_of(node) == RECIPE_NULL;
        return emit_scalar(emitter, null ? "null" : node->text, node->quoted);
    }
    if (node->kind == S3F_RECIPE_LIST) {
        yaml_sequence_style_t style =
            all_scalars(node) ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE;
        S3F_RETURN_IF_ERR(emit(emitter, &event,
                               yaml_sequence_start_event_initialize(&event, NULL, NULL, 1, style)));
        for (int i = 0; i < node->count; i++)
            S3F_RETURN_IF_ERR(emit_node(emitter, node->entries[i].value));
        return emit(emitter, &event, yaml_sequence_end_event_initialize(&event));
    }
    S3F_RETURN_IF_ERR(
        emit(emitter, &event,
             yaml_mapping_start_event_initialize(&event, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE)));
    for (int i = 0; i < node->count; i++) {
        /* Keys are strings: quote those that would read as something else
         * ('1', 'true'), for readers other than ours. */
        s3f_recipe_node_t key = {.kind = S3F_RECIPE_SCALAR, .text = node->entries[i].key};
        bool quote = recipe_scalar_type_of(&key) != RECIPE_STRING;
        S3F_RETURN_IF_ERR(emit_scalar(emitter, key.text, quote));
        S3F_RETURN_IF_ERR(emit_node(emitter, node->entries[i].value));
    }
    return emit(emitter, &event, yaml_mapping_end_event_initialize(&event));
}

static s3f_status emit_document(yaml_emitter_t *emitter, const s3f_recipe_node_t *root)
{
    yaml_event_t event;
    S3F_RETURN_IF_ERR(
        emit(emitter, &event, yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)));
    S3F_RETURN_IF_ERR(
        emit(emitter, &event, yaml_document_start_event_initialize(&event, NULL, NULL, NULL, 1)));
    S3F_RETURN_IF_ERR(emit_node(emitter, root));
    S3F_RETURN_IF_ERR(emit(emitter, &event, yaml_document_end_event_initialize(&event, 1)));
    S3F_RETURN_IF_ERR(emit(emitter, &event, yaml_stream_end_event_initialize(&event)));
    if (!yaml_emitter_flush(emitter))
        return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory while writing YAML");
    return S3F_OK;
}

s3f_status s3f_recipe_emit(const s3f_recipe_t *recipe, char **text, size_t *length)
{
    if (!recipe || !text) return s3f_fail(S3F_ERR_ARG, "s3f_recipe_emit: NULL recipe or text");
    yaml_emitter_t emitter;
    text_buffer out = {0};
    if (!yaml_emitter_initialize(&emitter))
        return s3f_fail(S3F_ERR_NOMEM, "recipe: out of memory while writing YAML");
    yaml_emitter_set_output(&emitter, write_text, &out);
    yaml_emitter_set_unicode(&emitter, 1);
    yaml_emitter_set_width(&emitter, -1);
    s3f_status rc = emit_document(&emitter, recipe->root);
    yaml_emitter_delete(&emitter);
    if (rc != S3F_OK) {
        free(out.data);
        return rc;
    }
    *text = out.data;
    if (length) *length = out.size;
    return S3F_OK;
}
