/* runs_common.c — what every `se3flow runs` subcommand does before its own
 * work: report usage errors, open the store, read run ids and --since.
 *
 * Not here: output formatting (runs_format.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runs.h"

int runs_usage_error(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "se3flow runs: ");
    vfprintf(stderr, fmt, args);
    fprintf(stderr, "\n");
    va_end(args);
    return CLI_EXIT_USAGE;
}

bool runs_open(const char *db_option, s3f_run_store_t **store, int *exit_code)
{
    const char *path = s3f_run_store_path(db_option);
    s3f_status rc = s3f_run_store_open(path, 0, store);
    if (rc == S3F_OK) return true;
    *exit_code = cli_report(rc, "runs");
    return false;
}

double runs_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool runs_parse_id(const char *text, int64_t *id)
{
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno || end == text || *end || value <= 0) {
        runs_usage_error("'%s' is not a run id (a positive number from 'se3flow runs')", text);
        return false;
    }
    *id = value;
    return true;
}

static bool parse_age(const char *text, double now, double *out)
{
    static const struct {
        char unit;
        double seconds;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400}};
    char *end = NULL;
    double amount = strtod(text, &end);
    if (end == text || amount < 0 || end[0] == '\0' || end[1] != '\0') return false;
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
        if (end[0] == units[k].unit) {
            *out = now - amount * units[k].seconds;
            return true;
        }
    return false;
}

static bool parse_date(const char *text, double *out)
{
    static const char *const formats[] = {"%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M",
                                          "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"};
    for (size_t k = 0; k < sizeof formats / sizeof formats[0]; k++) {
        struct tm tm = {0};
        const char *end = strptime(text, formats[k], &tm);
        if (!end || *end) continue;
        tm.tm_isdst = -1;
        time_t t = mktime(&tm);
        if (t == (time_t)-1) return false;
        *out = (double)t;
        return true;
    }
    return false;
}

bool runs_parse_since(const char *text, double now, double *out)
{
    return parse_age(text, now, out) || parse_date(text, out);
}
