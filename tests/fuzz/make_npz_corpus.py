#!/usr/bin/env python3
"""Writes the seed corpus of the .npz fuzzer (tests/fuzz/corpus/npz): small archives
with stored and deflated members, a zip64 one, a bare .npy and a few near misses,
built with the standard library only (zipfile writes the archives as numpy.savez does).
Files named regression_* are inputs that once found a bug; keep them."""
import io
import os
import struct
import zipfile

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "npz")


def npy(descr, shape, data, version=1, fortran=False):
    text = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)
    prefix = 10 if version == 1 else 12
    pad = (64 - (prefix + len(text) + 1) % 64) % 64
    header = (text + " " * pad + "\n").encode("latin1")
    size = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + size + header + data


def npz(members, compression=zipfile.ZIP_STORED, zip64=False):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as z:
        for name, body in members:
            with z.open(name, "w", force_zip64=zip64) as f:
                f.write(body)
    return out.getvalue()


F32 = npy("<f4", "(2, 3)", struct.pack("<6f", 1, 2, 3, 4, 5, 6))
I64 = npy("<i8", "(3,)", struct.pack("<3q", 7, -8, 9))
U8 = npy("|u1", "()", b"\x05")
F64 = npy("<f8", "(0, 4)", b"", version=2)

FILES = {
    "stored": npz([("a.npy", F32), ("b.npy", I64)]),
    "deflated": npz([("a.npy", F32), ("b.npy", I64), ("c.npy", U8)], zipfile.ZIP_DEFLATED),
    "zip64": npz([("d.npy", F64), ("i.npy", npy("<i4", "(2,)", b"\1\0\0\0\2\0\0\0"))],
                 zipfile.ZIP_DEFLATED, zip64=True),
    "bare_npy": F32,
    "big_endian": npz([("x.npy", npy(">f8", "(1,)", b"\0" * 8))]),
    "fortran": npz([("x.npy", npy("<f4", "(1, 1)", b"\0" * 4, fortran=True))]),
    "empty_zip": npz([]),
}

if __name__ == "__main__":
    os.makedirs(HERE, exist_ok=True)
    for name, content in FILES.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(content)
