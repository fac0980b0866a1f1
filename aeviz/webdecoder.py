"""Export a decoder for the browser: a list of layers with float32 weights (base64), JSON-ready.

The browser runs the forward pass itself (aeviz/ui/decoder.js), so a latent slider can redraw
the image on every `input` event of a drag without a server round trip.
Ops: linear (with a following BatchNorm1d folded in), relu, sigmoid, tanh, reshape, convT, conv
(stride 1), upsample (nearest, 2x) and nails (bed-of-nails unpooling). A module that is none of
the plain layers exports itself through an `export_ops()` method (the conv decoder does).
"""

from __future__ import annotations

import base64
import hashlib

import numpy as np
import torch
from torch import nn


def _b64(t: torch.Tensor) -> str:
    return base64.b64encode(t.detach().to(torch.float32).contiguous().numpy().tobytes()).decode()


def linear(m: nn.Linear, bn: nn.BatchNorm1d | None = None) -> dict:
    w, b = m.weight.detach(), m.bias.detach()
    if bn is not None:  # at eval BatchNorm is y = gamma (x - mean) / sqrt(var + eps) + beta: fold it into W, b
        scale = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
        w, b = w * scale[:, None], (b - bn.running_mean) * scale + bn.bias.detach()
    return linear_weights(w, b)


def linear_weights(w: torch.Tensor, b: torch.Tensor) -> dict:
    """y = W x + b with W of shape (out, in)."""
    return {"op": "linear", "in": w.shape[1], "out": w.shape[0], "w": _b64(w), "b": _b64(b)}


def conv(m: nn.Conv2d | nn.ConvTranspose2d) -> dict:
    w = m.weight
    if isinstance(m, nn.ConvTranspose2d):
        if m.padding != (0, 0) or m.output_padding != (0, 0):
            raise ValueError("the browser decoder runs transposed convolutions without padding only")
        # (C_in, C_out, k, k)
        return {
            "op": "convT",
            "cin": w.shape[0],
            "cout": w.shape[1],
            "k": w.shape[2],
            "s": m.stride[0],
            "w": _b64(w),
            "b": _b64(m.bias),
        }
    if m.stride != (1, 1):
        raise ValueError("the browser decoder runs convolutions of stride 1 only")
    # (C_out, C_in, k, k)
    return {
        "op": "conv",
        "cin": w.shape[1],
        "cout": w.shape[0],
        "k": w.shape[2],
        "pad": m.padding[0],
        "w": _b64(w),
        "b": _b64(m.bias),
    }


def ops(m: nn.Module) -> list[dict]:
    """The browser ops of module `m` (children of a Sequential in turn)."""
    if hasattr(m, "export_ops"):
        return m.export_ops()
    if isinstance(m, nn.Linear):
        return [linear(m)]
    if isinstance(m, nn.Conv2d | nn.ConvTranspose2d):
        return [conv(m)]
    if isinstance(m, nn.ReLU | nn.Sigmoid | nn.Tanh):
        return [{"op": type(m).__name__.lower()}]
    if isinstance(m, nn.Identity | nn.Flatten):
        return []
    if isinstance(m, nn.Unflatten):
        return [{"op": "reshape", "shape": list(m.unflattened_size)}]
    if isinstance(m, nn.Sequential):
        layers, children = [], list(m)
        for i, child in enumerate(children):
            after = children[i + 1] if i + 1 < len(children) else None
            if isinstance(child, nn.Linear) and isinstance(after, nn.BatchNorm1d):
                layers.append(linear(child, after))
            elif not (isinstance(child, nn.BatchNorm1d) and i and isinstance(children[i - 1], nn.Linear)):
                layers += ops(child)  # (a BatchNorm after a Linear is already folded into it)
        return layers
    raise ValueError(f"the browser decoder cannot run a {type(m).__name__} layer")


def spec(layers: list[dict], latent: list[int], shape: tuple[int, ...]) -> dict:
    """{"id", "latent", "shape", "layers"}; `id` changes whenever the weights do."""
    out = {"latent": list(latent), "shape": list(shape), "layers": layers}
    out["id"] = hashlib.sha1(repr(out).encode()).hexdigest()[:12]
    return out


def decode_numpy(spec: dict, z: np.ndarray) -> np.ndarray:
    """The spec's forward pass in numpy (the JS code's reference), for one code z."""
    h = np.asarray(z, np.float32).reshape(-1)
    for L in spec["layers"]:
        op = L["op"]
        w = np.frombuffer(base64.b64decode(L["w"]), np.float32) if "w" in L else None
        b = np.frombuffer(base64.b64decode(L["b"]), np.float32) if "b" in L else None
        if op == "linear":
            h = w.reshape(L["out"], L["in"]) @ h.reshape(-1) + b
        elif op == "relu":
            h = np.maximum(h, 0)
        elif op == "sigmoid":
            h = 1 / (1 + np.exp(-h))
        elif op == "tanh":
            h = np.tanh(h)
        elif op == "reshape":
            h = h.reshape(L["shape"])
        else:  # spatial ops: let torch do them, this is only the test's reference
            t = torch.from_numpy(np.ascontiguousarray(h))[None]
            if op == "upsample":
                t = torch.nn.functional.interpolate(t, scale_factor=2, mode="nearest")
            elif op == "nails":
                from aeviz.models.unpool import bed_of_nails

                t = torch.nn.functional.max_unpool2d(t, bed_of_nails(t), 2)
            elif op == "convT":
                wt = torch.from_numpy(w.copy()).reshape(L["cin"], L["cout"], L["k"], L["k"])
                t = torch.nn.functional.conv_transpose2d(t, wt, torch.from_numpy(b.copy()), stride=L["s"])
            elif op == "conv":
                wt = torch.from_numpy(w.copy()).reshape(L["cout"], L["cin"], L["k"], L["k"])
                t = torch.nn.functional.conv2d(t, wt, torch.from_numpy(b.copy()), padding=L["pad"])
            h = t[0].numpy()
    return h.reshape(spec["shape"])
