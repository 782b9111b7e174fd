"""Shared by reference_to_se3flow.py and se3flow_to_reference.py: safetensors
files (read and write, no extra package), and the se3_transformer model
options that a reference (NVIDIA SE(3)-Transformer) state dict implies.

Parameter names are the reference's state_dict names (SPEC section 12); an
se3flow checkpoint (core/include/se3flow/checkpoint.h) stores the model's
parameters under exactly those names, its optimizer state under
'optimizer.<name>', and training state in string metadata 'se3flow.*'.
"""
import json
import re
import struct

import numpy as np

OPTIMIZER_PREFIX = 'optimizer.'
_DTYPES = {'F64': np.float64, 'F32': np.float32, 'F16': np.float16, 'I64': np.int64,
           'I32': np.int32, 'U8': np.uint8}
_CODES = {np.dtype(v): k for k, v in _DTYPES.items()}


# ----------------------------------------------------------------------------- safetensors
def write_safetensors(path, arrays, metadata):
    """arrays: {name: numpy array}; metadata: {str: str}. Larger dtypes first, so that every
    tensor starts aligned to its element size."""
    items = sorted(arrays.items(), key=lambda kv: (-kv[1].dtype.itemsize, kv[0]))
    header, offset, blobs = {}, 0, []
    for name, a in items:
        if a.dtype not in _CODES:
            raise ValueError(f'{name}: dtype {a.dtype} has no safetensors code here')
        data = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': _CODES[a.dtype], 'shape': list(a.shape),
                        'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    header['__metadata__'] = dict(metadata)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def read_safetensors(path):
    """-> ({name: numpy array}, {key: value}) ; raises ValueError naming the fault."""
    with open(path, 'rb') as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f'{path}: too short for a safetensors file')
    n = struct.unpack('<Q', raw[:8])[0]
    if 8 + n > len(raw):
        raise ValueError(f'{path}: header of {n} bytes runs past the end of the file')
    header = json.loads(raw[8:8 + n])
    metadata = header.pop('__metadata__', {}) or {}
    data = raw[8 + n:]
    arrays = {}
    for name, h in header.items():
        if h['dtype'] not in _DTYPES:
            raise ValueError(f'{path}: tensor {name} has unsupported dtype {h["dtype"]}')
        begin, end = h['data_offsets']
        dtype = np.dtype(_DTYPES[h['dtype']]).newbyteorder('<')
        arrays[name] = np.frombuffer(data[begin:end], dtype=dtype).reshape(h['shape']).astype(
            dtype.newbyteorder('='))
    return arrays, metadata


# ----------------------------------------------------------------------------- model options
_LAYER = re.compile(r'^transformer\.graph_modules\.(\d+)\.')


def _layers(names):
    return sorted({int(m.group(1)) for m in map(_LAYER.match, names) if m})


def _fuse_level(names, attention_layers):
    """The convolution layout the names show (SPEC section 12.3-12.4)."""
    hidden = attention_layers[1:]  # layer 0 is always pairwise
    if any(re.search(rf'graph_modules\.{i}\.to_key_value\.conv\.radial_func\.', n)
           for i in hidden for n in names):
        return 'full'
    if any(re.search(r'\.conv_out\.\d+\.radial_func\.', n) for n in names):
        return 'partial'
    return 'none'


def infer_options(shapes, num_heads=8, pooling='max'):
    """se3_transformer options for a reference state dict {name: shape}. num_heads and pooling
    leave no trace in the weights: they are taken as given (the reference's QM9 defaults)."""
    names = list(shapes)
    if not any(n.startswith('transformer.graph_modules.') for n in names):
        raise ValueError('not an SE(3)-Transformer state dict: no transformer.graph_modules.* '
                         'parameter')
    attention = [i for i in _layers(names) if f'transformer.graph_modules.{i}.to_query.weights.0' in shapes]
    norm = any('.group_norm.' in n for n in names)
    layer0 = f'transformer.graph_modules.{attention[0]}'
    num_degrees = sum(1 for n in names if n.startswith(layer0 + '.project.weights.'))
    num_channels = shapes[layer0 + '.project.weights.0'][0]
    query_channels = shapes[layer0 + '.to_query.weights.0'][0]
    if num_channels % query_channels:
        raise ValueError(f'{layer0}.to_query.weights.0 has {query_channels} rows, which do not divide '
                         f'num_channels {num_channels}')
    output_dim = shapes['mlp.2.weight'][0] if 'mlp.2.weight' in shapes else 0
    return {
        'num_layers': len(attention),
        'num_degrees': num_degrees,
        'num_channels': num_channels,
        'num_heads': num_heads,
        'channels_div': num_channels // query_channels,
        'norm': norm,
        'use_layer_norm': any('.radial_func.net.1.weight' in n for n in names),
        'pooling': pooling,
        'low_memory': False,
        'fuse_level': _fuse_level(names, attention),
        'output': 'scalar',
        'output_dim': output_dim,
    }


def input_sizes(shapes):
    """(node features, edge features) the state dict was trained on (fiber_in[0], fiber_edge[0])."""
    layer0 = 'transformer.graph_modules.0'
    node = shapes[layer0 + '.to_query.weights.0'][1]
    radial = [s for n, s in shapes.items() if n.startswith(layer0) and n.endswith('radial_func.net.0.weight')]
    return node, radial[0][1] - 1  # the edge length is the radial networks' last input


def yaml_value(v):
    return 'true' if v is True else 'false' if v is False else str(v)
