#!/usr/bin/env python3
"""Convert a checkpoint of NVIDIA's PyTorch SE(3)-Transformer (the reference) into an se3flow
checkpoint (safetensors, core/include/se3flow/checkpoint.h).

    reference_to_se3flow.py model.pth model.safetensors [--target-mean M --target-std S]
        [--num-heads 8] [--pooling max] [--task homo] [--unsafe-load]

Input: what the reference's training writes with torch.save (SPEC section 15.5): a dict with
'state_dict' (the model, SPEC section 12 names; a DDP 'module.' prefix is dropped),
'optimizer_state_dict', 'epoch', 'scheduler_state_dict'; a bare state dict works too.
Output: every parameter under its reference name in its stored dtype, and metadata:
  se3flow.recipe        a recipe for the se3_transformer model with the options the
                        names and shapes imply (layers, degrees, channels, channels_div,
                        norm, use_layer_norm, fuse_level, output_dim); num_heads and
                        pooling leave no trace in the weights and come from the flags
  se3flow.epoch         the reference's 'epoch' (the epoch it would resume at)
  se3flow.target_mean / se3flow.target_std   when given (the reference computes them at
                        run time from its training split and does not save them)
  se3flow.converted_from, se3flow.source      provenance
The optimizer state is not converted (se3flow's optimizers keep flat slabs in their own
layout): resuming from the converted file starts with fresh optimizer moments.
Needs PyTorch (torch.load).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_interop as ri  # noqa: E402


def load_state_dict(path, unsafe):
    import torch
    try:
        ckpt = torch.load(path, map_location='cpu', weights_only=not unsafe)
    except Exception as e:  # weights_only refuses pickled objects (e.g. a scheduler's)
        sys.exit(f'{path}: cannot load ({e}); if you trust the file, rerun with --unsafe-load')
    if not isinstance(ckpt, dict):
        sys.exit(f'{path}: holds a {type(ckpt).__name__}, not a checkpoint dict or state dict')
    state = ckpt.get('state_dict', ckpt)
    if not all(hasattr(v, 'detach') for v in state.values()):
        sys.exit(f"{path}: 'state_dict' is missing and the file is not a bare state dict")
    strip = all(k.startswith('module.') for k in state)
    tensors = {k[len('module.'):] if strip else k: v.detach().cpu().numpy() for k, v in state.items()}
    return tensors, ckpt.get('epoch')


def recipe_text(options, task, source):
    lines = [f'# converted from {source} by tools/reference_to_se3flow.py',
             '# model options inferred from the state dict; num_heads and pooling as given',
             'dataset:', '  name: qm9', f'  task: {task}', 'model:', '  name: se3_transformer']
    lines += [f'  {k}: {ri.yaml_value(v)}' for k, v in options.items()]
    return '\n'.join(lines) + '\n'


def metadata(args, options, epoch):
    meta = {'se3flow.recipe': recipe_text(options, args.task, os.path.basename(args.input)),
            'se3flow.converted_from': os.path.basename(args.input),
            'se3flow.source': 'NVIDIA DeepLearningExamples SE3Transformer checkpoint'}
    if epoch is not None:
        meta['se3flow.epoch'] = str(int(epoch))
    if (args.target_mean is None) != (args.target_std is None):
        sys.exit('give both --target-mean and --target-std, or neither')
    if args.target_mean is not None:
        meta['se3flow.target_mean'] = f'[{args.target_mean!r}]'
        meta['se3flow.target_std'] = f'[{args.target_std!r}]'
    return meta


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('input', help='reference checkpoint (.pth)')
    p.add_argument('output', help='se3flow checkpoint to write (.safetensors)')
    p.add_argument('--num-heads', type=int, default=8, help='attention heads (not in the weights; default 8)')
    p.add_argument('--pooling', choices=['max', 'mean'], default='max', help='graph pooling (default max)')
    p.add_argument('--task', default='homo', help='the QM9 target the model was trained on (default homo)')
    p.add_argument('--target-mean', type=float, help='normalisation mean of the target (physical units)')
    p.add_argument('--target-std', type=float, help='normalisation std of the target')
    p.add_argument('--unsafe-load', action='store_true',
                   help='torch.load with weights_only=False (runs pickled code: trusted files only)')
    args = p.parse_args()
    tensors, epoch = load_state_dict(args.input, args.unsafe_load)
    try:
        options = ri.infer_options({k: v.shape for k, v in tensors.items()}, args.num_heads, args.pooling)
    except (KeyError, ValueError) as e:
        sys.exit(f'{args.input}: {e}')
    dtypes = {str(v.dtype) for v in tensors.values()}
    if dtypes - {'float32', 'float64'} or len(dtypes) != 1:
        sys.exit(f'{args.input}: parameters are {sorted(dtypes)}; se3flow needs one of float32, float64')
    options['dtype'] = 'f64' if dtypes == {'float64'} else 'f32'
    ri.write_safetensors(args.output, {k: np.asarray(v) for k, v in tensors.items()},
                         metadata(args, options, epoch))
    node, edge = ri.input_sizes({k: v.shape for k, v in tensors.items()})
    print(f'wrote {args.output}: {len(tensors)} tensors, {sum(v.size for v in tensors.values())} values; '
          f'{node} node and {edge} edge features; model: ' +
          ', '.join(f'{k} {ri.yaml_value(v)}' for k, v in options.items()))


if __name__ == '__main__':
    main()
