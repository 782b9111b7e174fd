/* runs_format.c — text for people and for other programs: times,
 * durations, CSV fields, metric keys, the best validation value and
 * Unicode sparklines.
 *
 * Not here: which runs or metrics (the subcommands). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runs.h"

void runs_format_time(double unix_seconds, char *out, size_t size)
{
    if (isnan(unix_seconds)) {
        snprintf(out, size, "-");
        return;
    }
    time_t t = (time_t)unix_seconds;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%d %H:%M", &tm);
}

void runs_format_iso(double unix_seconds, char *out, size_t size)
{
    out[0] = '\0';
    if (isnan(unix_seconds)) return;
    time_t t = (time_t)unix_seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void runs_format_duration(double seconds, char *out, size_t size)
{
    long long s = (long long)llround(seconds > 0 ? seconds : 0);
    if (s < 60)
        snprintf(out, size, "%llds", s);
    else if (s < 3600)
        snprintf(out, size, "%lldm%02llds", s / 60, s % 60);
    else if (s < 86400)
        snprintf(out, size, "%lldh%02lldm", s / 3600, s % 3600 / 60);
    else
        snprintf(out, size, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}

void runs_csv_field(FILE *out, const char *text)
{
    if (!strpbrk(text, ",\"\r\n")) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (const char *c = text; *c; c++) {
        if (*c == '"') fputc('"', out);
        fputc(*c, out);
    }
    fputc('"', out);
}

void runs_metric_key(const s3f_metric *metric, char *out, size_t size)
{
    if (metric->split[0])
        snprintf(out, size, "%s_%s", metric->split, metric->name);
    else
        snprintf(out, size, "%s", metric->name);
}

bool runs_best_validation(const s3f_run_record *run, const char **key, double *value)
{
    static const char *const preferred[] = {"best.val_mae", "best.val_loss"};
    for (size_t k = 0; k < sizeof preferred / sizeof preferred[0]; k++)
        for (int i = 0; i < run->summary_count; i++)
            if (strcmp(run->summary[i].key, preferred[k]) == 0) {
                *key = run->summary[i].key + strlen("best.");
                *value = run->summary[i].value;
                return true;
            }
    for (int i = 0; i < run->summary_count; i++)
        if (strncmp(run->summary[i].key, "best.val_", 9) == 0) {
            *key = run->summary[i].key + strlen("best.");
            *value = run->summary[i].value;
            return true;
        }
    return false;
}

/* The mean of the finite values in [from, to); NaN when there are none. */
static double bucket_mean(const double *values, int from, int to)
{
    double sum = 0;
    int n = 0;
    for (int i = from; i < to; i++)
        if (isfinite(values[i])) sum += values[i], n++;
    return n ? sum / n : NAN;
}

void runs_sparkline(const double *values, int count, int width, char *out)
{
    static const char *const blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    int cells = count < width ? count : width;
    double *means = malloc((size_t)(cells > 0 ? cells : 1) * sizeof *means);
    out[0] = '\0';
    if (!means) return;
    double lo = INFINITY, hi = -INFINITY;
    for (int c = 0; c < cells; c++) {
        means[c] = bucket_mean(values, (int)((long)c * count / cells),
                               (int)((long)(c + 1) * count / cells));
        if (!isnan(means[c])) lo = fmin(lo, means[c]), hi = fmax(hi, means[c]);
    }
    for (int c = 0; c < cells; c++) {
        int level = hi > lo ? (int)lround((means[c] - lo) / (hi - lo) * 7) : 0;
        strcat(out, isnan(means[c]) ? " " : blocks[level]);
    }
    free(means);
}
