/* runs_svg.c — a small SVG line chart writer for `se3flow runs plot`: one
 * <path> per series over shared axes with "nice" ticks (1, 2, 5 times a
 * power of ten), grid lines, axis labels, a title and a legend.
 *
 * Not here: choosing what to plot (runs_plot.c).
 *
 * Invariant: the document is well-formed XML — every text goes through
 * xml_text — and holds exactly one <path> per series (legend swatches are
 * <line>s). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "runs.h"

#define WIDTH         760.0
#define HEIGHT        440.0
#define MARGIN_LEFT   80.0
#define MARGIN_RIGHT  210.0 /* the legend lives here */
#define MARGIN_TOP    50.0
#define MARGIN_BOTTOM 60.0
#define TICKS         5  /* about this many ticks per axis */
#define LEGEND_CHARS  28 /* longer run labels are cut to fit the margin */

static const char *const k_colors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                       "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

typedef struct axis {
    double lo, hi, step; /* lo and hi are multiples of step */
} axis;

typedef struct chart {
    FILE *out;
    axis x, y;
} chart;

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0. */
static int utf8_length(const unsigned char *s)
{
    int n = s[0] < 0x80             ? 1
            : (s[0] & 0xe0) == 0xc0 ? 2
            : (s[0] & 0xf0) == 0xe0 ? 3
            : (s[0] & 0xf8) == 0xf0 ? 4
                                    : 0;
    if (n == 2 && s[0] < 0xc2) return 0; /* overlong */
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    return n;
}

/* Writes at most `limit` characters of text as XML character data (with
 * "..." when cut): markup escaped, control characters dropped, bytes that
 * are not UTF-8 replaced by '?'. */
static void xml_text_cut(FILE *out, const char *text, int limit)
{
    int written = 0;
    for (const char *c = text; *c; c++, written++) {
        if (written == limit) {
            fputs("...", out);
            return;
        }
        int n = utf8_length((const unsigned char *)c);
        if (n != 1) {
            if (n == 0)
                fputc('?', out);
            else
                fwrite(c, 1, (size_t)n, out), c += n - 1;
            continue;
        }
        switch (*c) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&apos;", out);
            break;
        default:
            /* Control characters other than tab and newline are not XML. */
            if ((unsigned char)*c >= 0x20 || *c == '\t' || *c == '\n') fputc(*c, out);
        }
    }
}

static void xml_text(FILE *out, const char *text)
{
    xml_text_cut(out, text, -1);
}

/* A 1, 2 or 5 times a power of ten near `range` (rounded, or the next up). */
static double nice_number(double range, bool round)
{
    double exponent = floor(log10(range));
    double fraction = range / pow(10, exponent);
    double nice;
    if (round)
        nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
    else
        nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
    return nice * pow(10, exponent);
}

static axis nice_axis(double lo, double hi)
{
    if (!(hi > lo)) {
        double pad = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1;
        lo -= pad;
        hi += pad;
    }
    double step = nice_number(nice_number(hi - lo, false) / (TICKS - 1), true);
    return (axis){floor(lo / step) * step, ceil(hi / step) * step, step};
}

static double px(const chart *c, double x)
{
    return MARGIN_LEFT + (x - c->x.lo) / (c->x.hi - c->x.lo) * (WIDTH - MARGIN_LEFT - MARGIN_RIGHT);
}

static double py(const chart *c, double y)
{
    double height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM;
    return MARGIN_TOP + height - (y - c->y.lo) / (c->y.hi - c->y.lo) * height;
}

