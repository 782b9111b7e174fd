/* test_status.c — status strings, the per-thread detail message (s3f_fail,
 * s3f_fail_context, truncation, thread isolation) and the S3F_TRY /
 * S3F_RETURN_IF_ERR macros. Not here: the messages of individual modules. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

static void test_every_code_has_a_distinct_string(void **state)
{
    for (int a = 0; a < S3F_STATUS_COUNT_; a++) {
        const char *s = s3f_status_string((s3f_status)a);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        assert_string_not_equal(s, "unknown status");
        for (int b = 0; b < a; b++) assert_string_not_equal(s, s3f_status_string((s3f_status)b));
    }
    assert_string_equal(s3f_status_string(S3F_OK), "ok");
    assert_string_equal(s3f_status_string(S3F_ERR_SHAPE), "shape mismatch");
    assert_string_equal(s3f_status_string(S3F_ERR_NOMEM), "out of memory");
    assert_string_equal(s3f_status_string(S3F_ERR_INTERNAL), "internal error");
}

static void test_out_of_range_codes_are_unknown(void **state)
{
    assert_string_equal(s3f_status_string((s3f_status)-1), "unknown status");
    assert_string_equal(s3f_status_string(S3F_STATUS_COUNT_), "unknown status");
    assert_string_equal(s3f_status_string((s3f_status)1000), "unknown status");
}

/* Codes are part of the plugin ABI: they must never be renumbered. */
static void test_codes_keep_their_numbers(void **state)
{
    assert_int_equal(S3F_OK, 0);
    assert_int_equal(S3F_ERR_NOMEM, 1);
    assert_int_equal(S3F_ERR_SHAPE, 2);
    assert_int_equal(S3F_ERR_DTYPE, 3);
    assert_int_equal(S3F_ERR_ARG, 4);
    assert_int_equal(S3F_ERR_DEVICE, 5);
    assert_int_equal(S3F_ERR_IO, 6);
    assert_int_equal(S3F_ERR_FORMAT, 7);
    assert_int_equal(S3F_ERR_STATE, 8);
    assert_int_equal(S3F_ERR_UNSUPPORTED, 9);
    assert_int_equal(S3F_ERR_NUMERIC, 10);
    assert_int_equal(S3F_ERR_INTERNAL, 11);
}

static void test_fail_formats_and_returns_the_code(void **state)
{
    s3f_clear_error();
    assert_string_equal(s3f_last_error(), "");
    assert_int_equal(s3f_fail(S3F_ERR_SHAPE, "shape %s has %d dims", "(2, 3)", 2), S3F_ERR_SHAPE);
    assert_string_equal(s3f_last_error(), "shape (2, 3) has 2 dims");
    /* A new message replaces the old one. */
    assert_int_equal(s3f_fail(S3F_ERR_IO, "short"), S3F_ERR_IO);
    assert_string_equal(s3f_last_error(), "short");
    s3f_clear_error();
    assert_string_equal(s3f_last_error(), "");
}

static void test_fail_context_prepends(void **state)
{
    s3f_fail(S3F_ERR_FORMAT, "bad key 'lr'");
    assert_int_equal(s3f_fail_context(S3F_ERR_FORMAT, "while loading %s: ", "x.yaml"),
                     S3F_ERR_FORMAT);
    assert_string_equal(s3f_last_error(), "while loading x.yaml: bad key 'lr'");
    s3f_fail_context(S3F_ERR_FORMAT, "in run %d: ", 7);
    assert_string_equal(s3f_last_error(), "in run 7: while loading x.yaml: bad key 'lr'");
    /* On an empty message the context stands alone. */
    s3f_clear_error();
    s3f_fail_context(S3F_ERR_IO, "ctx: ");
    assert_string_equal(s3f_last_error(), "ctx: ");
}

/* A natural way to pass an error upwards is to format the old message into
 * the new one; the argument then points into the buffer being written. */
static void test_fail_may_quote_the_previous_message(void **state)
{
    s3f_fail(S3F_ERR_IO, "cannot open a.bin");
    s3f_fail(S3F_ERR_IO, "checkpoint: %s (errno %d)", s3f_last_error(), 2);
    assert_string_equal(s3f_last_error(), "checkpoint: cannot open a.bin (errno 2)");
    s3f_fail_context(S3F_ERR_IO, "[%s] ", s3f_last_error());
    assert_string_equal(s3f_last_error(), "[checkpoint: cannot open a.bin (errno 2)] "
                                          "checkpoint: cannot open a.bin (errno 2)");
}

