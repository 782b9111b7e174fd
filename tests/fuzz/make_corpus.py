#!/usr/bin/env python3
"""Writes the seed corpus of the safetensors fuzzer (tests/fuzz/corpus/safetensors):
a few valid files and near misses, built by the format's rules with the standard
library only. Files named regression_* are inputs that once found a bug; keep them."""
import json
import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "safetensors")


def safetensors(header, data=b""):
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


FILES = {
    "valid_f32": safetensors({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8),
    "valid_meta": safetensors(
        {
            "__metadata__": {"se3flow.epoch": "3", "se3flow.target_mean": "[1.5]"},
            "a": {"dtype": "BF16", "shape": [1, 2], "data_offsets": [0, 4]},
            "b": {"dtype": "I64", "shape": [], "data_offsets": [4, 12]},
        },
        b"\1" * 12,
    ),
    "empty_header": safetensors({}),
    "overlap": safetensors(
        {
            "a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]},
            "b": {"dtype": "U8", "shape": [4], "data_offsets": [2, 6]},
        },
        b"\0" * 6,
    ),
    "short": b"\x05\0\0",
}

if __name__ == "__main__":
    os.makedirs(HERE, exist_ok=True)
    for name, content in FILES.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(content)