static void draw_axes(const chart *c, const char *x_label, const char *y_label)
{
    FILE *out = c->out;
    double bottom = HEIGHT - MARGIN_BOTTOM, right = WIDTH - MARGIN_RIGHT;
    for (double t = c->x.lo; t <= c->x.hi + c->x.step / 2; t += c->x.step) {
        double x = px(c, t);
        fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#e5e5e5\"/>\n",
                x, MARGIN_TOP, x, bottom);
        fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#000\"/>\n", x,
                bottom, x, bottom + 5);
        fprintf(out, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">%g</text>\n", x,
                bottom + 18, fabs(t) < c->x.step * 1e-9 ? 0.0 : t);
    }
    for (double t = c->y.lo; t <= c->y.hi + c->y.step / 2; t += c->y.step) {
        double y = py(c, t);
        fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#e5e5e5\"/>\n",
                MARGIN_LEFT, y, right, y);
        fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#000\"/>\n",
                MARGIN_LEFT - 5, y, MARGIN_LEFT, y);
        fprintf(out, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">%g</text>\n", MARGIN_LEFT - 8,
                y + 4, fabs(t) < c->y.step * 1e-9 ? 0.0 : t);
    }
    fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#000\"/>\n",
            MARGIN_LEFT, bottom, right, bottom);
    fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#000\"/>\n",
            MARGIN_LEFT, MARGIN_TOP, MARGIN_LEFT, bottom);
    fprintf(out, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">", (MARGIN_LEFT + right) / 2,
            HEIGHT - 15);
    xml_text(out, x_label);
    fprintf(out,
            "</text>\n<text transform=\"translate(20 %.2f) rotate(-90)\" "
            "text-anchor=\"middle\">",
            (MARGIN_TOP + bottom) / 2);
    xml_text(out, y_label);
    fprintf(out, "</text>\n");
}

static void draw_series(const chart *c, const runs_series *s, const char *color)
{
    fprintf(c->out, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" d=\"", color);
    bool pen_down = false;
    for (int i = 0; i < s->count; i++) {
        if (!isfinite(s->y[i])) {
            pen_down = false;
            continue;
        }
        fprintf(c->out, "%s%.2f %.2f ", pen_down ? "L" : "M", px(c, s->x[i]), py(c, s->y[i]));
        pen_down = true;
    }
    fprintf(c->out, "\"/>\n");
}

static void draw_legend(const chart *c, const runs_series *series, int count)
{
    double x = WIDTH - MARGIN_RIGHT + 15;
    for (int i = 0; i < count; i++) {
        double y = MARGIN_TOP + 10 + 20.0 * i;
        fprintf(c->out,
                "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
                "stroke-width=\"3\"/>\n<text x=\"%.2f\" y=\"%.2f\">",
                x, y, x + 20, y, k_colors[i % 10], x + 26, y + 4);
        xml_text_cut(c->out, series[i].label, LEGEND_CHARS);
        fprintf(c->out, "</text>\n");
    }
}

/* The bounds of every finite point; S3F_ERR_ARG for a series without one. */
static s3f_status bounds(const runs_series *series, int count, chart *c)
{
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int k = 0; k < count; k++) {
        int finite = 0;
        for (int i = 0; i < series[k].count; i++) {
            if (!isfinite(series[k].y[i]) || !isfinite(series[k].x[i])) continue;
            finite++;
            x0 = fmin(x0, series[k].x[i]), x1 = fmax(x1, series[k].x[i]);
            y0 = fmin(y0, series[k].y[i]), y1 = fmax(y1, series[k].y[i]);
        }
        if (!finite)
            return s3f_fail(S3F_ERR_ARG, "%s has no finite value to plot", series[k].label);
    }
    c->x = nice_axis(x0, x1);
    c->y = nice_axis(y0, y1);
    return S3F_OK;
}

s3f_status runs_svg_write(const char *path, const char *title, const char *x_label,
                          const char *y_label, const runs_series *series, int count)
{
    chart c = {0};
    S3F_RETURN_IF_ERR(bounds(series, count, &c));
    if (!(c.out = fopen(path, "w")))
        return s3f_fail(S3F_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    fprintf(c.out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n"
            "<text x=\"%.2f\" y=\"28\" text-anchor=\"middle\" font-size=\"16\">",
            WIDTH, HEIGHT, WIDTH, HEIGHT, (MARGIN_LEFT + WIDTH - MARGIN_RIGHT) / 2);
    xml_text(c.out, title);
    fprintf(c.out, "</text>\n");
    draw_axes(&c, x_label, y_label);
    for (int i = 0; i < count; i++) draw_series(&c, &series[i], k_colors[i % 10]);
    draw_legend(&c, series, count);
    fprintf(c.out, "</svg>\n");
    bool failed = ferror(c.out) != 0;
    failed = fclose(c.out) != 0 || failed;
    if (!failed) return S3F_OK;
    remove(path);
    return s3f_fail(S3F_ERR_IO, "cannot write %s: %s", path, strerror(errno));
}
