/* qm9_fixture.c — writes qm9_edge.npz-layout test files (qm9_fixture.h):
 * .npy images by hand, zip with zlib's crc32 and raw deflate. */
#include "qm9_fixture.h"

#include "byte_buf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

double qm9_fixture_target(int64_t k, int c)
{
    return (double)(float)(sin(0.37 * (double)k + c) * (1 + c) - 0.25 * c);
}

/* ---- arrays ---- */

typedef struct arrays {
    int64_t m, atoms, edges;
    int64_t *n_node, *n_edge, *src, *dst;
    double *pos, *node_attr, *edge_attr, *targets;
} arrays;

static int atoms_of(const qm9_fixture *f, int64_t k)
{
    return f->single_atom ? 1 : 2 + (int)(k % 4);
}

static void fill_molecule(const qm9_fixture *f, arrays *a, int64_t k, int64_t *atom, int64_t *edge)
{
    static const int z[5] = {1, 6, 7, 8, 9};
    int n = atoms_of(f, k);
    a->n_node[k] = n;
    a->n_edge[k] = f->single_atom ? 0 : 2 * (n - 1);
    for (int i = 0; i < n; i++, (*atom)++) {
        int el = (int)((k + i) % 5);
        for (int c = 0; c < 3; c++) a->pos[3 * *atom + c] = 1.1 * i + 0.1 * c + 0.01 * (k % 7);
        a->node_attr[11 * *atom + el] = 1;
        a->node_attr[11 * *atom + 5] = z[el];
    }
    /* edges sorted by (src, dst): atom i links to i-1 (if any) then i+1 */
    for (int i = 0; i < n && !f->single_atom; i++)
        for (int j = i - 1; j <= i + 1; j += 2) {
            if (j < 0 || j >= n) continue;
            a->src[*edge] = i, a->dst[*edge] = j;
            a->edge_attr[4 * *edge + (i < j ? i : j) % 4] = 1;
            (*edge)++;
        }
    for (int c = 0; c < 19; c++)
        a->targets[19 * k + c] = c == 2 ? (double)k : qm9_fixture_target(k, c);
}

static int make_arrays(const qm9_fixture *f, arrays *a)
{
    memset(a, 0, sizeof *a);
    a->m = f->molecules;
    for (int64_t k = 0; k < a->m; k++) {
        a->atoms += atoms_of(f, k);
        a->edges += f->single_atom ? 0 : 2 * (atoms_of(f, k) - 1);
    }
    size_t m = (size_t)a->m, n = (size_t)a->atoms, e = (size_t)a->edges + 1;
    a->n_node = calloc(m, 8), a->n_edge = calloc(m, 8), a->src = calloc(e, 8);
    a->dst = calloc(e, 8), a->pos = calloc(3 * n, 8), a->node_attr = calloc(11 * n, 8);
    a->edge_attr = calloc(4 * e, 8), a->targets = calloc(19 * m, 8);
    if (!a->n_node || !a->n_edge || !a->src || !a->dst || !a->pos || !a->node_attr ||
        !a->edge_attr || !a->targets)
        return -1;
    int64_t atom = 0, edge = 0;
    for (int64_t k = 0; k < a->m; k++) fill_molecule(f, a, k, &atom, &edge);
    if (f->fault == QM9_FAULT_SUMS) a->n_node[0]++;
    if (f->fault == QM9_FAULT_SRC_RANGE && a->m > 1 && a->n_edge[1] > 0)
        a->dst[a->n_edge[0]] = a->n_node[1];
    return 0;
}

static void free_arrays(arrays *a)
{
    free(a->n_node), free(a->n_edge), free(a->src), free(a->dst);
    free(a->pos), free(a->node_attr), free(a->edge_attr), free(a->targets);
}

/* ---- .npy images ---- */

