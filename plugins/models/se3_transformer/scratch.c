/* scratch.c — the buffer pool of scratch.h: a few slots under a mutex;
 * take picks the smallest idle buffer that is big enough, else replaces an
 * idle smaller one, else (all busy) allocates one the pool does not keep. */
#include "scratch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#define SCRATCH_SLOTS 32

typedef struct slot {
    void *p;
    size_t size;
    bool busy;
} slot;

static slot g_slots[SCRATCH_SLOTS];
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

/* The idle slot to use for `bytes`: the smallest that fits, else the
 * largest idle one (to be replaced); -1 when every slot is busy. */
static int pick(size_t bytes)
{
    int fit = -1, idle = -1;
    for (int i = 0; i < SCRATCH_SLOTS; i++) {
        if (g_slots[i].busy) continue;
        if (g_slots[i].size >= bytes && (fit < 0 || g_slots[i].size < g_slots[fit].size)) fit = i;
        if (idle < 0 || g_slots[i].size > g_slots[idle].size) idle = i;
    }
    return fit >= 0 ? fit : idle;
}

void *scratch_take(size_t bytes)
{
    if (bytes == 0) bytes = 1;
    pthread_mutex_lock(&g_lock);
    int i = pick(bytes);
    if (i < 0) {
        pthread_mutex_unlock(&g_lock);
        return malloc(bytes);
    }
    if (g_slots[i].size < bytes) {
        free(g_slots[i].p);
        g_slots[i].p = malloc(bytes);
        g_slots[i].size = g_slots[i].p ? bytes : 0;
    }
    void *p = g_slots[i].p;
    g_slots[i].busy = p != NULL;
    pthread_mutex_unlock(&g_lock);
    return p;
}

void scratch_give(void *p)
{
    if (!p) return;
    pthread_mutex_lock(&g_lock);
    for (int i = 0; i < SCRATCH_SLOTS; i++)
        if (g_slots[i].p == p) {
            g_slots[i].busy = false;
            pthread_mutex_unlock(&g_lock);
            return;
        }
    pthread_mutex_unlock(&g_lock);
    free(p);
}

void scratch_release(void)
{
    pthread_mutex_lock(&g_lock);
    for (int i = 0; i < SCRATCH_SLOTS; i++)
        if (!g_slots[i].busy) {
            free(g_slots[i].p);
            g_slots[i] = (slot){NULL, 0, false};
        }
    pthread_mutex_unlock(&g_lock);
}
