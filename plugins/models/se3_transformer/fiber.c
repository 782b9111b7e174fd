/* fiber.c — fiber arithmetic (fiber.h). */
#include "fiber.h"

fiber fiber_uniform(int num_degrees, int channels)
{
    fiber f = {{0}};
    for (int d = 0; d < num_degrees && d <= TFN_MAX_DEGREE; d++) f.channels[d] = channels;
    return f;
}

bool fiber_has(const fiber *f, int degree)
{
    return degree >= 0 && degree <= TFN_MAX_DEGREE && f->channels[degree] > 0;
}

int fiber_max_degree(const fiber *f)
{
    int m = -1;
    for (int d = 0; d <= TFN_MAX_DEGREE; d++)
        if (f->channels[d] > 0) m = d;
    return m;
}

int fiber_single_channels(const fiber *f)
{
    int c = 0;
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) {
        if (!f->channels[d]) continue;
        if (c && c != f->channels[d]) return 0;
        c = f->channels[d];
    }
    return c;
}

bool fiber_is_full(const fiber *f, int max_degree)
{
    for (int d = 0; d <= TFN_MAX_DEGREE; d++)
        if ((f->channels[d] > 0) != (d <= max_degree)) return false;
    return true;
}

int fiber_num_features(const fiber *f)
{
    int n = 0;
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) n += f->channels[d] * (2 * d + 1);
    return n;
}

int fiber_record_order(const fiber *f, int order[TFN_MAX_DEGREE + 1])
{
    int n = 0;
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) {
        if (!f->channels[d]) continue;
        int i = n++;
        while (i > 0 && f->channels[order[i - 1]] > f->channels[d]) {
            order[i] = order[i - 1];
            i--;
        }
        order[i] = d;
    }
    return n;
}