/* values (count) as `descr` ('<i4', '<i8', '<f4', '<f8'). */
static void put_values(byte_buf *b, const char *descr, const void *values, bool ints, int64_t count)
{
    for (int64_t i = 0; i < count; i++) {
        double d = ints ? (double)((const int64_t *)values)[i] : ((const double *)values)[i];
        if (!strcmp(descr, "<i4")) {
            int32_t v = (int32_t)d;
            byte_buf_put(b, &v, 4);
        } else if (!strcmp(descr, "<i8")) {
            int64_t v = ints ? ((const int64_t *)values)[i] : (int64_t)d;
            byte_buf_put(b, &v, 8);
        } else if (!strcmp(descr, "<f4")) {
            float v = (float)d;
            byte_buf_put(b, &v, 4);
        } else {
            byte_buf_put(b, &d, 8);
        }
    }
}

static byte_buf npy(const char *descr, bool fortran, const char *shape, const void *values,
                    bool ints, int64_t count)
{
    byte_buf b = {0};
    char dict[160];
    snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr,
             fortran ? "True" : "False", shape);
    size_t len = strlen(dict) + 1, pad = (64 - (10 + len) % 64) % 64;
    byte_buf_put(&b, "\x93NUMPY\x01\x00", 8);
    byte_buf_put16(&b, (unsigned)(len + pad));
    byte_buf_put(&b, dict, strlen(dict));
    for (size_t i = 0; i < pad; i++) byte_buf_put(&b, " ", 1);
    byte_buf_put(&b, "\n", 1);
    put_values(&b, descr, values, ints, count);
    return b;
}

/* ---- the zip ---- */

typedef struct member {
    char name[32];
    byte_buf body;
} member;

static void put_entry(byte_buf *z, byte_buf *cd, const member *m, const byte_buf *data, int method,
                      uint32_t crc)
{
    uint32_t offset = (uint32_t)z->n;
    size_t name_len = strlen(m->name);
    byte_buf_put32(z, 0x04034b50), byte_buf_put16(z, 20), byte_buf_put16(z, 0),
        byte_buf_put16(z, (unsigned)method);
    byte_buf_put32(z, 0x00210000), byte_buf_put32(z, crc), byte_buf_put32(z, (uint32_t)data->n);
    byte_buf_put32(z, (uint32_t)m->body.n), byte_buf_put16(z, (unsigned)name_len),
        byte_buf_put16(z, 0);
    byte_buf_put(z, m->name, name_len);
    byte_buf_put(z, data->p, data->n);
    byte_buf_put32(cd, 0x02014b50), byte_buf_put16(cd, 20), byte_buf_put16(cd, 20),
        byte_buf_put16(cd, 0);
    byte_buf_put16(cd, (unsigned)method), byte_buf_put32(cd, 0x00210000), byte_buf_put32(cd, crc);
    byte_buf_put32(cd, (uint32_t)data->n), byte_buf_put32(cd, (uint32_t)m->body.n);
    byte_buf_put16(cd, (unsigned)name_len), byte_buf_put16(cd, 0), byte_buf_put16(cd, 0),
        byte_buf_put16(cd, 0), byte_buf_put16(cd, 0);
    byte_buf_put32(cd, 0), byte_buf_put32(cd, offset);
    byte_buf_put(cd, m->name, name_len);
}

static byte_buf zip(member *m, int count, const qm9_fixture *f)
{
    byte_buf z = {0}, cd = {0};
    for (int i = 0; i < count; i++) {
        uint32_t crc = (uint32_t)crc32(0, m[i].body.p, (uInt)m[i].body.n);
        if (f->fault == QM9_FAULT_CRC && !strcmp(m[i].name, "edge_attr.npy")) crc ^= 1;
        byte_buf packed = f->deflate ? byte_buf_deflate_raw(&m[i].body) : (byte_buf){0};
        z.failed |= packed.failed;
        put_entry(&z, &cd, &m[i], f->deflate ? &packed : &m[i].body, f->deflate ? 8 : 0, crc);
        free(packed.p);
    }
    uint32_t cd_off = (uint32_t)z.n;
    byte_buf_put(&z, cd.p, cd.n);
    byte_buf_put32(&z, 0x06054b50), byte_buf_put16(&z, 0), byte_buf_put16(&z, 0),
        byte_buf_put16(&z, (unsigned)count);
    byte_buf_put16(&z, (unsigned)count), byte_buf_put32(&z, (uint32_t)cd.n);
    byte_buf_put32(&z, f->fault == QM9_FAULT_DIRECTORY ? cd_off + 1000000u : cd_off),
        byte_buf_put16(&z, 0);
    z.failed |= cd.failed;
    free(cd.p);
    return z;
}

