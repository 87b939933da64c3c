#!/usr/bin/env python3
"""Exports OpenAI's CLIP module to ONNX for the side-by-side speed comparison (ClipVsOrt), with its weights.

The upstream definition is not part of this repository: pass the path of OpenAI CLIP's clip/model.py. Run with
Debian's PyTorch 1.13 (apt-get install python3-torch libopenblas0-openmp):

    git -C <clone of openai/CLIP> show HEAD:clip/model.py > /tmp/clip_model.py
    /usr/bin/python3 benchmarks/src/main/python/export_clip.py /tmp/clip_model.py /tmp/clip-bench [vit-b-32|rn50]

Writes into the folder:
  text.onnx        encode_text: input_ids [batch, 77] int64 -> text_embeds [batch, embed]
  image.onnx       encode_image: pixel_values [batch, 3, R, R] float32 -> image_embeds [batch, embed]
  model.safetensors  the same weights, OpenAI's state-dict layout (Pictor reads it through ClipCheckpoint)
  config.json      Pictor's config of the model
The weights are upstream's own random initialisation (seeded): speed does not depend on their values.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../scripts/python"))
from pictor_fixtures import load_upstream, write_safetensors  # noqa: E402

CONFIGS = {
    # OpenAI's released ViT-B/32 (build_model's arguments for ViT-B-32.pt)
    "vit-b-32": dict(embed_dim=512, image_resolution=224, vision_layers=12, vision_width=768, vision_patch_size=32,
                     context_length=77, vocab_size=49408, transformer_width=512, transformer_heads=8,
                     transformer_layers=12),
    # OpenAI's released RN50
    "rn50": dict(embed_dim=1024, image_resolution=224, vision_layers=(3, 4, 6, 3), vision_width=64,
                 vision_patch_size=None, context_length=77, vocab_size=49408, transformer_width=512,
                 transformer_heads=8, transformer_layers=12),
}


class Text(torch.nn.Module):
    def __init__(self, clip):
        super().__init__()
        self.clip = clip

    def forward(self, input_ids):
        return self.clip.encode_text(input_ids)


class Image(torch.nn.Module):
    def __init__(self, clip):
        super().__init__()
        self.clip = clip

    def forward(self, pixel_values):
        return self.clip.encode_image(pixel_values)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: export_clip.py <clip/model.py> <out folder> [vit-b-32|rn50]")
    upstream = load_upstream(sys.argv[1])
    out = sys.argv[2]
    name = sys.argv[3] if len(sys.argv) > 3 else "vit-b-32"
    c = CONFIGS[name]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(20261201)
    model = upstream.CLIP(**c).float().eval()
    ids = torch.zeros(2, c["context_length"], dtype=torch.int64)
    ids[:, 0] = c["vocab_size"] - 2
    ids[:, 1:6] = 320
    ids[:, 6] = c["vocab_size"] - 1
    pixels = torch.randn(2, 3, c["image_resolution"], c["image_resolution"])
    # upstream's outputs first: exporting leaves the module in another state (a ResNet's BatchNorm then gives other
    # outputs), so the reference is taken from the untouched module in eval mode
    with torch.no_grad():
        reference = {"input_ids": ids, "pixel_values": pixels, "text_embeds": model.encode_text(ids),
                     "image_embeds": model.encode_image(pixels)}
    write_safetensors(os.path.join(out, "reference.safetensors"), reference, "export_clip.py")
    write_safetensors(os.path.join(out, "model.safetensors"), model.state_dict(), "export_clip.py")
    with torch.no_grad():
        torch.onnx.export(Text(model), (ids,), os.path.join(out, "text.onnx"), input_names=["input_ids"],
                          output_names=["text_embeds"], dynamic_axes={"input_ids": {0: "batch"},
                                                                      "text_embeds": {0: "batch"}},
                          opset_version=14, do_constant_folding=True)
        torch.onnx.export(Image(model), (pixels,), os.path.join(out, "image.onnx"), input_names=["pixel_values"],
                          output_names=["image_embeds"], dynamic_axes={"pixel_values": {0: "batch"},
                                                                       "image_embeds": {0: "batch"}},
                          opset_version=14, do_constant_folding=True)
    if isinstance(c["vision_layers"], tuple):
        vision = {"type": "resnet", "image_size": c["image_resolution"], "layers": list(c["vision_layers"]),
                  "width": c["vision_width"], "heads": c["vision_width"] * 32 // 64}
    else:
        vision = {"type": "vit", "image_size": c["image_resolution"], "patch_size": c["vision_patch_size"],
                  "width": c["vision_width"], "heads": c["vision_width"] // 64, "layers": c["vision_layers"],
                  "mlp_width": 4 * c["vision_width"]}
    config = {"embed_dim": c["embed_dim"], "activation": "quick_gelu", "layer_norm_eps": 1e-5,
              "text": {"vocab_size": c["vocab_size"], "context_length": c["context_length"],
                       "width": c["transformer_width"], "heads": c["transformer_heads"],
                       "layers": c["transformer_layers"], "mlp_width": 4 * c["transformer_width"]},
              "vision": vision}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    print(f"exported {name} to {out} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
