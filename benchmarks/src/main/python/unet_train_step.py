#!/usr/bin/env python3
"""PyTorch's time for one latent-diffusion training step of CompVis's UNetModel, for the side-by-side comparison
with Pictor's (UNetTrainBench prints Pictor's for the same config, batch and threads).

Upstream's module (pass the root of a CompVis/stable-diffusion checkout; it stays out of this repository), eager
mode, float32, with Debian's PyTorch 1.13 and libopenblas0-openmp. The config comes from an export folder
(export_unet.py writes config.json and reference.safetensors's shapes). The step is what Pictor's Trainer does:
z_t = √ᾱ z₀ + √(1 − ᾱ) ε, L_simple = mean (ε − UNet(z_t, t, c))², backward, clipping at norm 1, AdamW; gradient
checkpointing off (it trades time for memory; Pictor keeps activations).

    /usr/bin/python3 benchmarks/src/main/python/unet_train_step.py /tmp/sd /tmp/unet-small --batch 32 --threads 2
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../scripts/python"))
from ldm_upstream import install_stand_ins  # noqa: E402
from pictor_fixtures import report_training_step  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkout")
    p.add_argument("export")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--latent", type=int, default=8)
    p.add_argument("--context", type=int, default=16)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    sys.path.insert(0, a.checkout)
    install_stand_ins()
    import ldm.modules.diffusionmodules.openaimodel as openaimodel  # noqa: E402
    with open(os.path.join(a.export, "config.json")) as f:
        c = json.load(f)
    c.pop("type")
    torch.manual_seed(1)
    model = openaimodel.UNetModel(image_size=a.latent, **c)
    for m in model.modules():
        if hasattr(m, "checkpoint"):
            m.checkpoint = False
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    n = a.batch
    z0 = torch.randn(n, c["in_channels"], a.latent, a.latent)
    context = torch.randn(n, a.context, c["context_dim"])
    noise = torch.randn_like(z0)
    t = torch.randint(0, 1000, (n,))
    alpha_bar = torch.cumprod(1 - torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000) ** 2, 0)[t].view(n, 1, 1, 1)

    def step():
        zt = alpha_bar.sqrt() * z0 + (1 - alpha_bar).sqrt() * noise
        loss = ((model(zt, timesteps=t, context=context) - noise) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    report_training_step(step, model, a.steps, a.threads, n)


if __name__ == "__main__":
    main()
