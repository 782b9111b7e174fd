/* logger_test_support.c — the helpers of logger_test_support.h. */
#include <dlfcn.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logger_test_support.h"

/* Checks an option table with core's own checker, plus what the loggers'
 * tables must also have: a default for every option. */
static void check_option_table(const s3f_plugin_descriptor *plugin)
{
    assert_non_null(plugin->options);
    assert_ok(s3f_options_validate(plugin->options, plugin->name));
    for (const s3f_option *o = plugin->options; o->name; o++) assert_non_null(o->default_value);
}

/* The options struct from the table's defaults and "key=value" overrides,
 * through core's s3f_options_set (so an unknown key or a bad value fails). */
static void fill_options(lt_logger *logger, const char *const *overrides)
{
    const s3f_plugin_descriptor *plugin = logger->plugin;
    logger->options = calloc(1, plugin->options_size ? plugin->options_size : 1);
    assert_non_null(logger->options);
    assert_ok(s3f_options_set_defaults(plugin->options, logger->options));
    for (const char *const *kv = overrides; kv && *kv; kv++) {
        char key[128];
        size_t n = strcspn(*kv, "=");
        assert_true((*kv)[n] == '=' && n < sizeof key);
        snprintf(key, sizeof key, "%.*s", (int)n, *kv);
        assert_ok(s3f_options_set(plugin->options, logger->options, key, *kv + n + 1));
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
