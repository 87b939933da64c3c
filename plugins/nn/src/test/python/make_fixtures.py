#!/usr/bin/env python3
"""Reference fixtures for the nn layers' parity tests, computed with PyTorch.

Run with Debian's PyTorch (apt-get install python3-torch), from the repository root:

    /usr/bin/python3 plugins/nn/src/test/python/make_fixtures.py

For every layer it writes plugins/nn/src/test/resources/fixtures/<case>.safetensors holding:
  param.<name>   the layer's parameters under their upstream (PyTorch/Hugging Face) names and layouts
  input.<name>   the inputs
  output         the forward result
  loss_weight    R: the test's loss is sum(output * R)
  grad.input.<name>, grad.param.<name>   d loss / d input, d loss / d parameter
Inputs and parameters are float32 values; the reference is computed in float64 from them (so it carries no
float32 rounding of its own) and stored as float32. The Java tests must not need PyTorch: only these files.
The modules below are written for this file from the layers' published definitions; they mirror the upstream
parameter names (BERT, CLIP, diffusers) so that real checkpoints map 1:1.
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../../scripts/python"))
from pictor_fixtures import write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures")
torch.manual_seed(20261126)


def f32(*shape, scale=1.0):
    """Random float32 values, returned as float64 for the reference computation."""
    return (torch.randn(*shape) * scale).float().double()


def case(name, module, inputs, forward):
    """Runs forward in float64, backprops sum(out * R), saves everything."""
    module = module.double()
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(p.float().double())  # parameters are float32 values too
    leaves = {k: v.clone().requires_grad_(v.is_floating_point()) for k, v in inputs.items()}
    out = forward(module, **leaves)
    r = f32(*out.shape)
    (out * r).sum().backward()
    tensors = {}
    for pname, p in module.named_parameters():
        tensors["param." + pname] = p
        tensors["grad.param." + pname] = p.grad
    for k, v in leaves.items():
        tensors["input." + k] = v
        if v.grad is not None:
            tensors["grad.input." + k] = v.grad
    tensors["output"] = out
    tensors["loss_weight"] = r
    write_safetensors(os.path.join(OUT, name + ".safetensors"), tensors, "make_fixtures.py")
    print(f"{name}: output {tuple(out.shape)}, {sum(1 for k in tensors if k.startswith('param.'))} params")


def randomize(module, scale=0.5):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p) * scale)
    return module


# ---- modules with upstream parameter names -------------------------------------------------------------

class Attention(torch.nn.Module):
    """Multi-head attention; q/k/v/out projection names are given (BERT, CLIP or diffusers style)."""

    def __init__(self, dim, heads, context_dim=None, names=("to_q", "to_k", "to_v", "to_out.0")):
        super().__init__()
        self.heads = heads
        cdim = context_dim or dim
        layers = (torch.nn.Linear(dim, dim), torch.nn.Linear(cdim, dim), torch.nn.Linear(cdim, dim),
                  torch.nn.Linear(dim, dim))
        for name, layer in zip(names, layers):
            attach(self, name, layer)
        self.q, self.k, self.v, self.o = (lambda t, l=l: l(t) for l in layers)  # plain functions: no second name

    def forward(self, x, context=None, mask=None, causal=False):
        ctx = x if context is None else context
        b, t, d = x.shape
        s = ctx.shape[1]
        h, dh = self.heads, d // self.heads
        q = self.q(x).view(b, t, h, dh).transpose(1, 2)
        k = self.k(ctx).view(b, s, h, dh).transpose(1, 2)
        v = self.v(ctx).view(b, s, h, dh).transpose(1, 2)
        scores = q @ k.transpose(-1, -2) / math.sqrt(dh)
        if mask is not None:
            scores = scores + (1.0 - mask[:, None, None, :]) * -1e9
        if causal:
            keep = torch.ones(t, s, dtype=torch.bool).tril()
            scores = scores.masked_fill(~keep, -1e9)
        out = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        return self.o(out)


def attach(root, name, module):
    """Registers module under a dotted name ("attention.output.dense", "to_out.0"), making the parents."""
    parts = name.split(".")
    parent = root
    for p in parts[:-1]:
        if p not in parent._modules:
            parent.add_module(p, torch.nn.Module())
        parent = parent._modules[p]
    parent.add_module(parts[-1], module)


def named(module_dict):
    """A Module whose parameters carry exactly the given dotted names."""
    root = torch.nn.Module()
    for name, m in module_dict.items():
        attach(root, name, m)
    return root


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


def timestep_embedding(t, dim, flip_sin_to_cos=True, shift=1.0, max_period=10000.0):
    half = dim // 2
    exponent = -math.log(max_period) * torch.arange(half, dtype=torch.float64) / (half - shift)
    args = t[:, None].double() * torch.exp(exponent)[None, :]
    emb = torch.cat([torch.sin(args), torch.cos(args)], dim=-1)
    if flip_sin_to_cos:
        emb = torch.cat([emb[:, half:], emb[:, :half]], dim=-1)
    return emb


class ResnetBlock(torch.nn.Module):
    """ResNet block with time embedding, diffusers ResnetBlock2D naming."""

    def __init__(self, cin, cout, temb, groups, eps=1e-5):
        super().__init__()
        self.norm1 = torch.nn.GroupNorm(groups, cin, eps=eps)
        self.conv1 = torch.nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = torch.nn.Linear(temb, cout)
        self.norm2 = torch.nn.GroupNorm(groups, cout, eps=eps)
        self.conv2 = torch.nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = torch.nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.conv_shortcut is None else self.conv_shortcut(x)) + h


def main():
    os.makedirs(OUT, exist_ok=True)

    case("linear", torch.nn.Linear(7, 5), {"x": f32(2, 3, 7)}, lambda m, x: m(x))
    case("linear_nobias", torch.nn.Linear(6, 4, bias=False), {"x": f32(5, 6)}, lambda m, x: m(x))
    case("embedding", torch.nn.Embedding(11, 6), {"ids": torch.tensor([[1, 4, 4, 10], [0, 2, 7, 3]])},
         lambda m, ids: m(ids))
    case("layer_norm", randomize(torch.nn.LayerNorm(8, eps=1e-5)), {"x": f32(2, 3, 8, scale=3.0)},
         lambda m, x: m(x))
    case("group_norm", randomize(torch.nn.GroupNorm(4, 8, eps=1e-5)), {"x": f32(2, 8, 5, 5, scale=2.0)},
         lambda m, x: m(x))
    case("conv2d", torch.nn.Conv2d(3, 4, 3, padding=1), {"x": f32(2, 3, 6, 6)}, lambda m, x: m(x))
    case("conv2d_1x1", torch.nn.Conv2d(4, 6, 1), {"x": f32(2, 4, 5, 5)}, lambda m, x: m(x))
    case("downsample", named({"conv": torch.nn.Conv2d(4, 4, 3, stride=2, padding=1)}), {"x": f32(2, 4, 8, 8)},
         lambda m, x: m.conv(x))
    case("upsample", named({"conv": torch.nn.Conv2d(3, 3, 3, padding=1)}), {"x": f32(2, 3, 4, 4)},
         lambda m, x: m.conv(F.interpolate(x, scale_factor=2.0, mode="nearest")))
    act = torch.nn.Module()
    case("gelu", act, {"x": f32(3, 5, scale=2.0)}, lambda m, x: F.gelu(x))
    case("quick_gelu", act, {"x": f32(3, 5, scale=2.0)}, lambda m, x: quick_gelu(x))
    case("silu", act, {"x": f32(3, 5, scale=2.0)}, lambda m, x: F.silu(x))
    case("timestep_embedding", act, {"t": torch.tensor([0.0, 1.0, 10.0, 999.0]).double()},
         lambda m, t: timestep_embedding(t, 16))
    case("resnet_block", ResnetBlock(4, 8, 6, groups=2), {"x": f32(2, 4, 6, 6), "temb": f32(2, 6)},
         lambda m, x, temb: m(x, temb))
    case("resnet_block_same", ResnetBlock(4, 4, 6, groups=2), {"x": f32(2, 4, 5, 5), "temb": f32(2, 6)},
         lambda m, x, temb: m(x, temb))

    mask = torch.tensor([[1.0, 1, 1, 1, 1], [1.0, 1, 1, 0, 0]]).double()
    case("self_attention", Attention(8, 2, names=("query", "key", "value", "dense")),
         {"x": f32(2, 5, 8), "mask": mask}, lambda m, x, mask: m(x, mask=mask))
    case("causal_attention", Attention(8, 2, names=("q_proj", "k_proj", "v_proj", "out_proj")),
         {"x": f32(2, 5, 8)}, lambda m, x: m(x, causal=True))
    ctx_mask = torch.tensor([[1.0, 1, 1], [1.0, 1, 0]]).double()
    case("cross_attention", Attention(8, 2, context_dim=6), {"x": f32(2, 5, 8), "context": f32(2, 3, 6),
                                                             "mask": ctx_mask},
         lambda m, x, context, mask: m(x, context=context, mask=mask))

    mlp = named({"fc1": torch.nn.Linear(8, 16), "fc2": torch.nn.Linear(16, 8)})
    case("mlp", mlp, {"x": f32(2, 3, 8)}, lambda m, x: m.fc2(F.gelu(m.fc1(x))))

    # CLIP encoder layer: pre-LN, causal self-attention, QuickGELU.
    clip = named({"self_attn": Attention(8, 2, names=("q_proj", "k_proj", "v_proj", "out_proj")),
                  "layer_norm1": randomize(torch.nn.LayerNorm(8)), "mlp.fc1": torch.nn.Linear(8, 32),
                  "mlp.fc2": torch.nn.Linear(32, 8), "layer_norm2": randomize(torch.nn.LayerNorm(8))})

    def clip_forward(m, x):
        x = x + m.self_attn(m.layer_norm1(x), causal=True)
        return x + m.mlp.fc2(quick_gelu(m.mlp.fc1(m.layer_norm2(x))))

    case("transformer_pre_ln", clip, {"x": f32(2, 5, 8)}, clip_forward)

    # BERT layer: post-LN, padded self-attention, GELU.
    bert = named({"attention": Attention(8, 2, names=("self.query", "self.key", "self.value", "output.dense")),
                  "attention.output.LayerNorm": randomize(torch.nn.LayerNorm(8, eps=1e-12)),
                  "intermediate.dense": torch.nn.Linear(8, 32), "output.dense": torch.nn.Linear(32, 8),
                  "output.LayerNorm": randomize(torch.nn.LayerNorm(8, eps=1e-12))})

    def bert_forward(m, x, mask):
        x = m.attention._modules["output"].LayerNorm(x + m.attention(x, mask=mask))
        return m.output.LayerNorm(x + m.output.dense(F.gelu(m.intermediate.dense(x))))

    case("transformer_post_ln", bert, {"x": f32(2, 5, 8), "mask": mask}, bert_forward)



def optimizer_fixture():
    """AdamW with global-norm clipping and a warm-up + cosine schedule, in float32 as training runs it."""
    torch.manual_seed(7)
    p = torch.nn.Parameter(torch.randn(3, 4))
    q = torch.nn.Parameter(torch.randn(5))
    start = {"param.p": p.detach().clone(), "param.q": q.detach().clone()}
    opt = torch.optim.AdamW([p, q], lr=1.0, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    peak, warmup, total, low = 0.1, 2, 6, 0.01

    def lr_at(s):
        if s < warmup:
            return peak * (s + 1) / warmup
        return low + (peak - low) * 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup)))

    tensors = dict(start)
    for step in range(6):
        gp, gq = torch.randn(3, 4) * 3, torch.randn(5) * 3
        tensors[f"grad.{step}.p"], tensors[f"grad.{step}.q"] = gp.clone(), gq.clone()
        p.grad, q.grad = gp.clone(), gq.clone()
        torch.nn.utils.clip_grad_norm_([p, q], max_norm=1.0)
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        opt.step()
        tensors[f"after.{step}.p"], tensors[f"after.{step}.q"] = p.detach().clone(), q.detach().clone()
    write_safetensors(os.path.join(OUT, "adamw.safetensors"), tensors, "make_fixtures.py")
    print("adamw: 6 steps")


if __name__ == "__main__":
    main()
    optimizer_fixture()
