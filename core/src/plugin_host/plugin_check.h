/* plugin_check.h — validation of a plugin descriptor (internal to core). */
#ifndef SE3FLOW_PLUGIN_CHECK_H
#define SE3FLOW_PLUGIN_CHECK_H

#include "se3flow/plugin.h"

/* Checks everything the host relies on: ABI version (first, before any other
 * field is read), kind, non-empty name/version/summary, name characters,
 * option table, interface and the kind's required functions.
 * S3F_ERR_FORMAT naming `path` and the field. */
s3f_status plugin_check_descriptor(const s3f_plugin_descriptor *d, const char *path);

#endif
