"""What the PyTorch fixture scripts share (fixtures-torch.py, fixtures-torch-gradients.py): the repository
root, PyTorch's ops by rank, the seeded float64-rounded-to-dtype sources and the JSON tensor encoding.
Imported by those scripts (run as files, so this folder is on sys.path); not run on its own.
"""
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))

CT = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
CV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
MODULE = {1: torch.nn.ConvTranspose1d, 2: torch.nn.ConvTranspose2d, 3: torch.nn.ConvTranspose3d}


def tensor_json(t, dtype):
    """The kit's JSON tensor: dims, dtype and values printed with enough digits to round-trip dtype."""
    digits = 17 if dtype == "float64" else 9
    return {"dims": list(t.shape), "type": dtype, "data": [float(f"{v:.{digits}g}") for v in t.flatten().tolist()]}


def rand(gen, shape, dtype):
    """Uniform [-1, 1) drawn in float64 from `gen`, then rounded to the case's dtype."""
    t = torch.rand(shape, generator=gen, dtype=torch.float64) * 2 - 1
    return t.to(torch.float32 if dtype == "float32" else torch.float64)


def per_axis(v, rank):
    """An option as one value per spatial axis."""
    return list(v) if isinstance(v, (list, tuple)) else [v] * rank
