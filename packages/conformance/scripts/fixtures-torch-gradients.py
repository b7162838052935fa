#!/usr/bin/env python3
"""Gradient fixtures from PyTorch autograd (Debian's python3-torch; run with /usr/bin/python3).

Writes packages/conformance/fixtures/torch-gradients.json: for each case the forward call (op, options,
input, weight, bias?), a gradient of the output, and autograd's gradients of input, weight and bias.
The bias gradient is always recorded (a zero bias that requires grad is added when the case has none:
it changes neither other gradient). Deterministic: fixed seed, float64 sources rounded to the case's
dtype before the op runs.

    /usr/bin/python3 packages/conformance/scripts/fixtures-torch-gradients.py

Tolerance per gradient: |actual - expected| <= atol, atol = 2·(terms + 2)·u·max|g|, where |g| is the same
gradient computed in float64 from |x|, |w|, |gy| (the worst-case rounding of a sum of `terms` products,
once for PyTorch and once for the implementation under test; u = 2^-24 or 2^-53).
"""
import json
import os

import torch
from torch_fixtures import CT, CV, MODULE, ROOT, per_axis, rand, tensor_json

GEN = "packages/conformance/scripts/fixtures-torch-gradients.py"
FRAMEWORK = f"PyTorch {torch.__version__} autograd"


