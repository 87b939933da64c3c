#!/usr/bin/env python3
"""Parity fixtures for the CLIP encoders, computed by OpenAI's own model code.

The upstream definition is not part of this repository: pass the path of OpenAI CLIP's clip/model.py
(repository openai/CLIP; it needs only torch and numpy). Run with Debian's PyTorch (apt-get install python3-torch):

    git -C <clone of openai/CLIP> show HEAD:clip/model.py > /tmp/clip_model.py
    /usr/bin/python3 plugins/clip/src/test/python/make_clip_fixtures.py /tmp/clip_model.py

It writes into plugins/clip/src/test/resources/fixtures/:

  clip_vit.safetensors, clip_rn.safetensors — a small CLIP with a ViT or a ModifiedResNet image tower:
    param.<name>            the upstream state dict (OpenAI names and layouts, BatchNorm buffers included), float32
                            values, every parameter and statistic perturbed away from its initial value so that
                            none is trivially 0 or 1
    input.image             [N, 3, R, R]
    input.text              [N, context] int64: a start token (vocab-2), random tokens, the end token (vocab-1, the
                            highest id, which is what encode_text pools at), zero padding
    output.image_features   encode_image: the projected image vector (not normalised)
    output.text_features    encode_text: the projected text vector (not normalised)
    output.image_tokens     the image tower's last token states: the ViT transformer's output [N, 1+grid², width]
                            (Hugging Face's last_hidden_state), or the ResNet's layer4 map as [N, H·W, C]
    output.text_tokens      ln_final of the text transformer's output, [N, context, width]
    output.logits_per_image forward(): logit_scale.exp() · cosine similarities, [N, N]
    loss_weight.image_tokens, loss_weight.text_tokens   R₁, R₂
    output.loss             the symmetric contrastive loss (mean of the two cross-entropies against the diagonal)
                            + sum(image_tokens·R₁) + sum(text_tokens·R₂)
    grad.param.<name>       d loss / d parameter
  Everything is computed in float64 from float32 values, BatchNorm in eval mode (running statistics).

  keys_vit_b32.json, keys_rn50.json — {name: shape} of the state dict of the real ViT-B/32 and RN50 models, as the
  upstream module builds them with those checkpoints' configurations (build_model's arguments for them).
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../../scripts/python"))
from pictor_fixtures import load_upstream, write_key_listing, write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures")


def perturb(model):
    """Moves every parameter and BatchNorm statistic off its initial value, then rounds to float32 values."""
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if not t.is_floating_point():
                continue
            if name.endswith("running_var"):
                t.copy_((1 + 0.3 * torch.randn_like(t)).abs() + 0.1)
            elif name.endswith("logit_scale"):
                t.copy_(t + 0.2)
            else:
                spread = t.std().item() if t.numel() > 1 and t.std().item() > 0 else 0.1
                t.add_(0.3 * spread * torch.randn_like(t))
            t.copy_(t.float().double())


def texts(n, context, vocab):
    ids = torch.zeros(n, context, dtype=torch.int64)
    lengths = [5, context, 9, 2][:n]
    for i, length in enumerate(lengths):
        ids[i, 0] = vocab - 2
        ids[i, 1:length - 1] = torch.randint(1, vocab - 2, (length - 2,))
        ids[i, length - 1] = vocab - 1
    return ids


def case(upstream, name, resolution, vision_layers, vision_width, patch):
    context, vocab = 16, 300
    model = upstream.CLIP(embed_dim=32, image_resolution=resolution, vision_layers=vision_layers,
                          vision_width=vision_width, vision_patch_size=patch, context_length=context,
                          vocab_size=vocab, transformer_width=64, transformer_heads=4, transformer_layers=2)
    model = model.double().eval()
    perturb(model)
    n = 4
    image = torch.randn(n, 3, resolution, resolution).float().double()
    text = texts(n, context, vocab)

    captured = {}
    if isinstance(model.visual, upstream.ModifiedResNet):
        model.visual.layer4.register_forward_hook(
            lambda m, i, o: captured.__setitem__("image_tokens", o.flatten(2).permute(0, 2, 1)))
    else:
        # the transformer runs sequence-first (LND); tokens are reported batch-first
        model.visual.transformer.register_forward_hook(
            lambda m, i, o: captured.__setitem__("image_tokens", o.permute(1, 0, 2)))
    model.ln_final.register_forward_hook(lambda m, i, o: captured.__setitem__("text_tokens", o))

    image_features = model.encode_image(image)
    text_features = model.encode_text(text)
    logits_per_image, logits_per_text = model(image, text)
    # encode_* ran twice (once more inside forward): the hooks hold forward's tensors, which carry the graph
    labels = torch.arange(n)
    r1 = torch.randn(captured["image_tokens"].shape).float().double()
    r2 = torch.randn(captured["text_tokens"].shape).float().double()
    loss = (F.cross_entropy(logits_per_image, labels) + F.cross_entropy(logits_per_text, labels)) / 2 \
        + (captured["image_tokens"] * r1).sum() + (captured["text_tokens"] * r2).sum()
    loss.backward()

    tensors = {}
    for pname, t in model.state_dict().items():
        tensors["param." + pname] = t
    for pname, p in model.named_parameters():
        tensors["grad.param." + pname] = p.grad
    tensors["input.image"] = image
    tensors["input.text"] = text
    tensors["output.image_features"] = image_features
    tensors["output.text_features"] = text_features
    tensors["output.image_tokens"] = captured["image_tokens"]
    tensors["output.text_tokens"] = captured["text_tokens"]
    tensors["output.logits_per_image"] = logits_per_image
    tensors["output.loss"] = loss.reshape(1)
    tensors["loss_weight.image_tokens"] = r1
    tensors["loss_weight.text_tokens"] = r2
    write_safetensors(os.path.join(OUT, name + ".safetensors"), tensors, "make_clip_fixtures.py")
    print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, loss {loss.item():.6f}")


def keys(upstream, name, **config):
    count = write_key_listing(os.path.join(OUT, name + ".json"), upstream.CLIP(**config))
    print(f"{name}: {count} keys")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_clip_fixtures.py <path to OpenAI CLIP's clip/model.py>")
    upstream = load_upstream(sys.argv[1])
    # Upstream's LayerNorm casts its input to float32 and back, for fp16 weights; with float32 weights that is the
    # identity, with float64 weights it fails. Computing in the input's own type is therefore exactly upstream's
    # float32 behaviour, carried out in float64.
    upstream.LayerNorm.forward = torch.nn.LayerNorm.forward
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(20261201)
    case(upstream, "clip_vit", resolution=32, vision_layers=2, vision_width=128, patch=8)
    case(upstream, "clip_rn", resolution=64, vision_layers=(1, 2, 1, 1), vision_width=8, patch=None)
    # the released checkpoints' configurations (what build_model derives from ViT-B-32.pt and RN50.pt)
    text = dict(context_length=77, vocab_size=49408, transformer_width=512, transformer_heads=8, transformer_layers=12)
    keys(upstream, "keys_vit_b32", embed_dim=512, image_resolution=224, vision_layers=12, vision_width=768,
         vision_patch_size=32, **text)
    keys(upstream, "keys_rn50", embed_dim=1024, image_resolution=224, vision_layers=(3, 4, 6, 3), vision_width=64,
         vision_patch_size=None, **text)


if __name__ == "__main__":
    main()
