/* loader.c — the loader's workers and hand-out (loader.h).
 *
 * Workers take batch numbers in increasing order (next_build) and put each
 * finished batch into slot (number % depth); s3f_loader_next waits for the
 * slot of next_take. A worker never starts a batch more than `depth` ahead of
 * the consumer, so memory stays bounded. `generation` changes with every
 * epoch: a batch built for an old epoch is thrown away, never handed out.
 * Invariant: next_take <= next_build <= batches, and every slot between them
 * is either being built or ready. */
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_internal.h"

typedef struct slot {
    int64_t number; /* batch number it holds, or -1 */
    s3f_graph_batch *batch;
    s3f_status rc;
    char message[512];
} slot;

struct s3f_loader {
    s3f_loader_opts opts;
    double *mean_std; /* copies of target_mean and target_std (2T) */
    int64_t *scratch; /* (size) */
    int64_t *order;   /* (size / world + 1) */
    int64_t count;    /* molecules of this rank in the epoch */
    int64_t batches;
    pthread_mutex_t lock;
    pthread_cond_t work;  /* a batch may be started, or stop */
    pthread_cond_t ready; /* a slot was filled */
    pthread_t *threads;
    int depth;
    slot *slots;
    int64_t next_build, next_take, generation;
    int building; /* workers in the middle of a batch */
    bool stop, started;
};

static bool may_start(const s3f_loader_t *l)
{
    return l->started && l->next_build < l->batches && l->next_build - l->next_take < l->depth;
}

static void finish(s3f_loader_t *l, int64_t number, int64_t generation, s3f_graph_batch *batch,
                   s3f_status rc)
{
    l->building--;
    if (generation != l->generation) { /* built for an epoch that is over */
        s3f_graph_batch_destroy(batch);
        return;
    }
    slot *s = &l->slots[number % l->depth];
    s->number = number;
    s->batch = batch;
    s->rc = rc;
    if (rc != S3F_OK) snprintf(s->message, sizeof s->message, "%s", s3f_last_error());
    pthread_cond_broadcast(&l->ready);
}

static void *worker(void *arg)
{
    s3f_loader_t *l = arg;
    omp_set_num_threads(1); /* collation must not start a team inside each worker */
    pthread_mutex_lock(&l->lock);
    while (!l->stop) {
        if (!may_start(l)) {
            pthread_cond_wait(&l->work, &l->lock);
            continue;
        }
        int64_t number = l->next_build++, generation = l->generation;
        l->building++;
        pthread_mutex_unlock(&l->lock);
        s3f_graph_batch *batch = NULL;
        s3f_status rc = loader_build_batch(&l->opts, l->order, l->count, number, &batch);
        pthread_mutex_lock(&l->lock);
        finish(l, number, generation, batch, rc);
    }
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

static s3f_status copy_options(s3f_loader_t *l, const s3f_loader_opts *o)
{
    if (!o->dataset || !o->dataset->get || o->size < 0 || o->batch_size <= 0 || o->workers < 0 ||
        o->world < 1 || o->rank < 0 || o->rank >= o->world || (!o->target_mean != !o->target_std))
        return s3f_fail(S3F_ERR_ARG,
                        "loader: invalid options (batch size %d, workers %d, rank %d "
                        "of %d, mean and std both or neither)",
                        o->batch_size, o->workers, o->rank, o->world);
    l->opts = *o;
    int T = o->layout.targets;
    l->scratch = malloc(sizeof(int64_t) * (size_t)(o->size + 1));
    l->order = malloc(sizeof(int64_t) * (size_t)(o->size / o->world + 1));
    l->depth = 2 * o->workers + 1;
    l->slots = calloc((size_t)l->depth, sizeof *l->slots);
    if (o->target_mean && (l->mean_std = malloc(sizeof(double) * 2 * (size_t)(T + 1)))) {
        memcpy(l->mean_std, o->target_mean, sizeof(double) * (size_t)T);
        memcpy(l->mean_std + T, o->target_std, sizeof(double) * (size_t)T);
        l->opts.target_mean = l->mean_std;
        l->opts.target_std = l->mean_std + T;
    }
    if (!l->scratch || !l->order || !l->slots || (o->target_mean && !l->mean_std))
        return s3f_fail(S3F_ERR_NOMEM, "loader: out of memory");
    for (int i = 0; i < l->depth; i++) l->slots[i].number = -1;
    int64_t per_rank = (o->size - o->rank + o->world - 1) / o->world;
    l->batches = (per_rank + o->batch_size - 1) / o->batch_size;
    return S3F_OK;
}

static s3f_status start_workers(s3f_loader_t *l)
{
    if (!(l->threads = calloc((size_t)l->opts.workers + 1, sizeof *l->threads)))
        return s3f_fail(S3F_ERR_NOMEM, "loader: out of memory");
    for (int i = 0; i < l->opts.workers; i++) {
        if (pthread_create(&l->threads[i], NULL, worker, l) != 0) {
            l->opts.workers = i; /* destroy joins only the ones that started */
            return s3f_fail(S3F_ERR_NOMEM, "loader: cannot start worker thread %d", i);
        }
    }
    return S3F_OK;
}

s3f_status s3f_loader_create(const s3f_loader_opts *opts, s3f_loader_t **out)
{
    s3f_loader_t *l = calloc(1, sizeof *l);
    if (!l) return s3f_fail(S3F_ERR_NOMEM, "loader: out of memory");
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->work, NULL);
    pthread_cond_init(&l->ready, NULL);
    s3f_status rc = copy_options(l, opts);
    if (rc == S3F_OK) rc = start_workers(l);
    if (rc != S3F_OK)
        s3f_loader_destroy(l);
    else
        *out = l;
    return rc;
}

