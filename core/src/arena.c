/* arena.c — the per-step bump allocator (see arena.h).
 *
 * Chunks form a singly linked list; allocation bumps within the newest chunk
 * and opens a new one when it does not fit. Invariant: `used` is the sum of
 * the bytes handed out (with padding) since the last reset and never exceeds
 * `limit` when a limit is set. */
#include <stdint.h>
#include <stdlib.h>

#include "se3flow/arena.h"

#define MIN_CHUNK_BYTES ((size_t)16 << 20)

typedef struct chunk {
    struct chunk *prev;
    size_t capacity; /* usable bytes after the header */
    size_t top;      /* bytes used in this chunk */
    unsigned char *base;
} chunk;

struct s3f_arena {
    size_t limit;
    size_t used;
    size_t peak;
    size_t reserved;
    size_t chunks;
    chunk *head;
};

static size_t align_up(size_t n)
{
    return (n + S3F_ARENA_ALIGN - 1) & ~(size_t)(S3F_ARENA_ALIGN - 1);
}

static chunk *chunk_create(size_t capacity)
{
    size_t header = align_up(sizeof(chunk));
    if (capacity > SIZE_MAX - header) return NULL;
    void *memory = NULL;
    if (posix_memalign(&memory, S3F_ARENA_ALIGN, header + capacity) != 0) return NULL;
    chunk *c = memory;
    c->prev = NULL;
    c->capacity = capacity;
    c->top = 0;
    c->base = (unsigned char *)memory + header;
    return c;
}

static void free_chunks(s3f_arena_t *arena)
{
    while (arena->head) {
        chunk *prev = arena->head->prev;
        free(arena->head);
        arena->head = prev;
    }
    arena->reserved = 0;
    arena->chunks = 0;
}

s3f_status s3f_arena_create(size_t limit_bytes, s3f_arena_t **out)
{
    s3f_arena_t *arena = calloc(1, sizeof *arena);
    if (!arena) return s3f_fail(S3F_ERR_NOMEM, "cannot allocate an arena");
    arena->limit = limit_bytes;
    *out = arena;
    return S3F_OK;
}

void s3f_arena_destroy(s3f_arena_t *arena)
{
    if (!arena) return;
    free_chunks(arena);
    free(arena);
}

static s3f_status open_chunk(s3f_arena_t *arena, size_t need)
{
    size_t capacity = need > MIN_CHUNK_BYTES ? need : MIN_CHUNK_BYTES;
    if (arena->limit && capacity > arena->limit) capacity = need;
    chunk *c = chunk_create(capacity);
    if (!c)
        return s3f_fail(S3F_ERR_NOMEM, "arena: the heap refused a chunk of %zu bytes", capacity);
    c->prev = arena->head;
    arena->head = c;
    arena->reserved += capacity;
    arena->chunks++;
    return S3F_OK;
}

s3f_status s3f_arena_alloc(s3f_arena_t *arena, size_t size, void **out)
{
    size_t padded = align_up(size ? size : 1);
    if (padded < size)
        return s3f_fail(S3F_ERR_NOMEM, "arena: request of %zu bytes overflows", size);
    if (arena->limit && (padded > arena->limit || arena->used > arena->limit - padded))
        return s3f_fail(S3F_ERR_NOMEM,
                        "arena exhausted: asked for %zu bytes with %zu of %zu in use; raise the "
                        "memory limit or lower the batch size",
                        size, arena->used, arena->limit);
    if (!arena->head || arena->head->capacity - arena->head->top < padded)
        S3F_RETURN_IF_ERR(open_chunk(arena, padded));
    *out = arena->head->base + arena->head->top;
    arena->head->top += padded;
    arena->used += padded;
    if (arena->used > arena->peak) arena->peak = arena->used;
    return S3F_OK;
}

void s3f_arena_reset(s3f_arena_t *arena)
{
    if (arena->chunks > 1) {
        /* The last step needed several chunks: replace them with one chunk
         * as large as the peak, so the next steps bump within one block. */
        size_t want = align_up(arena->peak);
        free_chunks(arena);
        if (open_chunk(arena, want) != S3F_OK) s3f_clear_error(); /* retried lazily on alloc */
    } else if (arena->head) {
        arena->head->top = 0;
    }
    arena->used = 0;
}

size_t s3f_arena_used(const s3f_arena_t *arena)
{
    return arena->used;
}

size_t s3f_arena_peak(const s3f_arena_t *arena)
{
    return arena->peak;
}

void s3f_arena_reset_peak(s3f_arena_t *arena)
{
    arena->peak = arena->used;
}

size_t s3f_arena_reserved(const s3f_arena_t *arena)
{
    return arena->reserved;
}
