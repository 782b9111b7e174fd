#!/usr/bin/env python3
"""Writes the seed corpus of the xyz fuzzer (tests/fuzz/corpus/xyz): small extended XYZ
files as ASE writes them (several frames, extra per-atom columns, quoted comment values,
CRLF line ends) and a few near misses (count mismatch, no Properties, bad numbers, an
unclosed quote), with the standard library only. The harness reads them with the target
key `energy` and the elements H,C,N,O,F,S,Cl. Files named regression_* are inputs that
once found a bug; keep them."""
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "xyz")
PROPS = "Properties=species:S:1:pos:R:3"
WATER = [("O", 0.0, 0.0, 0.0), ("H", 0.9572, 0.0, 0.0), ("H", -0.2400, 0.9266, 0.0)]
METHANE = [("C", 0.0, 0.0, 0.0), ("H", 1.09, 0.0, 0.0), ("H", -0.36, 1.03, 0.0),
           ("H", -0.36, -0.51, 0.89), ("H", -0.36, -0.51, -0.89)]


def frame(atoms, comment, extra=lambda i: ""):
    lines = [str(len(atoms)), comment]
    for i, (s, x, y, z) in enumerate(atoms):
        lines.append("%-2s %12.6f %12.6f %12.6f%s" % (s, x, y, z, extra(i)))
    return "\n".join(lines) + "\n"


FILES = {
    "one_frame": frame(WATER, PROPS + " energy=-14.2"),
    "two_frames": frame(WATER, PROPS + " energy=-14.2") + frame(METHANE, PROPS + " energy=-24.0"),
    "ase_forces": frame(METHANE, 'Lattice="10 0 0 0 10 0 0 0 10" ' + PROPS +
                        ':forces:R:3 energy=-24.05 free_energy=-24.05 pbc="F F F"',
                        lambda i: " %9.5f %9.5f %9.5f" % (0.01 * i, -0.02, 0.03)),
    "columns_first": "3\nenergy=1e-3 Properties=id:I:1:species:S:1:pos:R:3:Z:I:1\n"
                     "0 O 0 0 0 8\n1 H 0.9572 0 0 1\n2 H -0.24 0.9266 0 1\n",
    "quoted": frame([("S", 0, 0, 0), ("Cl", 2.0, 0, 0)],
                    'name="a \\"quoted\\" note, with = signs" ' + PROPS + " energy=+7.5 flag"),
    "crlf_blank": (frame(WATER, PROPS + " energy=0.5") + "\n" +
                   frame(METHANE, PROPS + " energy=1.5")).replace("\n", "\r\n"),
    "count_mismatch": "3\n" + PROPS + " energy=1\nH 0 0 0\nH 1 0 0\n",
    "no_properties": "1\nenergy=1 pbc=\"F F F\"\nH 0 0 0\n",
    "bad_number": "1\n" + PROPS + " energy=1\nH 0 0.5x 0\n",
    "unclosed_quote": "1\n" + PROPS + " energy=1 note=\"open\nH 0 0 0\n",
    "nul_byte": "1\n" + PROPS + " energy=1\nH 0\0 0 0\n",
    "regression_float_overflow": "1\n" + PROPS + " energy=1\nH 0 1e39 0\n",
}

if __name__ == "__main__":
    os.makedirs(HERE, exist_ok=True)
    for name, content in FILES.items():
        with open(os.path.join(HERE, name), "w", newline="") as f:
            f.write(content)