/* ---- the file ---- */

static int make_members(const qm9_fixture *f, const arrays *a, member *m)
{
    const char *i = f->narrow ? "<i4" : "<i8", *fl = f->narrow ? "<f4" : "<f8";
    char s_m[32], s_n3[48], s_n11[48], s_e[32], s_e4[32], s_t[32];
    snprintf(s_m, sizeof s_m, "(%lld,)", (long long)a->m);
    if (f->fault == QM9_FAULT_HUGE)
        snprintf(s_n3, sizeof s_n3, "(%lld, 3)", 1LL << 60);
    else
        snprintf(s_n3, sizeof s_n3, "(%lld, 3)", (long long)a->atoms);
    snprintf(s_n11, sizeof s_n11, "(%lld, 11)", (long long)a->atoms);
    snprintf(s_e, sizeof s_e, "(%lld,)", (long long)a->edges);
    snprintf(s_e4, sizeof s_e4, "(%lld, 4)", (long long)a->edges);
    snprintf(s_t, sizeof s_t, "(%lld, 19)", (long long)a->m);
    int n = 0;
#define MEMBER(nm, image) (snprintf(m[n].name, sizeof m[n].name, "%s.npy", nm), m[n++].body = image)
    MEMBER("n_node", npy(i, false, s_m, a->n_node, true, a->m));
    MEMBER("n_edge", npy(i, false, s_m, a->n_edge, true, a->m));
    MEMBER("node_pos", npy(fl, f->fault == QM9_FAULT_FORTRAN, s_n3, a->pos, false, 3 * a->atoms));
    MEMBER("node_attr", npy(fl, false, s_n11, a->node_attr, false, 11 * a->atoms));
    MEMBER("edge_attr", npy(fl, false, s_e4, a->edge_attr, false, 4 * a->edges));
    MEMBER("src", npy(f->fault == QM9_FAULT_DTYPE ? "<f8" : i, false, s_e, a->src,
                      f->fault != QM9_FAULT_DTYPE, a->edges));
    MEMBER("dst", npy(i, false, s_e, a->dst, true, a->edges));
    if (f->fault != QM9_FAULT_MISSING)
        MEMBER("targets", npy(fl, false, s_t, a->targets, false, 19 * a->m));
#undef MEMBER
    if (f->fault == QM9_FAULT_HEADER) m[n - 1].body.n = 20; /* inside the header dict */
    return n;
}

int qm9_fixture_write(const qm9_fixture *f, const char *path)
{
    arrays a;
    member m[8] = {0};
    int rc = -1, n = 0;
    byte_buf z = {0};
    if (make_arrays(f, &a) == 0) {
        if (f->fault == QM9_FAULT_DTYPE)
            for (int64_t e = 0; e < a.edges; e++) ((double *)a.src)[e] = (double)a.src[e];
        n = make_members(f, &a, m);
        z = zip(m, n, f);
        size_t size = f->fault == QM9_FAULT_TRUNCATED ? z.n / 2 : z.n;
        FILE *fp = z.failed ? NULL : fopen(path, "wb");
        if (fp && fwrite(z.p, 1, size, fp) == size) rc = 0;
        if (fp && fclose(fp) != 0) rc = -1;
    }
    if (rc != 0) fprintf(stderr, "qm9_fixture: cannot write %s\n", path);
    for (int i = 0; i < n; i++) free(m[i].body.p);
    free(z.p);
    free_arrays(&a);
    return rc;
}
