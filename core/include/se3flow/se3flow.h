/* se3flow.h — everything a plugin or the CLI needs from core, in one include. */
#ifndef SE3FLOW_SE3FLOW_H
#define SE3FLOW_SE3FLOW_H

#include "se3flow/export.h"
#include "se3flow/status.h"
#include "se3flow/dims.h"
#include "se3flow/tensor.h"
#include "se3flow/device.h"
#include "se3flow/arena.h"
#include "se3flow/context.h"
#include "se3flow/autograd.h"
#include "se3flow/params.h"
#include "se3flow/rng.h"
#include "se3flow/half.h"
#include "se3flow/ops.h"
#include "se3flow/gradcheck.h"
#include "se3flow/graph.h"
#include "se3flow/options.h"
#include "se3flow/recipe.h"
#include "se3flow/host_sections.h"
#include "se3flow/plugin.h"
#include "se3flow/plugin_host.h"
#include "se3flow/safetensors.h"
#include "se3flow/atomic_file.h"
#include "se3flow/download.h"
#include "se3flow/npz.h"
#include "se3flow/checkpoint.h"
#include "se3flow/schedule.h"
#include "se3flow/loader.h"
#include "se3flow/trainer.h"
#include "se3flow/so3.h"

#define S3F_VERSION_MAJOR  0
#define S3F_VERSION_MINOR  1
#define S3F_VERSION_PATCH  0
#define S3F_VERSION_STRING "0.1.0"

#endif
