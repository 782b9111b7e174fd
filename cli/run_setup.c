/* run_setup.c — from a recipe file to checked plugin options (run_setup.h).
 *
 * Order matters for the messages users see: the recipe's own syntax first,
 * then the host's sections (seed, train, schedule), then each plugin
 * section (the plugin must be found before its options can be checked), and
 * last the resolved text, which is what runs store and checkpoints keep. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_setup.h"

static const char *const k_plugin_reserved[] = {"name", NULL};

/* A plugin_path entry: relative paths start at the directory of the recipe
 * file that wrote them (as `extends` does), so a recipe works from any
 * working directory. */
static s3f_status add_recipe_path(run_setup *s, const s3f_recipe_node_t *item)
{
    s3f_recipe_origin o = s3f_recipe_node_origin(item);
    if (s3f_recipe_node_kind(item) != S3F_RECIPE_SCALAR)
        return s3f_fail(S3F_ERR_ARG, "%s:%d:%d: plugin_path takes directory names", o.file, o.line,
                        o.column);
    const char *dir = s3f_recipe_node_text(item), *slash = o.file ? strrchr(o.file, '/') : NULL;
    if (dir[0] == '/' || o.line == 0 || !slash) return s3f_plugin_host_add_path(s->host, dir);
    char joined[4096];
    snprintf(joined, sizeof joined, "%.*s/%s", (int)(slash - o.file), o.file, dir);
    return s3f_plugin_host_add_path(s->host, joined);
}

static s3f_status add_recipe_plugin_paths(run_setup *s)
{
    const s3f_recipe_node_t *paths = s3f_recipe_get(s->recipe, "plugin_path");
    if (!paths) return S3F_OK;
    if (s3f_recipe_node_kind(paths) != S3F_RECIPE_LIST) return add_recipe_path(s, paths);
    for (int i = 0; i < s3f_recipe_node_count(paths); i++)
        S3F_RETURN_IF_ERR(add_recipe_path(s, s3f_recipe_node_child(paths, i)));
    return S3F_OK;
}

static s3f_status open_host(run_setup *s, const run_request *r)
{
    S3F_RETURN_IF_ERR(s3f_plugin_host_create(&s->host));
    S3F_RETURN_IF_ERR(add_recipe_plugin_paths(s));
    for (int i = 0; i < r->plugin_path_count; i++)
        S3F_RETURN_IF_ERR(s3f_plugin_host_add_path(s->host, r->plugin_paths[i]));
    S3F_RETURN_IF_ERR(s3f_plugin_host_add_default_paths(s->host));
    return s3f_plugin_host_scan(s->host);
}

/* The plugin named by `<section>.name` (or `fallback` when the section has
 * no name), its section checked against its option table. */
static s3f_status resolve_plugin(run_setup *s, const char *section, s3f_plugin_kind kind,
                                 const char *fallback, run_plugin *out)
{
    char path[64], owner[160];
    snprintf(path, sizeof path, "%s.name", section);
    const s3f_recipe_node_t *name = s3f_recipe_get(s->recipe, path);
    if (!name && fallback) {
        char assignment[96];
        snprintf(assignment, sizeof assignment, "%s=%s", path, fallback);
        S3F_RETURN_IF_ERR(s3f_recipe_set(s->recipe, assignment));
        name = s3f_recipe_get(s->recipe, path);
    }
    if (!name || s3f_recipe_node_kind(name) != S3F_RECIPE_SCALAR)
        return s3f_fail(S3F_ERR_ARG,
                        "the recipe needs '%s' naming a %s plugin (see 'se3flow plugins')", path,
                        s3f_plugin_kind_name(kind));
    const s3f_plugin_info *info;
    s3f_status rc = s3f_plugin_host_find(s->host, kind, s3f_recipe_node_text(name), &info);
    if (rc != S3F_OK) {
        s3f_recipe_origin o = s3f_recipe_node_origin(name);
        return s3f_fail_context(rc, "%s:%d:%d: %s: ", o.file, o.line, o.column, path);
    }
    if (!info->available)
        return s3f_fail(S3F_ERR_UNSUPPORTED, "%s plugin '%s' cannot run here: %s",
                        s3f_plugin_kind_name(kind), info->descriptor->name, info->reason);
    out->descriptor = info->descriptor;
    if (info->descriptor->options_size &&
        !(out->options = calloc(1, info->descriptor->options_size)))
        return s3f_fail(S3F_ERR_NOMEM, "out of memory");
    snprintf(owner, sizeof owner, "%s '%s'", s3f_plugin_kind_name(kind), info->descriptor->name);
    return s3f_recipe_check_section(s->recipe, section, info->descriptor->options, owner,
                                    k_plugin_reserved, out->options);
}

