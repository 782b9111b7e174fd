/* fuzz_xyz.c — libFuzzer harness for the xyz plugin's extended XYZ reader
 * (plugins/datasets/xyz/parse.c, compiled into this harness): any byte
 * string must be either read as frames or refused with S3F_ERR_FORMAT;
 * never a crash, a hang, a leak or an out-of-bounds read (built with
 * ASan/UBSan). Every frame read is checked against its declared size and
 * must survive a round trip: written back as plain extended XYZ and read
 * again, it gives the same atoms, positions and target. The input is also
 * tried as an `elements` option. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* The reader works on a NUL-terminated copy that it cuts in place. */
static char *terminated_copy(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return NULL;
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

static volatile float g_sink; /* keeps the reads from being optimised away */

static void check_frames(const xyz_frame_list *list, const xyz_elements *elements)
{
    for (int64_t i = 0; i < list->count; i++) {
        const xyz_frame *f = &list->frames[i];
        if (f->num_atoms < 1 || f->element[f->num_atoms - 1] >= elements->count) abort();
        g_sink += f->pos[0] + f->pos[3 * f->num_atoms - 1]; /* ASan checks both ends */
    }
}

/* The frames as text (%.9g keeps every float, %.17g every double). */
static char *write_frames(const xyz_frame_list *list, const xyz_elements *elements, size_t *size)
{
    char *text = NULL;
    FILE *fp = open_memstream(&text, size);
    if (!fp) abort();
    for (int64_t i = 0; i < list->count; i++) {
        const xyz_frame *f = &list->frames[i];
        fprintf(fp, "%d\nProperties=species:S:1:pos:R:3 energy=%.17g\n", f->num_atoms, f->target);
        for (int32_t a = 0; a < f->num_atoms; a++)
            fprintf(fp, "%s %.9g %.9g %.9g\n", elements->symbol[f->element[a]], f->pos[3 * a],
                    f->pos[3 * a + 1], f->pos[3 * a + 2]);
    }
    fclose(fp);
    return text;
}

static bool same_frame(const xyz_frame *a, const xyz_frame *b)
{
    size_t n = (size_t)a->num_atoms;
    return a->num_atoms == b->num_atoms && a->target == b->target &&
           !memcmp(a->element, b->element, n) && !memcmp(a->pos, b->pos, 3 * n * sizeof(float));
}

static void check_round_trip(const xyz_frame_list *list, const xyz_elements *elements)
{
    size_t size = 0;
    char *text = write_frames(list, elements, &size);
    xyz_frame_list again = {0};
    if (xyz_parse_text("round trip", text, size, elements, "energy", &again) != S3F_OK ||
        again.count != list->count)
        abort();
    for (int64_t i = 0; i < list->count; i++)
        if (!same_frame(&list->frames[i], &again.frames[i])) abort();
    xyz_frame_list_clear(&again);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xyz_elements elements;
    char *text = terminated_copy(data, size);
    if (!text) return 0;
    (void)xyz_elements_parse(text, &elements); /* reads only */
    if (xyz_elements_parse("H,C,N,O,F,S,Cl", &elements) != S3F_OK) abort();
    xyz_frame_list list = {0};
    s3f_status rc = xyz_parse_text("fuzz", text, size, &elements, "energy", &list);
    if (rc != S3F_OK && (rc != S3F_ERR_FORMAT || list.count != 0)) abort();
    check_frames(&list, &elements);
    if (rc == S3F_OK) check_round_trip(&list, &elements);
    xyz_frame_list_clear(&list);
    free(text);
    return 0;
}
