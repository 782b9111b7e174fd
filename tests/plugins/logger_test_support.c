/* logger_test_support.c — the helpers of logger_test_support.h. */
#include <dlfcn.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logger_test_support.h"

/* Checks an option table the way the loggers' tables must look: every entry
 * named, helped and defaulted, CHOICE defaults among the choices, and each
 * value inside the options struct. */
static void check_option_table(const s3f_plugin_descriptor *plugin)
{
    static const size_t type_size[] = {
        [S3F_OPTION_BOOL] = sizeof(bool),           [S3F_OPTION_INT] = sizeof(int64_t),
        [S3F_OPTION_FLOAT] = sizeof(double),        [S3F_OPTION_STRING] = sizeof(const char *),
        [S3F_OPTION_CHOICE] = sizeof(const char *),
    };
    assert_non_null(plugin->options);
    for (const s3f_option *o = plugin->options; o->name; o++) {
        assert_true(o->name[0] && o->help && o->help[0] && o->default_value);
        assert_true(o->type >= S3F_OPTION_BOOL && o->type <= S3F_OPTION_CHOICE);
        assert_true(o->offset + type_size[o->type] <= plugin->options_size);
        if (o->type != S3F_OPTION_CHOICE) continue;
        bool found = false;
        for (const char *const *c = o->choices; c && *c; c++)
            found |= !strcmp(*c, o->default_value);
        assert_true(found);
    }
}

/* The value for `o`: its override when there is one, else its default. */
static const char *option_text(const s3f_option *o, const char *const *overrides)
{
    size_t n = strlen(o->name);
    for (const char *const *kv = overrides; kv && *kv; kv++)
        if (!strncmp(*kv, o->name, n) && (*kv)[n] == '=') return *kv + n + 1;
    return o->default_value;
}

static void fill_options(lt_logger *logger, const char *const *overrides)
{
    const s3f_plugin_descriptor *plugin = logger->plugin;
    for (const char *const *kv = overrides; kv && *kv; kv++) {
        size_t n = strcspn(*kv, "=");
        bool known = false;
        for (const s3f_option *o = plugin->options; o->name; o++)
            known |= strlen(o->name) == n && !strncmp(o->name, *kv, n);
        if (!known) fail_msg("%s has no option for override '%s'", plugin->name, *kv);
    }
    logger->options = calloc(1, plugin->options_size ? plugin->options_size : 1);
    assert_non_null(logger->options);
    for (const s3f_option *o = plugin->options; o->name; o++) {
        char *field = (char *)logger->options + o->offset;
        const char *text = option_text(o, overrides);
        if (o->type == S3F_OPTION_BOOL) *(bool *)field = !strcmp(text, "true");
        if (o->type == S3F_OPTION_INT) *(int64_t *)field = strtoll(text, NULL, 10);
        if (o->type == S3F_OPTION_FLOAT) *(double *)field = strtod(text, NULL);
        if (o->type == S3F_OPTION_STRING || o->type == S3F_OPTION_CHOICE)
            *(const char **)field = text;
    }
}

void lt_load(lt_logger *logger, const char *name, const char *const *overrides)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/se3flow_logger_%s.so", S3F_TEST_PLUGIN_DIR, name);
    *logger = (lt_logger){0};
    logger->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!logger->handle) fail_msg("dlopen %s: %s", path, dlerror());
    s3f_plugin_entry_fn entry;
    *(void **)&entry = dlsym(logger->handle, S3F_PLUGIN_ENTRY_SYMBOL);
    if (!entry) fail_msg("%s lacks %s", path, S3F_PLUGIN_ENTRY_SYMBOL);
    const s3f_plugin_descriptor *plugin = entry();
    assert_non_null(plugin);
    assert_int_equal(plugin->abi_version, S3F_PLUGIN_ABI_VERSION);
    assert_int_equal(plugin->kind, S3F_PLUGIN_LOGGER);
    assert_string_equal(plugin->name, name);
    assert_true(plugin->version && plugin->version[0] && plugin->summary && plugin->summary[0]);
    logger->plugin = plugin;
    logger->fn = plugin->interface;
    assert_non_null(logger->fn);
    assert_true(logger->fn->open && logger->fn->log_metrics && logger->fn->close);
    check_option_table(plugin);
    fill_options(logger, overrides);
}

s3f_status lt_open(lt_logger *logger, const s3f_run_info *run)
{
    return logger->fn->open(logger->options, run, &logger->state);
}

void lt_unload(lt_logger *logger)
{
    if (logger->state) logger->fn->close(logger->state, "completed");
    free(logger->options);
    if (logger->handle) dlclose(logger->handle);
    *logger = (lt_logger){0};
}

s3f_run_info lt_run_info(const char *run_dir, bool quiet)
{
    return (s3f_run_info){.run_id = 42,
                          .run_name = "test-run",
                          .kind = "train",
                          .run_dir = run_dir,
                          .recipe_yaml = "seed: 1\n",
                          .quiet = quiet};
}

s3f_metric lt_metric(const char *split, const char *name, double value, int64_t step, int64_t epoch)
{
    return (s3f_metric){.name = name,
                        .split = split,
                        .value = value,
                        .step = step,
                        .epoch = epoch,
                        .wall_time = 1700000000.125 + (double)step};
}

char *lt_temp_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = lt_join(tmp && tmp[0] ? tmp : "/tmp", "se3flow-logger-XXXXXX");
    if (!mkdtemp(dir)) fail_msg("mkdtemp %s failed", dir);
    return dir;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

void lt_remove_dir(char *dir)
{
    if (dir) nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

char *lt_join(const char *dir, const char *name)
{
    size_t size = strlen(dir) + strlen(name) + 2;
    char *path = malloc(size);
    assert_non_null(path);
    snprintf(path, size, "%s/%s", dir, name);
    return path;
}

char *lt_read_file(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");
    if (!file) fail_msg("cannot open %s", path);
    char *text = NULL;
    size_t used = 0, got;
    do {
        text = realloc(text, used + 4096 + 1);
        assert_non_null(text);
        got = fread(text + used, 1, 4096, file);
        used += got;
    } while (got > 0);
    fclose(file);
    text[used] = '\0';
    if (size) *size = used;
    return text;
}

int lt_split_lines(char *text, char **lines, int max)
{
    int count = 0;
    for (char *line = text; *line && count < max;) {
        char *end = strchr(line, '\n');
        lines[count++] = line;
        if (!end) break;
        *end = '\0';
        line = end + 1;
    }
    return count;
}
