/* test_runs_cli_rm_plot.c — `se3flow runs rm` (refuses without --yes when
 * stdin is not a terminal, asks on a terminal, keeps checkpoint files
 * unless --delete-files) and `se3flow runs plot` (well-formed SVG with
 * exactly one <path> per run; bad metric or run: exit 2 and no file).
 *
 * The XML check uses xmllint (Debian libxml2-utils); without it that one
 * check is skipped with a note, the rest still runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runs_cli_support.h"

#define RUN(...) cli_run((const char *const[]){__VA_ARGS__, NULL})
#define PROMPT   "[y/N]"

static int setup(void **state)
{
    unsetenv("SE3FLOW_DB");
    cli_fixture *fx = malloc(sizeof *fx);
    cli_fixture_setup(fx);
    cli_make_sample(fx);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    cli_fixture_teardown(*state);
    free(*state);
    return 0;
}

static int runs_in(const cli_fixture *fx)
{
    cli_result r = RUN("runs", "--db", fx->db, "--csv");
    assert_int_equal(r.code, 0);
    int n = cli_count(r.out, "\n") - 1;
    cli_result_free(&r);
    return n;
}

static bool exists(const cli_fixture *fx, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", fx->dir, name);
    return access(path, F_OK) == 0;
}

static void test_rm_needs_yes_without_terminal(void **state)
{
    cli_fixture *fx = *state;
    cli_result r = RUN("runs", "rm", "1", "--db", fx->db);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "--yes"));
    cli_result_free(&r);
    assert_int_equal(runs_in(fx), 3);

    r = RUN("runs", "rm", "1", "--yes", "--db", fx->db);
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "deleted run 1"));
    assert_non_null(strstr(r.out, "kept "));
    cli_result_free(&r);
    assert_int_equal(runs_in(fx), 2);
    assert_true(exists(fx, "homo_epoch10.safetensors"));

    r = RUN("runs", "rm", "1", "--yes", "--db", fx->db);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "no run 1"));
    cli_result_free(&r);
}

static void test_rm_asks_on_terminal(void **state)
{
    cli_fixture *fx = *state;
    const char *const args[] = {"runs", "rm", "1", "--delete-files", "--db", fx->db, NULL};
    cli_result r = cli_run_tty(args, PROMPT, "n\n");
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.err, "delete run 1 'qm9_homo'"));
    assert_non_null(strstr(r.err, "kept run 1"));
    cli_result_free(&r);
    assert_int_equal(runs_in(fx), 3);

    r = cli_run_tty(args, PROMPT, "y\n");
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.err, "deleted run 1"));
    cli_result_free(&r);
    assert_int_equal(runs_in(fx), 2);
    assert_false(exists(fx, "homo_epoch10.safetensors")); /* --delete-files */
}

/* xmllint's verdict on the file: 0 well-formed, 1 not, -1 no xmllint. */
static int xmllint(const char *path)
{
    if (system("command -v xmllint >/dev/null 2>&1") != 0) return -1;
    char command[512];
    snprintf(command, sizeof command, "xmllint --noout '%s'", path);
    int status = system(command);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *text = calloc(1, 1 << 20);
    fread(text, 1, (1 << 20) - 1, f);
    fclose(f);
    return text;
}

static void check_plot(const cli_fixture *fx, const char *const *ids, int count)
{
    char svg[256];
    snprintf(svg, sizeof svg, "%s/plot%d.svg", fx->dir, count);
    const char *args[16] = {"runs", "plot", "--db", fx->db, "--metric", "val_mae", "-o", svg};
    for (int i = 0; i < count; i++) args[8 + i] = ids[i];
    cli_result r = cli_run(args);
    if (r.code != 0) fail_msg("plot failed (%d): %s", r.code, r.err);
    cli_result_free(&r);
    int verdict = xmllint(svg);
    if (verdict < 0)
        print_message("xmllint not found (Debian libxml2-utils): skipping the XML check\n");
    assert_true(verdict <= 0);
    char *text = slurp(svg);
    assert_int_equal(cli_count(text, "<path"), count);
    assert_non_null(strstr(text, "<svg"));
    assert_non_null(strstr(text, ">step</text>"));
    assert_non_null(strstr(text, "#2 qm9, lumo</text>"));
    free(text);
}

/* Run 4, whose name is full of XML markup and has a byte that is not UTF-8. */
static void add_awkward_run(const cli_fixture *fx)
{
    s3f_run_store_t *store = NULL;
    int64_t id = 0;
    assert_ok(s3f_run_store_open(fx->db, 0, &store));
    assert_ok(s3f_run_store_begin(
        store, &(s3f_run_desc){.name = "<b> & \"c\" 'd' \xff", .kind = "train"}, &id));
    for (int step = 0; step < 5; step++) {
        s3f_metric m = {.name = "mae", .split = "val", .value = 1.0 / (step + 1), .step = step};
        assert_ok(s3f_run_store_log_metrics(store, id, &m, 1));
    }
    assert_ok(s3f_run_store_finish(store, id, S3F_RUN_COMPLETED, NULL));
    s3f_run_store_close(store);
}

static void test_plot(void **state)
{
    cli_fixture *fx = *state;
    add_awkward_run(fx);
    check_plot(fx, (const char *const[]){"2"}, 1);
    check_plot(fx, (const char *const[]){"1", "2"}, 2);
    check_plot(fx, (const char *const[]){"1", "2", "3", "4"}, 4);

    char svg[256];
    snprintf(svg, sizeof svg, "%s/bad.svg", fx->dir);
    cli_result r = RUN("runs", "plot", "1", "--metric", "val_rmse", "-o", svg, "--db", fx->db);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "no metric 'val_rmse'; it has: train_loss, val_mae"));
    cli_result_free(&r);
    r = RUN("runs", "plot", "1", "9", "--metric", "val_mae", "-o", svg, "--db", fx->db);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "no run 9"));
    cli_result_free(&r);
    assert_false(exists(fx, "bad.svg"));
    r = RUN("runs", "plot", "1", "--db", fx->db);
    assert_int_equal(r.code, 2);
    cli_result_free(&r);
    /* A bare name works when one split logged it. */
    r = RUN("runs", "plot", "1", "--metric", "loss", "-o", svg, "--db", fx->db);
    assert_int_equal(r.code, 0);
    cli_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rm_needs_yes_without_terminal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rm_asks_on_terminal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plot, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
