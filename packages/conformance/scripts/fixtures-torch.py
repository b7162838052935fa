#!/usr/bin/env python3
"""Reference fixtures from PyTorch (Debian's python3-torch; run with /usr/bin/python3).

Writes packages/conformance/fixtures/torch.json (values) and packages/core/test/fixtures/shapes-torch.json
(output shapes, and inputs PyTorch rejects). Deterministic: fixed seeds, float64 sources rounded to
the case's dtype before the op runs.

    /usr/bin/python3 packages/conformance/scripts/fixtures-torch.py
"""
import json
import os

import torch
import torch.nn.functional as F
from torch_fixtures import CT, CV, MODULE, ROOT, per_axis, rand, tensor_json

GEN = "packages/conformance/scripts/fixtures-torch.py"
FRAMEWORK = f"PyTorch {torch.__version__}"


def value_case(cases, gen, cid, title, op, x_shape, w_shape, tags, dtype="float32", bias=False, **opts):
    rank = len(x_shape) - 2
    x = rand(gen, x_shape, dtype)
    w = rand(gen, w_shape, dtype)
    out_ch = (w_shape[1] * opts.get("groups", 1)) if op == "convTranspose" else w_shape[0]
    b = rand(gen, [out_ch], dtype) if bias else None
    stride = per_axis(opts.get("stride", 1), rank)
    padding = per_axis(opts.get("padding", 0), rank)
    dilation = per_axis(opts.get("dilation", 1), rank)
    groups = opts.get("groups", 1)
    options = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    if op == "convTranspose":
        if "output_size" in opts:
            m = MODULE[rank](x_shape[1], out_ch, w_shape[2:], stride=stride, padding=padding, dilation=dilation,
                             groups=groups, bias=bias).to(x.dtype)
            with torch.no_grad():
                m.weight.copy_(w)
                if bias:
                    m.bias.copy_(b)
                y = m(x, output_size=opts["output_size"])
            options["outputSize"] = list(opts["output_size"])
        else:
            op_pad = per_axis(opts.get("output_padding", 0), rank)
            y = CT[rank](x, w, b, stride=stride, padding=padding, output_padding=op_pad, groups=groups, dilation=dilation)
            options["outputPadding"] = op_pad
    else:
        y = CV[rank](x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    y = y.detach()
    # float32: PyTorch and tconv each round differently; allow a few ulps of the largest |x·w| sum
    scale = float((CT[rank] if op == "convTranspose" else CV[rank])(
        x.abs().double(), w.abs().double(), None, stride=stride, padding=padding, dilation=dilation, groups=groups,
        **({"output_padding": per_axis(options.get("outputPadding", [0] * rank), rank)} if op == "convTranspose" and "outputSize" not in options else {}),
    ).max()) if "outputSize" not in options else float(y.abs().max()) * 4 + 1
    tol = {"atol": (4e-6 if dtype == "float32" else 1e-13) * max(scale, 1.0), "rtol": 1e-5 if dtype == "float32" else 1e-12}
    case = {
        "id": f"torch/{cid}-{'f32' if dtype == 'float32' else 'f64'}",
        "title": title,
        "op": op,
        "options": options,
        "input": tensor_json(x, dtype),
        "weight": tensor_json(w, dtype),
        "expected": tensor_json(y, dtype),
        "tolerance": tol,
        "tags": ["pytorch", f"{rank}d", dtype] + tags,
    }
    if bias:
        case["bias"] = tensor_json(b, dtype)
    cases.append(case)


def main():
    gen = torch.Generator().manual_seed(20261123)
    cases = []
    V = lambda *a, **k: value_case(cases, gen, *a, **k)
    # 1D
    V("ct1d-basic", "1D, stride 1, no padding", "convTranspose", [1, 2, 5], [2, 3, 3], ["basic"])
    V("ct1d-s3-p1-op2", "1D, stride 3, padding 1, output padding 2", "convTranspose", [2, 3, 6], [3, 2, 4], ["stride", "padding", "output-padding", "batch"], stride=3, padding=1, output_padding=2)
    V("ct1d-d3-op2", "1D, dilation 3, output padding 2 (< dilation)", "convTranspose", [1, 2, 5], [2, 2, 3], ["dilation", "output-padding"], dilation=3, output_padding=2)
    V("ct1d-long-k25-s4", "1D, wavegan-like kernel 25, stride 4, padding 11, output padding 1", "convTranspose", [1, 4, 16], [4, 2, 25], ["stride", "padding", "output-padding"], stride=4, padding=11, output_padding=1, bias=True)
    # 2D
    V("ct2d-s2-p1", "2D, stride 2, padding 1 (DCGAN)", "convTranspose", [1, 4, 4, 4], [4, 3, 4, 4], ["stride", "padding"], stride=2, padding=1)
    V("ct2d-s2-p1-op1", "2D, kernel 3, stride 2, padding 1, output padding 1", "convTranspose", [1, 3, 5, 5], [3, 2, 3, 3], ["stride", "padding", "output-padding"], stride=2, padding=1, output_padding=1)
    V("ct2d-axes", "2D, per-axis stride (2, 3), padding (1, 0), dilation (1, 2), output padding (1, 2)", "convTranspose", [1, 2, 4, 3], [2, 3, 3, 2], ["stride", "padding", "dilation", "output-padding", "per-axis"], stride=[2, 3], padding=[1, 0], dilation=[1, 2], output_padding=[1, 2])
    V("ct2d-dilation2", "2D, dilation 2, padding 2", "convTranspose", [1, 3, 5, 5], [3, 2, 3, 3], ["dilation", "padding"], dilation=2, padding=2)
    V("ct2d-groups2", "2D, groups 2", "convTranspose", [1, 4, 4, 4], [4, 3, 3, 3], ["groups"], groups=2, stride=2)
    V("ct2d-depthwise", "2D, depthwise (groups = channels = 4), kernel 4, stride 2, padding 1", "convTranspose", [1, 4, 6, 6], [4, 1, 4, 4], ["groups", "depthwise", "stride", "padding"], groups=4, stride=2, padding=1)
    V("ct2d-groups3-bias", "2D, groups 3, bias, batch 2", "convTranspose", [2, 6, 3, 4], [6, 2, 2, 3], ["groups", "bias", "batch"], groups=3, stride=[1, 2], bias=True)
    V("ct2d-bias", "2D, bias", "convTranspose", [1, 3, 4, 4], [3, 5, 3, 3], ["bias"], bias=True)
    V("ct2d-output-size", "2D, output_size (9, 10) with stride 2, padding 1: output padding (0, 1)", "convTranspose", [1, 3, 5, 5], [3, 2, 3, 3], ["output-size", "stride", "padding"], stride=2, padding=1, output_size=[9, 10])
    V("ct2d-output-size-s3", "2D, output_size at the top of the range (stride 3 → output padding 2)", "convTranspose", [1, 2, 3, 3], [2, 2, 2, 2], ["output-size", "stride"], stride=3, output_size=[9, 8])
    V("ct2d-k1-s3", "2D, kernel 1 smaller than stride 3", "convTranspose", [1, 2, 3, 3], [2, 2, 1, 1], ["stride", "kernel-smaller-than-stride"], stride=3)
    # 3D
    V("ct3d-s2-p1-op1", "3D, stride 2, padding 1, output padding 1", "convTranspose", [1, 2, 3, 3, 3], [2, 2, 3, 3, 3], ["stride", "padding", "output-padding"], stride=2, padding=1, output_padding=1)
    V("ct3d-axes-groups", "3D, per-axis stride, dilation, groups 2, bias", "convTranspose", [1, 4, 2, 3, 2], [4, 1, 2, 2, 3], ["stride", "dilation", "groups", "bias", "per-axis"], stride=[1, 2, 2], dilation=[2, 1, 1], groups=2, bias=True)
    # float64
    V("ct2d-s2-p1-op1", "2D, kernel 3, stride 2, padding 1, output padding 1", "convTranspose", [1, 3, 5, 5], [3, 2, 3, 3], ["stride", "padding", "output-padding"], dtype="float64", stride=2, padding=1, output_padding=1)
    V("ct1d-groups-bias", "1D, groups 2, dilation 2, bias", "convTranspose", [2, 4, 5], [4, 3, 3], ["groups", "dilation", "bias"], dtype="float64", groups=2, dilation=2, bias=True)
    V("ct3d-basic", "3D, stride 2", "convTranspose", [1, 2, 2, 3, 2], [2, 2, 2, 2, 2], ["stride"], dtype="float64", stride=2)
    # forward convolutions
    V("conv2d-s2-p1", "2D convolution, stride 2, padding 1", "conv", [1, 3, 7, 7], [4, 3, 3, 3], ["conv", "stride", "padding"], stride=2, padding=1)
    V("conv2d-d2-groups", "2D convolution, dilation 2, groups 2, bias", "conv", [1, 4, 8, 8], [6, 2, 3, 3], ["conv", "dilation", "groups", "bias"], dilation=2, groups=2, bias=True)
    V("conv1d-s3", "1D convolution, stride 3, padding 2", "conv", [2, 2, 11], [3, 2, 4], ["conv", "stride", "padding"], stride=3, padding=2)
    V("conv3d-basic", "3D convolution, stride (1, 2, 1)", "conv", [1, 2, 4, 5, 4], [3, 2, 2, 3, 2], ["conv", "stride"], stride=[1, 2, 1])
    V("conv2d-f64", "2D convolution in float64", "conv", [1, 2, 5, 5], [3, 2, 3, 3], ["conv", "padding"], dtype="float64", padding=1)

    with open(os.path.join(ROOT, "packages/conformance/fixtures/torch.json"), "w") as f:
        json.dump({"generator": GEN, "framework": FRAMEWORK, "cases": cases}, f, separators=(",", ":"))

    # output shapes, and what PyTorch rejects
    shapes = []
    sgen = torch.Generator().manual_seed(7)
    ri = lambda lo, hi: int(torch.randint(lo, hi + 1, (1,), generator=sgen))
    for i in range(160):
        rank = 1 + i % 3
        n = [ri(1, 7) for _ in range(rank)]
        k = [ri(1, 5) for _ in range(rank)]
        s = [ri(1, 4) for _ in range(rank)]
        d = [ri(1, 3) for _ in range(rank)]
        p = [ri(0, 3) for _ in range(rank)]
        groups = [1, 2, 3][ri(0, 2)]
        cin, cout_g = groups * ri(1, 2), ri(1, 3)
        mode = i % 4
        x = torch.zeros([1, cin] + n)
        w = torch.zeros([cin, cout_g] + k)
        options = {"stride": s, "padding": p, "dilation": d, "groups": groups}
        case = {"id": f"torch-shape-{i}", "op": "convTranspose", "inputShape": [1, cin] + n, "weightShape": [cin, cout_g] + k, "options": options}
        try:
            if mode == 3:
                # output_size: sometimes in range, sometimes one past it
                base = [(n[a] - 1) * s[a] - 2 * p[a] + d[a] * (k[a] - 1) + 1 for a in range(rank)]
                size = [base[a] + ri(0, s[a]) for a in range(rank)]
                options["outputSize"] = size
                m = MODULE[rank](cin, cout_g * groups, k, stride=s, padding=p, dilation=d, groups=groups, bias=False)
                y = m(x, output_size=size)
            else:
                op = [ri(0, max(s[a], d[a])) for a in range(rank)] if mode == 2 else [0] * rank
                options["outputPadding"] = op
                y = CT[rank](x, w, None, stride=s, padding=p, output_padding=op, groups=groups, dilation=d)
            case["expectedShape"] = list(y.shape)
        except (RuntimeError, ValueError) as e:
            case["error"] = True
            case["frameworkMessage"] = str(e).split("\n")[0][:300]
        shapes.append(case)
    # the d2l round trip: conv k5 p2 s3 on (1, 10, 16, 16), then the transposed conv
    y = F.conv2d(torch.zeros(1, 10, 16, 16), torch.zeros(20, 10, 5, 5), stride=3, padding=2)
    shapes.append({"id": "torch-shape-d2l-conv", "op": "conv", "inputShape": [1, 10, 16, 16], "weightShape": [20, 10, 5, 5], "options": {"stride": 3, "padding": 2}, "expectedShape": list(y.shape)})
    z = F.conv_transpose2d(y, torch.zeros(20, 10, 5, 5), stride=3, padding=2)
    shapes.append({"id": "torch-shape-d2l-back", "op": "convTranspose", "inputShape": list(y.shape), "weightShape": [20, 10, 5, 5], "options": {"stride": 3, "padding": 2}, "expectedShape": list(z.shape)})
    with open(os.path.join(ROOT, "packages/core/test/fixtures/shapes-torch.json"), "w") as f:
        json.dump({"generator": GEN, "framework": FRAMEWORK, "cases": shapes}, f, indent=0)
    print(f"torch.json: {len(cases)} cases; shapes-torch.json: {len(shapes)} cases ({sum(1 for c in shapes if c.get('error'))} rejected)")


if __name__ == "__main__":
    main()
