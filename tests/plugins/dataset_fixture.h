/* dataset_fixture.h — a first-party dataset plugin loaded as the host
 * loads it (by name, from the build's plugin folder), with a fresh
 * temporary folder for the files a test writes; the group setup and
 * teardown of the dataset plugins' tests. */
#ifndef S3F_DATASET_FIXTURE_H
#define S3F_DATASET_FIXTURE_H

#include "se3flow/plugin_host.h"

typedef struct dataset_fixture {
    s3f_plugin_host_t *host;
    const s3f_plugin_descriptor *plugin;
    const s3f_dataset_i *f; /* plugin->interface */
    char dir[64];           /* /tmp/s3f_test_<name>_XXXXXX, made by open */
} dataset_fixture;

/* 0, or -1 when the folder cannot be made or the plugin is not found in
 * plugin_dir. */
int dataset_fixture_open(dataset_fixture *fx, const char *plugin_dir, const char *name);
/* Removes the folder and everything in it, and unloads the plugin. */
int dataset_fixture_close(dataset_fixture *fx);

#endif
