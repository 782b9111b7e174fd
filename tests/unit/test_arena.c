/* test_arena.c — the per-step bump allocator: 64-byte alignment, used /
 * peak / reserved accounting, reset, exhaustion under a limit (an error with
 * a message, and the arena stays usable), and the merge of a multi-chunk
 * step into one chunk that later steps of the same pattern reuse. */
#include <stdint.h>
#include <string.h>

#include "test_support.h"

static size_t padded(size_t n)
{
    size_t m = n ? n : 1;
    return (m + 63) / 64 * 64;
}

static s3f_arena_t *new_arena(size_t limit)
{
    s3f_arena_t *a;
    assert_ok(s3f_arena_create(limit, &a));
    assert_int_equal(s3f_arena_used(a), 0);
    assert_int_equal(s3f_arena_peak(a), 0);
    assert_int_equal(s3f_arena_reserved(a), 0);
    return a;
}

static void test_alignment_and_accounting(void **state)
{
    s3f_arena_t *a = new_arena(0);
    size_t expect_used = 0;
    unsigned char *prev = NULL;
    size_t prev_size = 0;
    for (size_t size = 0; size < 700; size += (size < 130 ? 1 : 37)) {
        void *p = NULL;
        assert_ok(s3f_arena_alloc(a, size, &p));
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % S3F_ARENA_ALIGN, 0);
        /* writable across its whole size, and disjoint from the previous one */
        memset(p, 0xA5, size);
        if (prev) assert_true((unsigned char *)p >= prev + prev_size || (unsigned char *)p < prev);
        prev = p;
        prev_size = padded(size);
        expect_used += padded(size);
        assert_int_equal(s3f_arena_used(a), expect_used);
        assert_int_equal(s3f_arena_peak(a), expect_used);
        assert_true(s3f_arena_reserved(a) >= s3f_arena_used(a));
    }
    /* size 0 gives distinct pointers */
    void *z1, *z2;
    assert_ok(s3f_arena_alloc(a, 0, &z1));
    assert_ok(s3f_arena_alloc(a, 0, &z2));
    assert_ptr_not_equal(z1, z2);

    size_t peak = s3f_arena_peak(a), reserved = s3f_arena_reserved(a);
    s3f_arena_reset(a);
    assert_int_equal(s3f_arena_used(a), 0);
    assert_int_equal(s3f_arena_peak(a), peak);
    assert_int_equal(s3f_arena_reserved(a), reserved); /* one chunk: kept as is */
    void *p;
    assert_ok(s3f_arena_alloc(a, 100, &p));
    assert_int_equal(s3f_arena_used(a), 128);
    s3f_arena_reset_peak(a);
    assert_int_equal(s3f_arena_peak(a), 128);
    assert_ok(s3f_arena_alloc(a, 1000, &p));
    assert_int_equal(s3f_arena_peak(a), 128 + 1024);
    s3f_arena_destroy(a);
    s3f_arena_destroy(NULL);
}

static void test_exhaustion_is_an_error(void **state)
{
    const size_t limit = 1 << 20;
    s3f_arena_t *a = new_arena(limit);
    void *p = NULL, *q = (void *)(uintptr_t)0x1;
    assert_ok(s3f_arena_alloc(a, 600000, &p));
    assert_fails(s3f_arena_alloc(a, 600000, &q), S3F_ERR_NOMEM, "600000", "1048576", "exhausted");
    assert_true(q == (void *)(uintptr_t)0x1); /* no output on failure */
    assert_int_equal(s3f_arena_used(a), padded(600000));
    /* still usable: a smaller request fits, and the first block is intact */
    memset(p, 1, 600000);
    assert_ok(s3f_arena_alloc(a, 400000, &q));
    memset(q, 2, 400000);
    assert_int_equal(((unsigned char *)p)[599999], 1);
    /* exactly up to the limit, then not one byte more */
    size_t rest = limit - s3f_arena_used(a);
    assert_ok(s3f_arena_alloc(a, rest, &q));
    assert_int_equal(s3f_arena_used(a), limit);
    assert_fails(s3f_arena_alloc(a, 1, &q), S3F_ERR_NOMEM, "exhausted");
    assert_fails(s3f_arena_alloc(a, 0, &q), S3F_ERR_NOMEM, "exhausted");
    assert_true(s3f_arena_peak(a) <= limit);
    /* after a reset the whole limit is available again */
    s3f_arena_reset(a);
    assert_ok(s3f_arena_alloc(a, 600000, &p));
    assert_ok(s3f_arena_alloc(a, limit - padded(600000), &q));
    s3f_arena_reset(a);
    /* a request larger than the limit on its own */
    assert_fails(s3f_arena_alloc(a, limit + 1, &q), S3F_ERR_NOMEM, "exhausted");
    s3f_arena_destroy(a);
}

