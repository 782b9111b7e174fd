/* cmd_version.c — `se3flow version`: se3flow's version, the plugin ABI and
 * whether this build has the CUDA backend (and a usable device). */
#include "cli.h"
#include "se3flow/plugin.h"

void cmd_version_usage(FILE *out)
{
    fprintf(out, "usage: se3flow version\n\n"
                 "Prints the se3flow version, the plugin ABI version and the CUDA status.\n");
}

int cmd_version(int argc, char **argv)
{
    printf("se3flow %s\n", S3F_VERSION_STRING);
    printf("plugin ABI %u\n", S3F_PLUGIN_ABI_VERSION);
    if (!s3f_cuda_built())
        printf("cuda: not built\n");
    else if (s3f_cuda_device_count() > 0)
        printf("cuda: %d device(s)\n", s3f_cuda_device_count());
    else
        printf("cuda: built, no usable device (%s)\n", s3f_cuda_unavailable_reason());
    return CLI_EXIT_OK;
}
