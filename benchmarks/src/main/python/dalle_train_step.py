#!/usr/bin/env python3
"""PyTorch's time for one training step of shapes-dalle's transformer, for the side-by-side comparison with
Pictor's (DalleTrainBench prints Pictor's for the same model, batch and threads).

OpenAI never published DALL-E's transformer, so the model is written here as Pictor's DalleTransformer defines it
(DALLE-pytorch's names): text and image token embeddings, text positions, image row + column positions, pre-LN
causal layers with a GELU MLP four times as wide, a final LayerNorm, logits over every id. Eager mode, float32,
Debian's PyTorch 1.13 with libopenblas0-openmp. The step is what Pictor's Trainer does: forward, the weighted
cross-entropy (1/8 text, 7/8 image), backward, clipping at norm 1, AdamW.

    /usr/bin/python3 benchmarks/src/main/python/dalle_train_step.py --batch 64 --threads 2
"""
import argparse
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../scripts/python"))
from pictor_fixtures import report_training_step  # noqa: E402


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, mask):
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False, attn_mask=mask)[0]
        return x + self.mlp(self.ln_2(x))


class Dalle(nn.Module):
    def __init__(self, text_vocab, n, image_vocab, s, d, layers, heads):
        super().__init__()
        self.n, self.s = n, s
        self.text_emb = nn.Embedding(text_vocab + n, d)
        self.text_pos_emb = nn.Parameter(torch.randn(n, d) * 0.02)
        self.image_emb = nn.Embedding(image_vocab, d)
        self.image_row_emb = nn.Embedding(s, d)
        self.image_col_emb = nn.Embedding(s, d)
        self.layers = nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.to_logits = nn.Linear(d, text_vocab + n + image_vocab)

    def forward(self, text, image):
        m = image.shape[1]
        d = self.text_pos_emb.shape[1]
        pos = (self.image_row_emb.weight[:, None, :] + self.image_col_emb.weight[None, :, :]).reshape(-1, d)
        x = torch.cat([self.text_emb(text) + self.text_pos_emb, self.image_emb(image) + pos[:m]], dim=1)
        length = x.shape[1]
        mask = torch.full((length, length), float("-inf")).triu(1)
        for layer in self.layers:
            x = layer(x, mask)
        return self.to_logits(self.ln_f(x))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=10)
    # shapes-dalle's shape (zoo/recipes/shapes-dalle.groovy)
    p.add_argument("--text-vocab", type=int, default=644)
    p.add_argument("--context", type=int, default=18)
    p.add_argument("--codes", type=int, default=512)
    p.add_argument("--grid", type=int, default=8)
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=8)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = Dalle(a.text_vocab, a.context, a.codes, a.grid, a.width, a.layers, a.heads)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.96), eps=1e-8, weight_decay=0.0)
    n, m = a.context, a.grid * a.grid
    total = a.text_vocab + n + a.codes
    text = torch.randint(0, a.text_vocab + n, (a.batch, n))
    codes = torch.randint(0, a.codes, (a.batch, m))
    targets = torch.cat([text[:, 1:], codes + a.text_vocab + n], dim=1)
    weights = torch.cat([torch.full((n - 1,), 0.125 / (n - 1)), torch.full((m,), 0.875 / m)])

    def step():
        logits = model(text, codes[:, :-1])
        nll = -F.log_softmax(logits, dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
        loss = (nll * weights).sum(1).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    assert total == model.to_logits.out_features
    report_training_step(step, model, a.steps, a.threads, a.batch)


if __name__ == "__main__":
    main()