def forward(op, rank, x, w, b, stride, padding, dilation, groups, op_pad):
    if op == "conv":
        return CV[rank](x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    return CT[rank](x, w, b, stride=stride, padding=padding, output_padding=op_pad, groups=groups, dilation=dilation)


def grads(op, rank, x, w, b, gy, **kw):
    x = x.detach().clone().requires_grad_(True)
    w = w.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    y = forward(op, rank, x, w, b, **kw)
    y.backward(gy)
    return y.detach(), x.grad.detach(), w.grad.detach(), b.grad.detach()


def case(cases, gen, cid, title, op, x_shape, w_shape, tags, dtype="float32", bias=False, **opts):
    rank = len(x_shape) - 2
    groups = opts.get("groups", 1)
    out_ch = w_shape[1] * groups if op == "convTranspose" else w_shape[0]
    x = rand(gen, x_shape, dtype)
    w = rand(gen, w_shape, dtype)
    b = rand(gen, [out_ch], dtype) if bias else torch.zeros(out_ch, dtype=x.dtype)
    kw = {
        "stride": per_axis(opts.get("stride", 1), rank),
        "padding": per_axis(opts.get("padding", 0), rank),
        "dilation": per_axis(opts.get("dilation", 1), rank),
        "groups": groups,
        "op_pad": per_axis(opts.get("output_padding", 0), rank),
    }
    options = {k: kw[k] for k in ("stride", "padding", "dilation", "groups")}
    if op == "convTranspose" and "output_size" in opts:
        # PyTorch's output_size rule, through the module, gives the output padding it implies
        m = MODULE[rank](x_shape[1], out_ch, w_shape[2:], stride=kw["stride"], padding=kw["padding"],
                         dilation=kw["dilation"], groups=groups, bias=False)
        pad = m._output_padding(x, list(opts["output_size"]), kw["stride"], kw["padding"], w_shape[2:], rank,
                                kw["dilation"])
        kw["op_pad"] = list(pad)
        options["outputSize"] = list(opts["output_size"])
    elif op == "convTranspose":
        options["outputPadding"] = kw["op_pad"]
    y0 = forward(op, rank, x, w, b, **kw).detach()
    gy = rand(gen, list(y0.shape), dtype)
    y, gx, gw, gb = grads(op, rank, x, w, b, gy, **kw)
    assert list(y.shape) == list(y0.shape)
    if "outputSize" in options:
        assert list(y.shape[2:]) == options["outputSize"]
    # magnitudes: the same gradients of |x|, |w|, |gy| in float64
    _, mx, mw, mb = grads(op, rank, x.abs().double(), w.abs().double(), b.abs().double(), gy.abs().double(), **kw)
    u = 2.0 ** -24 if dtype == "float32" else 2.0 ** -53
    taps = 1
    for k in w_shape[2:]:
        taps *= k
    positions = 1
    for n in (x_shape[2:] if op == "convTranspose" else y.shape[2:]):
        positions *= n
    out_plane = 1
    for n in y.shape[2:]:
        out_plane *= n
    terms = {
        # ∂x sums over the output channels of the group and the taps; ∂w over batch and positions
        "input": (w_shape[1] if op == "convTranspose" else w_shape[0] // groups) * taps,
        "weight": x_shape[0] * positions,
        "bias": x_shape[0] * out_plane,
    }
    tol = {k: {"atol": 2 * (terms[k] + 2) * u * max(float(m.max()), 1e-30), "rtol": 0}
           for k, m in (("input", mx), ("weight", mw), ("bias", mb))}
    c = {
        "id": f"torch-grad/{cid}-{'f32' if dtype == 'float32' else 'f64'}",
        "title": title,
        "op": op,
        "options": options,
        "input": tensor_json(x, dtype),
        "weight": tensor_json(w, dtype),
        "gradOutput": tensor_json(gy, dtype),
        "expected": {"input": tensor_json(gx, dtype), "weight": tensor_json(gw, dtype), "bias": tensor_json(gb, dtype)},
        "tolerance": tol,
        "tags": ["pytorch", "gradient", f"{rank}d", dtype] + tags,
    }
    if bias:
        c["bias"] = tensor_json(b, dtype)
    cases.append(c)


def main():
    gen = torch.Generator().manual_seed(20261201)
    cases = []
    C = lambda *a, **k: case(cases, gen, *a, **k)
    # transposed convolutions
    C("ct1d-s3-p1-op2", "1D, stride 3, padding 1, output padding 2, batch 2", "convTranspose", [2, 3, 5], [3, 2, 4], ["stride", "padding", "output-padding", "batch"], stride=3, padding=1, output_padding=2)
    C("ct1d-d3-op2", "1D, dilation 3, output padding 2 (< dilation)", "convTranspose", [1, 2, 5], [2, 2, 3], ["dilation", "output-padding"], dilation=3, output_padding=2)
    C("ct2d-s2-p1", "2D, kernel 4, stride 2, padding 1 (DCGAN)", "convTranspose", [1, 4, 4, 4], [4, 3, 4, 4], ["stride", "padding"], stride=2, padding=1)
    C("ct2d-axes", "2D, per-axis stride (2, 3), padding (1, 0), dilation (1, 2), output padding (1, 2)", "convTranspose", [1, 2, 4, 3], [2, 3, 3, 2], ["stride", "padding", "dilation", "output-padding", "per-axis"], stride=[2, 3], padding=[1, 0], dilation=[1, 2], output_padding=[1, 2])
    C("ct2d-dilation2", "2D, dilation 2, padding 2", "convTranspose", [1, 3, 4, 4], [3, 2, 3, 3], ["dilation", "padding"], dilation=2, padding=2)
    C("ct2d-groups3-bias", "2D, groups 3, bias, batch 2", "convTranspose", [2, 6, 3, 4], [6, 2, 2, 3], ["groups", "bias", "batch"], groups=3, stride=[1, 2], bias=True)
    C("ct2d-depthwise", "2D, depthwise (groups = channels = 3), kernel 4, stride 2, padding 1", "convTranspose", [1, 3, 4, 4], [3, 1, 4, 4], ["groups", "depthwise", "stride", "padding"], groups=3, stride=2, padding=1)
    C("ct2d-output-size", "2D, output_size (9, 10) with kernel 3, stride 2, padding 1", "convTranspose", [1, 3, 5, 5], [3, 2, 3, 3], ["output-size", "stride", "padding"], stride=2, padding=1, output_size=[9, 10])
    C("ct2d-k1-s3-bias", "2D, kernel 1 smaller than stride 3, bias", "convTranspose", [1, 2, 3, 3], [2, 2, 1, 1], ["stride", "kernel-smaller-than-stride", "bias"], stride=3, bias=True)
    C("ct3d-s2-p1-op1", "3D, stride 2, padding 1, output padding 1", "convTranspose", [1, 2, 3, 3, 2], [2, 2, 3, 3, 3], ["stride", "padding", "output-padding"], stride=2, padding=1, output_padding=1)
    C("ct3d-axes-groups-bias", "3D, per-axis stride and dilation, groups 2, bias", "convTranspose", [1, 4, 2, 3, 2], [4, 1, 2, 2, 3], ["stride", "dilation", "groups", "bias", "per-axis"], stride=[1, 2, 2], dilation=[2, 1, 1], groups=2, bias=True)
    C("ct2d-s2-p1-op1", "2D, kernel 3, stride 2, padding 1, output padding 1", "convTranspose", [2, 3, 4, 4], [3, 2, 3, 3], ["stride", "padding", "output-padding", "batch"], dtype="float64", stride=2, padding=1, output_padding=1)
    C("ct1d-groups-dilation-bias", "1D, groups 2, dilation 2, bias", "convTranspose", [2, 4, 5], [4, 3, 3], ["groups", "dilation", "bias"], dtype="float64", groups=2, dilation=2, bias=True)
    C("ct3d-s2", "3D, stride 2", "convTranspose", [1, 2, 2, 3, 2], [2, 2, 2, 2, 2], ["stride"], dtype="float64", stride=2)
    # convolutions
    C("conv2d-s2-p1", "2D convolution, stride 2, padding 1 (the last input row and column unread)", "conv", [1, 3, 8, 8], [4, 3, 3, 3], ["conv", "stride", "padding"], stride=2, padding=1)
    C("conv2d-d2-groups-bias", "2D convolution, dilation 2, groups 2, bias", "conv", [1, 4, 7, 7], [6, 2, 3, 3], ["conv", "dilation", "groups", "bias"], dilation=2, groups=2, bias=True)
    C("conv1d-s3-p2", "1D convolution, stride 3, padding 2, batch 2", "conv", [2, 2, 11], [3, 2, 4], ["conv", "stride", "padding", "batch"], stride=3, padding=2)
    C("conv3d-s121", "3D convolution, stride (1, 2, 1)", "conv", [1, 2, 4, 5, 4], [3, 2, 2, 3, 2], ["conv", "stride"], stride=[1, 2, 1])
    C("conv2d-p1", "2D convolution, padding 1", "conv", [1, 2, 5, 5], [3, 2, 3, 3], ["conv", "padding"], dtype="float64", padding=1)

    path = os.path.join(ROOT, "packages/conformance/fixtures/torch-gradients.json")
    with open(path, "w") as f:
        json.dump({"generator": GEN, "framework": FRAMEWORK, "cases": cases}, f, separators=(",", ":"))
    print(f"torch-gradients.json: {len(cases)} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
