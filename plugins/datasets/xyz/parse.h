/* parse.h — the extended XYZ reader of the `xyz` dataset plugin: frames as
 * ASE writes them (atom count line; a comment line of key=value pairs with
 * Properties=species:S:1:pos:R:3[:...] and the per-frame target; then one
 * line per atom). It knows nothing of graphs, splits or normalisation.
 *
 * Every error is S3F_ERR_FORMAT (or S3F_ERR_IO / S3F_ERR_NOMEM) with a
 * message naming the file, the 1-based frame in that file and the 1-based
 * line. */
#ifndef XYZ_PARSE_H
#define XYZ_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <se3flow/status.h>

#define XYZ_MAX_ELEMENTS 64

/* The elements of the one-hot features, in order, with what bonds need. */
typedef struct xyz_elements {
    int count;
    char symbol[XYZ_MAX_ELEMENTS][4];
    int atomic_number[XYZ_MAX_ELEMENTS];
    double covalent_radius[XYZ_MAX_ELEMENTS]; /* Å */
} xyz_elements;

/* Fills `out` from a comma- or space-separated list of symbols ("H,C,N,O,F").
 * S3F_ERR_ARG naming an unknown symbol, a duplicate or an empty list. */
s3f_status xyz_elements_parse(const char *list, xyz_elements *out);

/* One frame as read. */
typedef struct xyz_frame {
    int32_t num_atoms;
    uint8_t *element; /* (n) index into xyz_elements; owned */
    float *pos;       /* (n, 3) Å; owned */
    double target;    /* the comment line's value of the target key */
} xyz_frame;

/* A growing list of frames; zero-initialise before the first use. */
typedef struct xyz_frame_list {
    int64_t count, capacity;
    xyz_frame *frames; /* (count) */
} xyz_frame_list;

/* Appends every frame of the file at `path` (relative paths from the
 * working directory) to `list`, whose frames it then owns. On failure the
 * list keeps the frames of earlier files and of none of this one. */
s3f_status xyz_parse_file(const char *path, const xyz_elements *elements, const char *target_key,
                          xyz_frame_list *list);

/* The same for a file already in memory: `text` (size bytes, then a NUL at
 * text[size]; borrowed, cut into lines in place) is named `name` in
 * messages. A NUL byte inside the text is an error naming its line. */
s3f_status xyz_parse_text(const char *name, char *text, size_t size, const xyz_elements *elements,
                          const char *target_key, xyz_frame_list *list);

/* Frees every frame and the list's array; the list is empty again. */
void xyz_frame_list_clear(xyz_frame_list *list);

#endif