static s3f_status resolve_loggers(run_setup *s)
{
    if (!s3f_recipe_get(s->recipe, "loggers"))
        S3F_RETURN_IF_ERR(s3f_recipe_set(s->recipe, "loggers=[{name: console}]"));
    const s3f_recipe_node_t *list = s3f_recipe_get(s->recipe, "loggers");
    if (s3f_recipe_node_kind(list) != S3F_RECIPE_LIST) {
        s3f_recipe_origin o = s3f_recipe_node_origin(list);
        return s3f_fail(S3F_ERR_ARG, "%s:%d:%d: loggers must be a list, e.g. [{name: console}]",
                        o.file, o.line, o.column);
    }
    int n = s3f_recipe_node_count(list);
    if (n > RUN_MAX_LOGGERS) return s3f_fail(S3F_ERR_ARG, "at most %d loggers", RUN_MAX_LOGGERS);
    for (int i = 0; i < n; i++) {
        char section[32];
        snprintf(section, sizeof section, "loggers.%d", i);
        s->logger_count++; /* counted first, so that run_setup_free frees a half-resolved one */
        S3F_RETURN_IF_ERR(resolve_plugin(s, section, S3F_PLUGIN_LOGGER, NULL, &s->loggers[i]));
    }
    return S3F_OK;
}

static s3f_status check_host_sections(run_setup *s)
{
    S3F_RETURN_IF_ERR(s3f_recipe_check_section(s->recipe, "", s3f_host_options(""), "se3flow",
                                               s3f_host_top_level_keys(), &s->top));
    S3F_RETURN_IF_ERR(s3f_recipe_check_section(s->recipe, "train", s3f_host_options("train"),
                                               "train", NULL, &s->train));
    return s3f_recipe_check_section(s->recipe, "schedule", s3f_host_options("schedule"), "schedule",
                                    NULL, &s->schedule);
}

s3f_status run_setup_load(const run_request *r, run_setup *s)
{
    memset(s, 0, sizeof *s);
    s3f_status rc;
    if (r->recipe_text)
        S3F_TRY(
            s3f_recipe_parse(r->recipe_text, strlen(r->recipe_text), r->recipe_path, &s->recipe));
    else
        S3F_TRY(s3f_recipe_load(r->recipe_path, &s->recipe));
    for (int i = 0; i < r->set_count; i++) {
        rc = s3f_recipe_set(s->recipe, r->sets[i]);
        if (rc != S3F_OK) S3F_TRY(s3f_fail_context(rc, "--set %s: ", r->sets[i]));
    }
    S3F_TRY(check_host_sections(s));
    S3F_TRY(open_host(s, r));
    S3F_TRY(resolve_plugin(s, "dataset", S3F_PLUGIN_DATASET, NULL, &s->dataset));
    if (r->dataset_only) return S3F_OK;
    S3F_TRY(resolve_plugin(s, "model", S3F_PLUGIN_MODEL, NULL, &s->model));
    S3F_TRY(resolve_plugin(s, "optimizer", S3F_PLUGIN_OPTIMIZER, "adam", &s->optimizer));
    S3F_TRY(resolve_loggers(s));
    S3F_TRY(s3f_recipe_emit(s->recipe, &s->resolved, NULL));
    return S3F_OK;
fail:
    run_setup_free(s);
    return rc;
}

void run_setup_free(run_setup *s)
{
    free(s->dataset.options);
    free(s->model.options);
    free(s->optimizer.options);
    for (int i = 0; i < s->logger_count; i++) free(s->loggers[i].options);
    free(s->resolved);
    s3f_plugin_host_destroy(s->host);
    s3f_recipe_destroy(s->recipe);
    memset(s, 0, sizeof *s);
}
