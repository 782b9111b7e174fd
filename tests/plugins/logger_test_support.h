/* logger_test_support.h — helpers for the logger plugin tests: load a
 * plugin module from the build tree the way the host does (dlopen with
 * RTLD_NOW | RTLD_LOCAL, then the entry symbol), fill its options struct
 * from its own option table, and make and remove temporary run directories.
 *
 * It is not the plugin host: it checks only what these tests need, and every
 * helper fails the current cmocka test instead of returning a status. */
#ifndef SE3FLOW_LOGGER_TEST_SUPPORT_H
#define SE3FLOW_LOGGER_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "test_support.h"

#include "se3flow/plugin.h"

typedef struct lt_logger {
    void *handle; /* from dlopen */
    const s3f_plugin_descriptor *plugin;
    const s3f_logger_i *fn;
    void *options; /* heap, plugin->options_size bytes */
    void *state;   /* from fn->open; NULL until opened */
} lt_logger;

/* Loads <build>/plugins/se3flow_logger_<name>.so, checks its descriptor
 * (ABI version, kind, name, non-empty strings, option table, required
 * functions) and fills its options from the table's defaults, replaced by
 * `overrides` ("key=value" strings, NULL-terminated; NULL for none; the
 * strings must outlive the logger). */
void lt_load(lt_logger *logger, const char *name, const char *const *overrides);
/* Opens the logger for `run` into logger->state; returns the plugin's status. */
s3f_status lt_open(lt_logger *logger, const s3f_run_info *run);
/* Closes (when open) with "completed", frees the options and unloads. */
void lt_unload(lt_logger *logger);

/* A run's info for `run_dir`: id 42, name "test-run", kind "train". */
s3f_run_info lt_run_info(const char *run_dir, bool quiet);
/* A metric at `step` and `epoch` with a fixed wall time. */
s3f_metric lt_metric(const char *split, const char *name, double value, int64_t step,
                     int64_t epoch);

/* A new empty directory under $TMPDIR (or /tmp); heap path. */
char *lt_temp_dir(void);
/* Removes `dir` and everything in it, then frees the path. */
void lt_remove_dir(char *dir);
/* "<dir>/<name>" on the heap. */
char *lt_join(const char *dir, const char *name);
/* The whole file as a NUL-terminated heap string; *size (may be NULL) gets
 * its length. Fails the test when it cannot be read. */
char *lt_read_file(const char *path, size_t *size);
/* Splits `text` in place at '\n' into at most `max` lines (the final empty
 * piece after a trailing newline is not counted); returns the count. */
int lt_split_lines(char *text, char **lines, int max);

#endif
