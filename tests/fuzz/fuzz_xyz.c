/* fuzz_xyz.c — libFuzzer harness for the xyz plugin's extended XYZ reader
 * (plugins/datasets/xyz/parse.c, compiled into this harness): any byte
 * string must be either read as frames or refused with S3F_ERR_FORMAT;
 * never a crash, a hang, a leak or an out-of-bounds read (built with
 * ASan/UBSan). Every frame read is checked against its declared size. The
 * input is also tried as an `elements` option. */
#include <stdint.h>
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

static void check_frames(const xyz_frame_list *list, const xyz_elements *elements)
{
    volatile float sink = 0; /* keeps the reads from being optimised away */
    for (int64_t i = 0; i < list->count; i++) {
        const xyz_frame *f = &list->frames[i];
        if (f->num_atoms < 1 || f->element[f->num_atoms - 1] >= elements->count) abort();
        sink += f->pos[0] + f->pos[3 * f->num_atoms - 1]; /* ASan checks both ends */
    }
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
    xyz_frame_list_clear(&list);
    free(text);
    return 0;
}