static char *repeated(char c, size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_long_messages_are_truncated(void **state)
{
    size_t n = 100000;
    char *big = repeated('x', n);
    s3f_fail(S3F_ERR_ARG, "start %s end", big);
    size_t len = strlen(s3f_last_error());
    assert_true(len >= 1000 && len < n); /* kept a useful amount, never overflowed */
    assert_memory_equal(s3f_last_error(), "start xxx", 9);

    /* Context longer than the buffer: truncated, NUL-terminated. */
    s3f_fail(S3F_ERR_ARG, "inner");
    s3f_fail_context(S3F_ERR_ARG, "%s", big);
    assert_int_equal(strlen(s3f_last_error()), len);
    assert_memory_equal(s3f_last_error(), "xxxx", 4);

    /* Context plus previous message longer than the buffer: the context is
     * kept whole and the previous message is cut. */
    s3f_fail(S3F_ERR_ARG, "%s", big);
    s3f_fail_context(S3F_ERR_ARG, "ctx: ");
    assert_int_equal(strlen(s3f_last_error()), len);
    assert_memory_equal(s3f_last_error(), "ctx: xxx", 8);
    free(big);
}

typedef struct thread_arg {
    int id;
    pthread_barrier_t *barrier;
    char seen[64];
} thread_arg;

static void *thread_body(void *p)
{
    thread_arg *a = p;
    s3f_fail(S3F_ERR_IO, "thread %d", a->id);
    /* Both threads have written before either reads. */
    pthread_barrier_wait(a->barrier);
    s3f_fail_context(S3F_ERR_IO, "ctx%d ", a->id);
    pthread_barrier_wait(a->barrier);
    strncpy(a->seen, s3f_last_error(), sizeof a->seen - 1);
    return NULL;
}

static void test_messages_are_per_thread(void **state)
{
    pthread_barrier_t barrier;
    assert_int_equal(pthread_barrier_init(&barrier, NULL, 2), 0);
    thread_arg args[2] = {{.id = 1, .barrier = &barrier}, {.id = 2, .barrier = &barrier}};
    pthread_t threads[2];
    s3f_fail(S3F_ERR_ARG, "main thread");
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, thread_body, &args[i]), 0);
    for (int i = 0; i < 2; i++) assert_int_equal(pthread_join(threads[i], NULL), 0);
    pthread_barrier_destroy(&barrier);
    assert_string_equal(args[0].seen, "ctx1 thread 1");
    assert_string_equal(args[1].seen, "ctx2 thread 2");
    assert_string_equal(s3f_last_error(), "main thread");
}

static s3f_status fails_with(s3f_status rc)
{
    return rc == S3F_OK ? S3F_OK : s3f_fail(rc, "inner failure %d", (int)rc);
}

static s3f_status uses_return_if_err(s3f_status rc, int *reached)
{
    S3F_RETURN_IF_ERR(fails_with(rc));
    *reached = 1;
    return S3F_OK;
}

static s3f_status uses_try(s3f_status first, int *cleaned, int *reached)
{
    s3f_status rc = S3F_OK;
    S3F_TRY(fails_with(first));
    *reached = 1;
fail:
    *cleaned = 1;
    return rc;
}

static void test_propagation_macros(void **state)
{
    int reached = 0, cleaned = 0;
    assert_int_equal(uses_return_if_err(S3F_OK, &reached), S3F_OK);
    assert_int_equal(reached, 1);
    reached = 0;
    assert_int_equal(uses_return_if_err(S3F_ERR_DTYPE, &reached), S3F_ERR_DTYPE);
    assert_int_equal(reached, 0);
    assert_string_equal(s3f_last_error(), "inner failure 3");

    assert_int_equal(uses_try(S3F_ERR_NUMERIC, &cleaned, &reached), S3F_ERR_NUMERIC);
    assert_int_equal(reached, 0);
    assert_int_equal(cleaned, 1);
    cleaned = 0;
    assert_int_equal(uses_try(S3F_OK, &cleaned, &reached), S3F_OK);
    assert_int_equal(reached, 1);
    assert_int_equal(cleaned, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_has_a_distinct_string),
        cmocka_unit_test(test_out_of_range_codes_are_unknown),
        cmocka_unit_test(test_codes_keep_their_numbers),
        cmocka_unit_test(test_fail_formats_and_returns_the_code),
        cmocka_unit_test(test_fail_context_prepends),
        cmocka_unit_test(test_fail_may_quote_the_previous_message),
        cmocka_unit_test(test_long_messages_are_truncated),
        cmocka_unit_test(test_messages_are_per_thread),
        cmocka_unit_test(test_propagation_macros),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