/* Under AddressSanitizer a heap request beyond its maximum aborts unless
 * the allocator may return NULL, as glibc does; the arena must see NULL. */
__attribute__((visibility("default"))) const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

/* Requests that overflow size_t arithmetic fail cleanly with or without a
 * limit (never a wrapped tiny allocation). */
static void test_huge_requests_fail_cleanly(void **state)
{
    size_t sizes[] = {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 62, SIZE_MAX - 63, SIZE_MAX - 127};
    for (int limited = 0; limited < 2; limited++) {
        s3f_arena_t *a = new_arena(limited ? 1 << 20 : 0);
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            void *p = NULL;
            assert_fails(s3f_arena_alloc(a, sizes[i], &p), S3F_ERR_NOMEM, "arena");
            assert_null(p);
        }
        assert_int_equal(s3f_arena_used(a), 0);
        void *p;
        assert_ok(s3f_arena_alloc(a, 10, &p));
        s3f_arena_destroy(a);
    }
}

/* One step's allocations; returns the pointers in ps. */
static void step(s3f_arena_t *a, const size_t *sizes, int n, void **ps)
{
    for (int i = 0; i < n; i++) {
        assert_ok(s3f_arena_alloc(a, sizes[i], &ps[i]));
        memset(ps[i], i, sizes[i]);
    }
}

static void test_multi_chunk_step_merges_on_reset(void **state)
{
    s3f_arena_t *a = new_arena(0);
    /* three 10 MB blocks do not share a 16 MB chunk: several chunks */
    size_t sizes[] = {10u << 20, 100, 10u << 20, 4096, 10u << 20, 1};
    enum { N = 6 };
    void *ps[N];
    size_t total = 0;
    for (int i = 0; i < N; i++) total += padded(sizes[i]);
    step(a, sizes, N, ps);
    assert_int_equal(s3f_arena_used(a), total);
    size_t before = s3f_arena_reserved(a);
    assert_true(before > total); /* the chunk tails are wasted */

    s3f_arena_reset(a);
    size_t merged = s3f_arena_reserved(a);
    assert_true(merged >= s3f_arena_peak(a));
    assert_true(merged < before);
    assert_int_equal(s3f_arena_used(a), 0);

    /* The same pattern now runs inside the one chunk: back to back, and no
     * new reservation, step after step. */
    for (int rep = 0; rep < 3; rep++) {
        step(a, sizes, N, ps);
        for (int i = 1; i < N; i++)
            assert_ptr_equal((char *)ps[i], (char *)ps[i - 1] + padded(sizes[i - 1]));
        assert_int_equal(s3f_arena_reserved(a), merged);
        assert_int_equal(s3f_arena_used(a), total);
        s3f_arena_reset(a);
        assert_int_equal(s3f_arena_reserved(a), merged);
    }
    s3f_arena_destroy(a);
}

/* Under a limit below the default chunk size the arena still serves every
 * request up to the limit, and after a reset one chunk holds the step. */
static void test_small_limit_multi_chunk(void **state)
{
    const size_t limit = 256 * 1024;
    s3f_arena_t *a = new_arena(limit);
    size_t sizes[] = {1000, 5000, 70000, 3, 100000, 64};
    enum { N = 6 };
    void *ps[N];
    step(a, sizes, N, ps);
    size_t used = s3f_arena_used(a);
    for (int i = 0; i < N; i++) assert_int_equal(((unsigned char *)ps[i])[sizes[i] - 1], i);
    s3f_arena_reset(a);
    assert_true(s3f_arena_reserved(a) >= used);
    assert_true(s3f_arena_reserved(a) <= limit);
    step(a, sizes, N, ps);
    for (int i = 1; i < N; i++)
        assert_ptr_equal((char *)ps[i], (char *)ps[i - 1] + padded(sizes[i - 1]));
    s3f_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment_and_accounting),
        cmocka_unit_test(test_exhaustion_is_an_error),
        cmocka_unit_test(test_huge_requests_fail_cleanly),
        cmocka_unit_test(test_multi_chunk_step_merges_on_reset),
        cmocka_unit_test(test_small_limit_multi_chunk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