void s3f_loader_destroy(s3f_loader_t *l)
{
    if (!l) return;
    pthread_mutex_lock(&l->lock);
    l->stop = true;
    pthread_cond_broadcast(&l->work);
    pthread_mutex_unlock(&l->lock);
    for (int i = 0; l->threads && i < l->opts.workers; i++) pthread_join(l->threads[i], NULL);
    for (int i = 0; l->slots && i < l->depth; i++) s3f_graph_batch_destroy(l->slots[i].batch);
    pthread_cond_destroy(&l->ready);
    pthread_cond_destroy(&l->work);
    pthread_mutex_destroy(&l->lock);
    free(l->threads);
    free(l->slots);
    free(l->order);
    free(l->scratch);
    free(l->mean_std);
    free(l);
}

int64_t s3f_loader_batches(const s3f_loader_t *l)
{
    return l->batches;
}

const int64_t *s3f_loader_order(const s3f_loader_t *l, int64_t *count)
{
    *count = l->count;
    return l->order;
}

s3f_status s3f_loader_begin_epoch(s3f_loader_t *l, int64_t epoch)
{
    return s3f_loader_begin_epoch_at(l, epoch, 0);
}

s3f_status s3f_loader_begin_epoch_at(s3f_loader_t *l, int64_t epoch, int64_t first)
{
    if (first < 0 || first > l->batches)
        return s3f_fail(S3F_ERR_ARG, "loader: batch %lld is outside an epoch of %lld batches",
                        (long long)first, (long long)l->batches);
    pthread_mutex_lock(&l->lock);
    l->started = false;
    l->generation++;
    while (l->building > 0) pthread_cond_wait(&l->ready, &l->lock); /* they read the order */
    for (int i = 0; i < l->depth; i++) {
        s3f_graph_batch_destroy(l->slots[i].batch);
        l->slots[i].batch = NULL;
        l->slots[i].number = -1;
    }
    const s3f_loader_opts *o = &l->opts;
    loader_make_order(o->size, o->shuffle, o->seed, epoch, o->rank, o->world, l->scratch, l->order,
                      &l->count);
    l->next_build = l->next_take = first;
    l->started = true;
    pthread_cond_broadcast(&l->work);
    pthread_mutex_unlock(&l->lock);
    return S3F_OK;
}

/* Waits for the slot of the next batch and empties it. */
static s3f_status take(s3f_loader_t *l, s3f_graph_batch **out)
{
    pthread_mutex_lock(&l->lock);
    slot *s = &l->slots[l->next_take % l->depth];
    while (s->number != l->next_take) pthread_cond_wait(&l->ready, &l->lock);
    s3f_status rc = s->rc;
    *out = s->batch;
    if (rc != S3F_OK) s3f_fail(rc, "%s", s->message);
    s->batch = NULL;
    s->number = -1;
    l->next_take++;
    pthread_cond_broadcast(&l->work);
    pthread_mutex_unlock(&l->lock);
    return rc;
}

s3f_status s3f_loader_next(s3f_loader_t *l, s3f_graph_batch **out)
{
    *out = NULL;
    if (!l->started) return s3f_fail(S3F_ERR_STATE, "loader: call begin_epoch before next");
    if (l->next_take >= l->batches) return S3F_OK;
    if (l->opts.workers == 0)
        return loader_build_batch(&l->opts, l->order, l->count, l->next_take++, out);
    return take(l, out);
}
