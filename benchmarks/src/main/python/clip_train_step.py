#!/usr/bin/env python3
"""PyTorch's time for one contrastive training step of a CLIP, for the side-by-side comparison with Pictor's
(ClipTrainBench prints Pictor's for the same model, batch and threads).

OpenAI's module (pass the path of clip/model.py; it stays out of this repository), eager mode, float32, with
Debian's PyTorch 1.13 — and libopenblas0-openmp installed, or PyTorch falls back to the reference BLAS and the
comparison is void (the script refuses then). The step is what Pictor's Trainer does: forward of both towers,
the symmetric cross-entropy over the batch's similarities, backward, gradient clipping at norm 1, AdamW.

    /usr/bin/python3 benchmarks/src/main/python/clip_train_step.py /tmp/clip_model.py --batch 128 --threads 2
"""
import argparse
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../scripts/python"))
from pictor_fixtures import load_upstream, report_training_step  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model_py")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=10)
    # shapes-clip's shape (zoo/recipes/shapes-clip.groovy)
    p.add_argument("--vocab", type=int, default=644)
    p.add_argument("--context", type=int, default=32)
    p.add_argument("--image", type=int, default=32)
    p.add_argument("--patch", type=int, default=8)
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--text-width", type=int, default=128)
    p.add_argument("--text-layers", type=int, default=3)
    p.add_argument("--embed", type=int, default=128)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    blas = torch.__config__.show()
    if "openblas" not in blas.lower() and "mkl" not in blas.lower():
        print("warning: torch reports no optimised BLAS in its build config:\n" + blas)
    up = load_upstream(a.model_py)
    torch.manual_seed(1)
    model = up.CLIP(a.embed, a.image, a.layers, a.width, a.patch, a.context, a.vocab, a.text_width, a.heads,
                    a.text_layers)
    # upstream derives the ViT's heads as width / 64; shapes-clip chooses them: the same tower with its heads
    model.visual = up.VisionTransformer(a.image, a.patch, a.width, a.layers, a.heads, a.embed)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.0)
    n = a.batch
    images = torch.randn(n, 3, a.image, a.image)
    ids = torch.randint(1, a.vocab - 2, (n, a.context))
    ids[:, -1] = a.vocab - 1
    labels = torch.arange(n)

    def step():
        logits_per_image, logits_per_text = model(images, ids)
        loss = (F.cross_entropy(logits_per_image, labels) + F.cross_entropy(logits_per_text, labels)) / 2
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    report_training_step(step, model, a.steps, a.threads, n)


if __name__ == "__main__":
    main()
