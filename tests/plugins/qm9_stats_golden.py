#!/usr/bin/env python3
"""qm9_stats_golden.py MAKE_QM9_NPZ — prints the golden target statistics
that test_qm9.c checks: NumPy's own mean and population std (the reference's
computation, SPEC §14.5) of the training split, for files that make_qm9_npz
writes. Needs numpy; the test itself does not (the values are committed).

The split is the reference's: PyTorch's CPU randperm with MT19937 seeded 0
(Python's Mersenne Twister set to the init_genrand(0) state), train = the
first floor(M x 100000 / 130831)."""
import os
import random
import subprocess
import sys
import tempfile

import numpy as np


def train_indices(m):
    mt = [0] * 624
    for i in range(1, 624):
        mt[i] = (1812433253 * (mt[i - 1] ^ (mt[i - 1] >> 30)) + i) & 0xFFFFFFFF
    random.setstate((3, tuple(mt) + (624,), None))
    r = list(range(m))
    for i in range(m - 1):
        k = random.getrandbits(32) % (m - i)
        r[i], r[i + k] = r[i + k], r[i]
    return r[: m * 100000 // 130831]


def main():
    with tempfile.TemporaryDirectory() as d:
        for words in (["narrow"], []):
            path = os.path.join(d, "q.npz")
            subprocess.run([sys.argv[1], path, "400"] + words, check=True)
            z = np.load(path)
            t = z["targets"][train_indices(400)]
            for col in (2, 11):
                x = t[:, col]
                print("%s col %d: mean %s std %s" % (x.dtype, col, float(x.mean()).hex(),
                                                     float(x.std()).hex()))


main()
