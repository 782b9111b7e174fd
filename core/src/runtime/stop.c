/* stop.c — the stop request flag (trainer.h): set from a signal handler,
 * read by the training loop between steps. */
#include <signal.h>

#include "se3flow/trainer.h"

static volatile sig_atomic_t g_stop;

void s3f_request_stop(void)
{
    g_stop = 1;
}

bool s3f_stop_requested(void)
{
    return g_stop != 0;
}

void s3f_clear_stop(void)
{
    g_stop = 0;
}
