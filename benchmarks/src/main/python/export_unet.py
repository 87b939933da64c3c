#!/usr/bin/env python3
"""Exports CompVis's UNetModel (with spatial transformers) to ONNX for the side-by-side speed comparison
(UNetVsOrt), with its weights, Pictor's config and a reference output.

The upstream code is not part of this repository: pass the root of a CompVis/stable-diffusion checkout (the folder
holding ldm/). Run with Debian's PyTorch 1.13 (apt-get install python3-torch libopenblas0-openmp):

    mkdir -p /tmp/sd && git -C <clone of CompVis/stable-diffusion> archive HEAD ldm | tar -x -C /tmp/sd
    /usr/bin/python3 benchmarks/src/main/python/export_unet.py /tmp/sd /tmp/unet-small [small|medium]

Writes into the folder:
  unet.onnx          forward(x [batch, 4, h, w], timesteps [batch] float32, context [batch, S, ctx]) -> eps
  model.safetensors  the same weights in upstream's names (Pictor's UNetInference reads them as they are)
  config.json        Pictor's UNetConfig (upstream's unet_config parameters)
  reference.safetensors  inputs and upstream's float32 output, for the parity check before timing
Weights are upstream's initialisation moved off its zero-initialised layers (seeded): speed does not depend on the
values, but an all-zero output convolution would make the parity check vacuous.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../scripts/python"))
from ldm_upstream import install_stand_ins  # noqa: E402
from pictor_fixtures import write_safetensors  # noqa: E402

CONFIGS = {
    # the zoo's size class: 8 × 8 × 4 latents (32-pixel images, f = 4), a 128-wide text context of 16 tokens
    "small": dict(unet=dict(in_channels=4, out_channels=4, model_channels=64, num_res_blocks=2,
                             attention_resolutions=[1, 2], channel_mult=[1, 2, 2], num_heads=-1,
                             num_head_channels=32, transformer_depth=1, context_dim=128),
                  latent=8, context=16),
    # a wider, SD-shaped UNet on 32 × 32 latents with CLIP-sized context (77 × 768): where convolutions dominate
    "medium": dict(unet=dict(in_channels=4, out_channels=4, model_channels=128, num_res_blocks=2,
                             attention_resolutions=[2, 4], channel_mult=[1, 2, 4], num_heads=8,
                             num_head_channels=-1, transformer_depth=1, context_dim=768),
                   latent=32, context=77),
}


class Forward(torch.nn.Module):
    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, x, timesteps, context):
        return self.unet(x, timesteps=timesteps, context=context)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: export_unet.py <CompVis/stable-diffusion checkout root> <out folder> [small|medium]")
    sys.path.insert(0, sys.argv[1])
    install_stand_ins()
    import ldm.modules.diffusionmodules.openaimodel as openaimodel  # noqa: E402
    out = sys.argv[2]
    name = sys.argv[3] if len(sys.argv) > 3 else "small"
    c = CONFIGS[name]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(20261202)
    u = c["unet"]
    model = openaimodel.UNetModel(image_size=c["latent"], use_spatial_transformer=True, legacy=False, **u).eval()
    for m in model.modules():
        if hasattr(m, "checkpoint"):
            m.checkpoint = False   # BasicTransformerBlock's gradient checkpointing: an autograd.Function ONNX lacks
    with torch.no_grad():
        for t in model.state_dict().values():
            if t.is_floating_point():
                spread = t.std().item() if t.numel() > 1 and t.std().item() > 0 else 0.1
                t.add_(0.3 * spread * torch.randn_like(t))
    x = torch.randn(2, u["in_channels"], c["latent"], c["latent"])
    timesteps = torch.tensor([999.0, 421.0])
    context = torch.randn(2, c["context"], u["context_dim"])
    with torch.no_grad():
        eps = model(x, timesteps=timesteps, context=context)
    write_safetensors(os.path.join(out, "reference.safetensors"),
                      {"x": x, "timesteps": timesteps, "context": context, "eps": eps}, "export_unet.py")
    write_safetensors(os.path.join(out, "model.safetensors"), model.state_dict(), "export_unet.py")
    with torch.no_grad():
        torch.onnx.export(Forward(model), (x, timesteps, context), os.path.join(out, "unet.onnx"),
                          input_names=["x", "timesteps", "context"], output_names=["eps"],
                          dynamic_axes={"x": {0: "batch"}, "timesteps": {0: "batch"}, "context": {0: "batch"},
                                        "eps": {0: "batch"}},
                          opset_version=14, do_constant_folding=True)
    config = dict(type="unet", use_spatial_transformer=True, legacy=False, **u)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    print(f"exported {name} ({sum(p.numel() for p in model.parameters()) / 1e6:.2f} M parameters) to {out}"
          f" (torch {torch.__version__})")


if __name__ == "__main__":
    main()
