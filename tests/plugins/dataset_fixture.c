/* dataset_fixture.c — see dataset_fixture.h. */
#include "dataset_fixture.h"

#include <stdio.h>
#include <stdlib.h>

int dataset_fixture_open(dataset_fixture *fx, const char *plugin_dir, const char *name)
{
    const s3f_plugin_info *info;
    snprintf(fx->dir, sizeof fx->dir, "/tmp/s3f_test_%s_XXXXXX", name);
    if (!mkdtemp(fx->dir) || s3f_plugin_host_create(&fx->host) ||
        s3f_plugin_host_add_path(fx->host, plugin_dir) || s3f_plugin_host_scan(fx->host) ||
        s3f_plugin_host_find(fx->host, S3F_PLUGIN_DATASET, name, &info))
        return -1;
    fx->plugin = info->descriptor;
    fx->f = fx->plugin->interface;
    return 0;
}

int dataset_fixture_close(dataset_fixture *fx)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
    const int rc = system(cmd) ? -1 : 0;
    s3f_plugin_host_destroy(fx->host);
    return rc;
}
