#!/usr/bin/env python3
"""Convert an se3flow checkpoint (safetensors, core/include/se3flow/checkpoint.h) of the
se3_transformer model into a checkpoint that NVIDIA's PyTorch SE(3)-Transformer loads.

    se3flow_to_reference.py model.safetensors model.pth

Output (torch.save): {'state_dict': every parameter under its reference name (the names
are the same on both sides), 'epoch': se3flow.epoch}. Load it with
`model.load_state_dict(torch.load(path)['state_dict'])` into an SE3TransformerPooled built
with the options this tool prints (inferred from the names and shapes, as the other
direction does). The optimizer state ('optimizer.*') is left out. Needs PyTorch.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_interop as ri  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('input', help='se3flow checkpoint (.safetensors)')
    p.add_argument('output', help='reference checkpoint to write (.pth)')
    args = p.parse_args()
    import torch
    try:
        arrays, meta = ri.read_safetensors(args.input)
        state = {k: torch.from_numpy(v) for k, v in arrays.items() if not k.startswith(ri.OPTIMIZER_PREFIX)}
        options = ri.infer_options({k: tuple(v.shape) for k, v in state.items()})
    except (KeyError, ValueError) as e:
        sys.exit(f'{args.input}: {e}')
    epoch = int(meta.get('se3flow.epoch', 0))
    torch.save({'state_dict': state, 'epoch': epoch}, args.output)
    print(f'wrote {args.output}: {len(state)} tensors, epoch {epoch}; reference options: ' +
          ', '.join(f'{k} {ri.yaml_value(v)}' for k, v in options.items()) +
          ' (num_heads and pooling are not in the weights: use the recipe\'s)')


if __name__ == '__main__':
    main()
