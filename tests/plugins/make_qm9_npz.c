/* make_qm9_npz.c — writes a generated qm9_edge.npz-layout file for the shell
 * tests (qm9_fixture.h):
 *     make_qm9_npz OUT MOLECULES [deflate] [narrow] [crc|truncated|sums]
 * Exit 0 on success, 2 on bad usage, 1 when the file cannot be written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qm9_fixture.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr,
                "usage: make_qm9_npz OUT MOLECULES [deflate] [narrow] [crc|truncated|sums]\n");
        return 2;
    }
    qm9_fixture f = {.molecules = atoll(argv[2])};
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "deflate"))
            f.deflate = true;
        else if (!strcmp(argv[i], "narrow"))
            f.narrow = true;
        else if (!strcmp(argv[i], "crc"))
            f.fault = QM9_FAULT_CRC;
        else if (!strcmp(argv[i], "truncated"))
            f.fault = QM9_FAULT_TRUNCATED;
        else if (!strcmp(argv[i], "sums"))
            f.fault = QM9_FAULT_SUMS;
        else {
            fprintf(stderr, "make_qm9_npz: unknown word '%s'\n", argv[i]);
            return 2;
        }
    }
    return f.molecules > 0 && qm9_fixture_write(&f, argv[1]) == 0 ? 0 : 1;
}
