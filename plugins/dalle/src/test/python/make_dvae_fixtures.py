#!/usr/bin/env python3
"""Parity fixtures for the dVAE, computed by OpenAI's own model code (openai/DALL-E: dall_e/encoder.py,
dall_e/decoder.py, dall_e/utils.py).

The upstream code is not part of this repository: pass the root of a checkout of openai/DALL-E (the folder holding
dall_e/). It needs torch and attrs (Debian: python3-torch, python3-attr). Run with Debian's PyTorch:

    git -C <clone of openai/DALL-E> archive HEAD dall_e | tar -x -C /tmp/dalle
    /usr/bin/python3 plugins/dalle/src/test/python/make_dvae_fixtures.py /tmp/dalle

Upstream's Conv2d casts its input to float32 and Encoder/Decoder.forward insist on float32; the fixtures are
float64 throughout, so the script runs each model's `blocks` (what forward runs after its checks) with a Conv2d
forward that keeps the input's type, and map_pixels's formula inline (it too insists on float32) — upstream's
float32 arithmetic carried out in float64.

It writes into plugins/dalle/src/test/resources/fixtures/:

  dvae.safetensors — a small Encoder (n_hid 16, n_blk_per_group 1, vocab_size 64, 3 input channels) and Decoder
    (n_init 8, n_hid 16, n_blk_per_group 1, 3 output channels) on 16 × 16 images (2 × 2 codes; upstream's size
    validators, n_hid >= 64 and vocab_size >= 512, switched off while they are built), composed as
    DALL·E trains them: pixels mapped by map_pixels, the encoder's logits relaxed by Gumbel-softmax at temperature
    tau with the given Gumbel noise, decoded:
    param.encoder.<name>, param.decoder.<name>   the state dicts (upstream names: blocks.input.w, …), float32
                             values, every parameter moved off its initial value (zero biases included)
    input.image [N, 3, 16, 16] in [0, 1], input.gumbel [N, 64, 2, 2], input.tau (a scalar), input.codes [N, 2, 2]
    output.logits            encoder(map_pixels(image))
    output.relaxed           softmax((logits + gumbel) / tau) over the codes
    output.decoded           decoder(relaxed): [N, 6, 16, 16] — 3 means and 3 log-scales of the logit-Laplace
    output.decoded_codes     decoder(one_hot(codes)): what decoding from ids gives
    output.kl                KL(q ‖ uniform) per image: Σ_cells Σ_k q log(q K), q = softmax(logits)
    loss_weight.decoded      R, and output.loss = Σ decoded · R + Σ kl
    grad.param.encoder.<name>, grad.param.decoder.<name>, grad.input.image
  Float64 throughout.

  keys_dalle_encoder.json, keys_dalle_decoder.json — {name: shape} of the published dVAE (Encoder() and Decoder()
  with upstream's defaults: n_hid 256, n_blk_per_group 2, vocab_size 8192, n_init 128), the state-dict keys the
  released encoder.pkl / decoder.pkl carry.
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../../scripts/python"))
from pictor_fixtures import write_key_listing, write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures")


def f64(*shape):
    return torch.randn(*shape).float().double()


def perturb(model):
    """Moves every parameter off its initial value (the zero biases included), rounded to float32 values."""
    with torch.no_grad():
        for p in model.parameters():
            spread = p.std().item() if p.numel() > 1 and p.std().item() > 0 else 0.1
            p.add_(0.3 * spread * torch.randn_like(p))
            p.copy_(p.float().double())


def keep_dtype_forward(self, x):
    return F.conv2d(x, self.w, self.b, padding=(self.kw - 1) // 2)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_dvae_fixtures.py <root of an openai/DALL-E checkout (holding dall_e/)>")
    sys.path.insert(0, sys.argv[1])
    import dall_e.utils as utils  # noqa: E402
    from dall_e.encoder import Encoder  # noqa: E402
    from dall_e.decoder import Decoder  # noqa: E402
    utils.Conv2d.forward = keep_dtype_forward
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(20261203)
    vocab, n, side = 64, 2, 16
    # upstream's validators (n_hid >= 64, vocab_size >= 512) only bound sizes; off, the fixture stays small
    import attr  # noqa: E402
    attr.validators.set_disabled(True)
    enc = Encoder(n_hid=16, n_blk_per_group=1, vocab_size=vocab, use_mixed_precision=False).double()
    dec = Decoder(n_init=8, n_hid=16, n_blk_per_group=1, vocab_size=vocab, use_mixed_precision=False).double()
    attr.validators.set_disabled(False)
    perturb(enc)
    perturb(dec)
    image = torch.rand(n, 3, side, side).float().double().requires_grad_()
    cells = side // 8
    gumbel = -torch.log(-torch.log(torch.rand(n, vocab, cells, cells).float().double()))
    tau = torch.tensor(0.9, dtype=torch.float64)
    codes = torch.randint(0, vocab, (n, cells, cells))

    # map_pixels's formula (the function itself insists on float32), with upstream's logit_laplace_eps
    eps = utils.logit_laplace_eps
    logits = enc.blocks((1 - 2 * eps) * image + eps)
    relaxed = F.softmax((logits + gumbel) / tau, dim=1)
    decoded = dec.blocks(relaxed)
    one_hot = F.one_hot(codes, vocab).permute(0, 3, 1, 2).double()
    decoded_codes = dec.blocks(one_hot)
    q = F.softmax(logits, dim=1)
    kl = (q * torch.log(q * vocab)).sum(dim=(1, 2, 3))
    r = f64(*decoded.shape)
    loss = (decoded * r).sum() + kl.sum()
    loss.backward()

    tensors = {"param.encoder." + k: v for k, v in enc.state_dict().items()}
    tensors.update({"param.decoder." + k: v for k, v in dec.state_dict().items()})
    tensors.update({"grad.param.encoder." + k: p.grad for k, p in enc.named_parameters()})
    tensors.update({"grad.param.decoder." + k: p.grad for k, p in dec.named_parameters()})
    tensors.update({"input.image": image.detach(), "input.gumbel": gumbel, "input.tau": tau.reshape(1),
                    "input.codes": codes, "output.logits": logits.detach(), "output.relaxed": relaxed.detach(),
                    "output.decoded": decoded.detach(), "output.decoded_codes": decoded_codes.detach(),
                    "output.kl": kl.detach(), "loss_weight.decoded": r, "output.loss": loss.detach().reshape(1),
                    "grad.input.image": image.grad})
    write_safetensors(os.path.join(OUT, "dvae.safetensors"), tensors, "make_dvae_fixtures.py")
    print(f"dvae: {sum(p.numel() for p in enc.parameters())} + {sum(p.numel() for p in dec.parameters())}"
          f" parameters, loss {loss.item():.6f}")
    # the published dVAE's keys (Encoder() / Decoder() with upstream's defaults)
    for name, module in (("keys_dalle_encoder", Encoder()), ("keys_dalle_decoder", Decoder())):
        print(f"{name}: {write_key_listing(os.path.join(OUT, name + '.json'), module)} keys")


if __name__ == "__main__":
    main()
