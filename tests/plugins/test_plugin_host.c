/* test_plugin_host.c — loading, checking, scanning and finding plugins: a
 * good plugin loads and is found; each broken plugin (fake_plugin.c built
 * with one fault) is refused with a message naming the file and the fault,
 * never a crash; shadowing across directories and duplicates within one. */
#include <stdlib.h>
#include <string.h>

#include "se3flow/plugin_host.h"
#include "test_support.h"

static s3f_plugin_host_t *host_with(const char *case_dir)
{
    s3f_plugin_host_t *host;
    assert_ok(s3f_plugin_host_create(&host));
    if (case_dir) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s", FAKE_DIR, case_dir);
        assert_ok(s3f_plugin_host_add_path(host, dir));
    }
    return host;
}

static s3f_status load(s3f_plugin_host_t *host, const char *case_dir, const char *file)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/se3flow_%s.so", FAKE_DIR, case_dir, file);
    return s3f_plugin_host_load(host, path);
}

static void test_good_plugin_loads_and_is_found(void **state)
{
    s3f_plugin_host_t *host = host_with("good");
    assert_ok(s3f_plugin_host_scan(host));
    assert_int_equal(s3f_plugin_host_count(host), 2);
    assert_int_equal(s3f_plugin_host_problem_count(host), 0);
    const s3f_plugin_info *info;
    assert_ok(s3f_plugin_host_find(host, S3F_PLUGIN_LOGGER, "fake", &info));
    assert_string_equal(info->descriptor->name, "fake");
    assert_true(info->available);
    assert_non_null(strstr(info->path, "se3flow_good.so"));
    void *logger;
    const s3f_logger_i *f = info->descriptor->interface;
    assert_ok(f->open(NULL, NULL, &logger));
    s3f_metric m = {.name = "loss", .value = 1};
    assert_ok(f->log_metrics(logger, &m, 1));
    f->close(logger, "completed");
    s3f_plugin_host_destroy(host);
}

static void test_find_explains_what_is_missing(void **state)
{
    s3f_plugin_host_t *host = host_with("good");
    assert_ok(s3f_plugin_host_scan(host));
    const s3f_plugin_info *info;
    assert_fails(s3f_plugin_host_find(host, S3F_PLUGIN_LOGGER, "fak", &info), S3F_ERR_ARG,
                 "no logger plugin called 'fak'", "did you mean 'fake'", "fake_other",
                 "searched:", "/good");
    assert_fails(s3f_plugin_host_find(host, S3F_PLUGIN_MODEL, "fake", &info), S3F_ERR_ARG,
                 "'fake' is a logger plugin", "model plugins found: none");
    s3f_plugin_host_destroy(host);
}

static void test_broken_plugins_are_refused(void **state)
{
    s3f_plugin_host_t *host = host_with(NULL);
    assert_fails(load(host, "bad", "abi"), S3F_ERR_FORMAT, "se3flow_abi.so", "ABI version 99",
                 "version 1");
    assert_fails(load(host, "bad", "noentry"), S3F_ERR_FORMAT, "does not export s3f_plugin_entry");
    assert_fails(load(host, "bad", "emptysummary"), S3F_ERR_FORMAT, "'summary'");
    assert_fails(load(host, "bad", "kind"), S3F_ERR_FORMAT, "unknown plugin kind 42");
    assert_fails(load(host, "bad", "unresolved"), S3F_ERR_IO, "s3f_symbol_that_does_not_exist",
                 "ldd");
    assert_fails(load(host, "bad", "nolog"), S3F_ERR_FORMAT, "interface.log_metrics");
    assert_fails(load(host, "bad", "badname"), S3F_ERR_FORMAT, "Bad-Name");
    assert_fails(load(host, "bad", "baddefault"), S3F_ERR_FORMAT, "depth");
    assert_fails(load(host, "bad", "missing_file"), S3F_ERR_IO, "missing_file");
    assert_int_equal(s3f_plugin_host_count(host), 0);
    s3f_plugin_host_destroy(host);
}

static void test_scan_keeps_problems_and_goes_on(void **state)
{
    s3f_plugin_host_t *host = host_with("bad");
    assert_ok(s3f_plugin_host_add_path(host, FAKE_DIR "/good"));
    assert_ok(s3f_plugin_host_scan(host));
    assert_int_equal(s3f_plugin_host_count(host), 2);
    assert_int_equal(s3f_plugin_host_problem_count(host), 8);
    const s3f_plugin_info *info;
    assert_fails(s3f_plugin_host_find(host, S3F_PLUGIN_LOGGER, "nope", &info), S3F_ERR_ARG,
                 "refused:", "ABI version 99");
    s3f_plugin_host_destroy(host);
}

static void test_earlier_directory_shadows_later(void **state)
{
    s3f_plugin_host_t *host = host_with("good");
    assert_ok(s3f_plugin_host_add_path(host, FAKE_DIR "/shadow"));
    assert_ok(s3f_plugin_host_scan(host));
    const s3f_plugin_info *info;
    assert_ok(s3f_plugin_host_find(host, S3F_PLUGIN_LOGGER, "fake", &info));
    assert_string_equal(info->descriptor->summary, "a test logger that counts metrics");
    const s3f_plugin_info *last = s3f_plugin_host_at(host, s3f_plugin_host_count(host) - 1);
    assert_string_equal(last->descriptor->summary, "the shadowed one");
    assert_non_null(last->shadowed_by);
    s3f_plugin_host_destroy(host);
}

static void test_duplicates_in_one_directory_are_an_error(void **state)
{
    s3f_plugin_host_t *host = host_with("dup");
    assert_ok(s3f_plugin_host_scan(host));
    assert_int_equal(s3f_plugin_host_count(host), 1);
    assert_int_equal(s3f_plugin_host_problem_count(host), 1);
    assert_non_null(strstr(s3f_plugin_host_problem(host, 0), "also provided by"));
    s3f_plugin_host_destroy(host);
}

static void test_default_paths_read_the_environment(void **state)
{
    setenv("SE3FLOW_PLUGIN_PATH", "/nonexistent/a:/nonexistent/b", 1);
    s3f_plugin_host_t *host = host_with(NULL);
    assert_ok(s3f_plugin_host_add_default_paths(host));
    assert_true(s3f_plugin_host_path_count(host) >= 3);
    assert_string_equal(s3f_plugin_host_path(host, 0), "/nonexistent/a");
    assert_string_equal(s3f_plugin_host_path(host, 1), "/nonexistent/b");
    assert_ok(s3f_plugin_host_scan(host)); /* missing directories are skipped */
    s3f_plugin_host_destroy(host);
    unsetenv("SE3FLOW_PLUGIN_PATH");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_plugin_loads_and_is_found),
        cmocka_unit_test(test_find_explains_what_is_missing),
        cmocka_unit_test(test_broken_plugins_are_refused),
        cmocka_unit_test(test_scan_keeps_problems_and_goes_on),
        cmocka_unit_test(test_earlier_directory_shadows_later),
        cmocka_unit_test(test_duplicates_in_one_directory_are_an_error),
        cmocka_unit_test(test_default_paths_read_the_environment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
