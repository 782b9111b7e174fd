#!/usr/bin/env python3
"""Writes the example data files from a QM9 file in the qm9_edge.npz layout (SPEC §14.1),
with the standard library only:

    examples/make_examples.py QM9.npz

- examples/qm9_sample.xyz: the first 100 molecules as extended XYZ (the format ASE writes),
  all 19 QM9 targets on each comment line (`homo=-6.97 U0=-1101.5 ...`, units of SPEC §14.3),
  read by recipes/xyz_example.yaml;
- examples/dataset_plugin/molecules.csv: the first 64 molecules as one CSV row per atom
  (molecule,symbol,x,y,z,homo), read by the example dataset plugin.

The molecules are real QM9 molecules (Ramakrishnan et al., Sci. Data 1, 140022, 2014).
The committed files were made from the 2,000-molecule development sample
(../shared/data/qm9-sample.npz); the full qm9_edge.npz gives the same molecules' data."""
import ast
import os
import struct
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SYMBOLS = {1: "H", 6: "C", 7: "N", 8: "O", 9: "F"}
TARGETS = ["mu", "alpha", "homo", "lumo", "gap", "r2", "zpve", "U0", "U", "H", "G", "Cv",
           "U0_atom", "U_atom", "H_atom", "G_atom", "A", "B", "C"]
FORMATS = {"<f4": "f", "<f8": "d", "<i4": "i", "<i8": "q"}


def read_npy(archive, name):
    """(values as a flat list, shape) of a little-endian C-order .npy member."""
    data = archive.read(name + ".npy")
    header_len = struct.unpack("<H", data[8:10])[0]
    header = ast.literal_eval(data[10:10 + header_len].decode("latin1"))
    assert not header["fortran_order"], name
    count = 1
    for n in header["shape"]:
        count *= n
    code = FORMATS[header["descr"]]
    values = struct.unpack("<%d%s" % (count, code), data[10 + header_len:])
    return list(values), header["shape"]


def molecules(path, count):
    """Yields (symbols, positions, targets) of the first `count` molecules."""
    with zipfile.ZipFile(path) as z:
        n_node, _ = read_npy(z, "n_node")
        attr, attr_shape = read_npy(z, "node_attr")
        pos, _ = read_npy(z, "node_pos")
        targets, _ = read_npy(z, "targets")
    width, first = attr_shape[1], 0
    for m in range(count):
        atoms = range(first, first + n_node[m])
        symbols = [SYMBOLS[int(round(attr[a * width + 5]))] for a in atoms]
        positions = [pos[3 * a:3 * a + 3] for a in atoms]
        yield symbols, positions, targets[19 * m:19 * m + 19]
        first += n_node[m]


def write_xyz(path, mols):
    with open(path, "w") as f:
        for symbols, positions, targets in mols:
            values = " ".join("%s=%.7g" % (k, v) for k, v in zip(TARGETS, targets))
            f.write("%d\nProperties=species:S:1:pos:R:3 %s pbc=\"F F F\"\n" % (len(symbols), values))
            for s, (x, y, z) in zip(symbols, positions):
                f.write("%-2s %11.6f %11.6f %11.6f\n" % (s, x, y, z))


def write_csv(path, mols):
    with open(path, "w") as f:
        f.write("molecule,symbol,x,y,z,homo\n")
        for m, (symbols, positions, targets) in enumerate(mols):
            for s, (x, y, z) in zip(symbols, positions):
                f.write("%d,%s,%.6f,%.6f,%.6f,%.7g\n" % (m, s, x, y, z, targets[2]))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_examples.py QM9.npz")
    write_xyz(os.path.join(HERE, "qm9_sample.xyz"), molecules(sys.argv[1], 100))
    write_csv(os.path.join(HERE, "dataset_plugin", "molecules.csv"), molecules(sys.argv[1], 64))
