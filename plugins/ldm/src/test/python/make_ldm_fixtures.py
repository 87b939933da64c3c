#!/usr/bin/env python3
"""Parity fixtures for the latent-diffusion plugin, computed by CompVis's own model code.

The upstream code is not part of this repository: pass the root of a checkout of CompVis/stable-diffusion (the
folder holding ldm/). Its modules import einops, omegaconf, pytorch_lightning and PIL, which Debian's PyTorch
lacks: this script registers a small stand-in for einops.rearrange/repeat (the patterns ldm uses), omegaconf's
ListConfig type and a stub of ldm.util (the helpers the model modules take from it) before importing them. Run with Debian's PyTorch:

    git -C <clone of CompVis/stable-diffusion> archive HEAD ldm | tar -x -C /tmp/sd
    /usr/bin/python3 plugins/ldm/src/test/python/make_ldm_fixtures.py /tmp/sd

It writes into plugins/ldm/src/test/resources/fixtures/:

  ldm_autoencoder.safetensors — a small AutoencoderKL (ddconfig: ch 32, ch_mult (1, 2), one res block per level,
    attention at 8×8, 16×16×3 images, z_channels 4, embed_dim 4), composed as ldm/models/autoencoder.py's
    AutoencoderKL does (encoder → quant_conv → DiagonalGaussianDistribution; post_quant_conv → decoder; that class
    itself needs pytorch_lightning):
    param.<name>             the state dict (upstream names: encoder.*, decoder.*, quant_conv.*, post_quant_conv.*),
                             float32 values, every parameter perturbed off its initial value
    input.image              [N, 3, 16, 16]
    input.noise              [N, 4, 8, 8]: the sample of the posterior is mean + std · noise
    input.latent             [N, 4, 8, 8]: decoded on its own
    output.moments           quant_conv's output [N, 8, 8, 8]: mean and log-variance (before the clamp)
    output.kl                posterior.kl() [N]
    output.decoded           decode(input.latent)
    output.reconstruction    decode(mean + std · input.noise)
    loss_weight.*            R_moments, R_decoded, R_reconstruction
    output.loss              Σ moments·R_m + Σ decoded·R_d + Σ reconstruction·R_r + Σ kl
    grad.param.<name>        d loss / d parameter
  Everything in float64 from float32 values.

  ldm_unet.safetensors — a small UNetModel with spatial transformers (openaimodel.py + attention.py: in/out 4
    channels, model_channels 32, channel_mult (1, 2), one res block per level, attention at 1× and 2×
    downsampling, 2 heads, transformer depth 1, context_dim 24, legacy False: Stable Diffusion 1.x's structure,
    smaller):
    param.<name>             the state dict (upstream names: time_embed.*, input_blocks.*, middle_block.*,
                             output_blocks.*, out.*), every parameter perturbed off its initial value (the
                             zero-initialised output convolutions included)
    input.x [N, 4, 8, 8], input.timesteps [N] (int64), input.context [N, 5, 24]
    output.eps               forward(x, timesteps, context)
    loss_weight.eps, output.loss = Σ eps·R
    grad.param.<name>, grad.input.x, grad.input.context
  Float64 throughout; upstream computes three things in float32 whatever the model's type (timestep_embedding's
  frequencies, GroupNorm32, the cast of x to self.dtype): the script makes them compute in the model's type, which
  is exactly upstream's float32 behaviour carried out in float64.

  ldm_unet_scale_shift_vector.safetensors — the same small UNet with use_scale_shift_norm True and a vector
    condition of width 12 added to the time embedding as sgm's UNetModel does with num_classes "sequential" and
    adm_in_channels 12 (label_emb.0.0 / label_emb.0.2): CompVis's module with that sum spliced in for time_embed
    (TimeAndLabelEmbedding); names, inputs and outputs as ldm_unet's, plus input.y and grad.input.y.

  keys_sd_v1_autoencoder.json, keys_sd_v1_unet.json — {name: shape} of Stable Diffusion v1's first stage
  (v1-inference.yaml's ddconfig, embed_dim 4) and UNet (its unet_config), as the upstream modules build them; in an
  SD 1.x checkpoint these keys sit under first_stage_model. and model.diffusion_model.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../../scripts/python"))
from pictor_fixtures import write_key_listing, write_safetensors  # noqa: E402
from ldm_upstream import install_stand_ins  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures")


# ---- fixtures ------------------------------------------------------------------------------------------------

def perturb(model):
    """Moves every parameter off its initial value (zero-initialised convs included), rounded to float32 values."""
    with torch.no_grad():
        for _, t in model.state_dict().items():
            if not t.is_floating_point():
                continue
            spread = t.std().item() if t.numel() > 1 and t.std().item() > 0 else 0.1
            t.add_(0.3 * spread * torch.randn_like(t))
            t.copy_(t.float().double())


def f32(*shape):
    return torch.randn(*shape).float().double()


class AutoencoderKL(torch.nn.Module):
    """ldm.models.autoencoder.AutoencoderKL's modules and encode/decode, without pytorch_lightning."""

    def __init__(self, model, distributions, ddconfig, embed_dim):
        super().__init__()
        self.encoder = model.Encoder(**ddconfig)
        self.decoder = model.Decoder(**ddconfig)
        self.quant_conv = torch.nn.Conv2d(2 * ddconfig["z_channels"], 2 * embed_dim, 1)
        self.post_quant_conv = torch.nn.Conv2d(embed_dim, ddconfig["z_channels"], 1)
        self.distributions = distributions

    def encode(self, x):
        moments = self.quant_conv(self.encoder(x))
        return moments, self.distributions.DiagonalGaussianDistribution(moments)

    def decode(self, z):
        return self.decoder(self.post_quant_conv(z))


def autoencoder(model, distributions):
    ddconfig = dict(double_z=True, z_channels=4, resolution=16, in_channels=3, out_ch=3, ch=32, ch_mult=(1, 2),
                    num_res_blocks=1, attn_resolutions=[8], dropout=0.0)
    ae = AutoencoderKL(model, distributions, ddconfig, embed_dim=4).double().eval()
    perturb(ae)
    n = 2
    image, noise, latent = f32(n, 3, 16, 16), f32(n, 4, 8, 8), f32(n, 4, 8, 8)
    moments, posterior = ae.encode(image)
    kl = posterior.kl()
    decoded = ae.decode(latent)
    reconstruction = ae.decode(posterior.mean + posterior.std * noise)
    r_m, r_d, r_r = f32(*moments.shape), f32(*decoded.shape), f32(*reconstruction.shape)
    loss = (moments * r_m).sum() + (decoded * r_d).sum() + (reconstruction * r_r).sum() + kl.sum()
    loss.backward()
    tensors = {"param." + k: v for k, v in ae.state_dict().items()}
    tensors.update({"grad.param." + k: p.grad for k, p in ae.named_parameters()})
    tensors.update({"input.image": image, "input.noise": noise, "input.latent": latent,
                    "output.moments": moments, "output.kl": kl, "output.decoded": decoded,
                    "output.reconstruction": reconstruction, "loss_weight.moments": r_m,
                    "loss_weight.decoded": r_d, "loss_weight.reconstruction": r_r, "output.loss": loss.reshape(1)})
    write_safetensors(os.path.join(OUT, "ldm_autoencoder.safetensors"), tensors, "make_ldm_fixtures.py")
    print(f"ldm_autoencoder: {sum(p.numel() for p in ae.parameters())} parameters, loss {loss.item():.6f}")


def unet(openaimodel, util):
    torch.manual_seed(20261202)
    model = openaimodel.UNetModel(image_size=8, in_channels=4, out_channels=4, model_channels=32, num_res_blocks=1,
                                  attention_resolutions=[1, 2], channel_mult=(1, 2), num_heads=2,
                                  use_spatial_transformer=True, transformer_depth=1, context_dim=24, legacy=False)
    model = model.double().eval()
    model.dtype = torch.float64
    for m in model.modules():
        if hasattr(m, "checkpoint"):
            m.checkpoint = False   # BasicTransformerBlock's gradient checkpointing: same maths, plain autograd
    perturb(model)
    n = 2
    x = f32(n, 4, 8, 8).requires_grad_()
    timesteps = torch.tensor([3, 781], dtype=torch.int64)
    context = f32(n, 5, 24).requires_grad_()
    eps = model(x, timesteps=timesteps, context=context)
    r = f32(*eps.shape)
    loss = (eps * r).sum()
    loss.backward()
    tensors = {"param." + k: v for k, v in model.state_dict().items()}
    tensors.update({"grad.param." + k: p.grad for k, p in model.named_parameters()})
    tensors.update({"input.x": x, "input.timesteps": timesteps, "input.context": context, "output.eps": eps,
                    "loss_weight.eps": r, "output.loss": loss.reshape(1), "grad.input.x": x.grad,
                    "grad.input.context": context.grad})
    write_safetensors(os.path.join(OUT, "ldm_unet.safetensors"), tensors, "make_ldm_fixtures.py")
    print(f"ldm_unet: {sum(p.numel() for p in model.parameters())} parameters, loss {loss.item():.6f}")


class TimeAndLabelEmbedding(torch.nn.Module):
    """sgm's UNetModel with num_classes "sequential" (Stability-AI/generative-models,
    sgm/modules/diffusionmodules/openaimodel.py): emb = time_embed(t_emb) + label_emb(y), label_emb =
    Sequential(Sequential(linear(adm_in_channels, time_embed_dim), SiLU, linear(time_embed_dim, time_embed_dim))).
    CompVis's UNetModel knows only a class-index Embedding, so this sum stands where its forward calls time_embed;
    everything else is CompVis's module."""

    def __init__(self, time_embed, label_emb):
        super().__init__()
        self.time_embed = time_embed
        self.label_emb = label_emb
        self.y = None

    def forward(self, t_emb):
        return self.time_embed(t_emb) + self.label_emb(self.y)


def unet_scale_shift_and_vector(openaimodel, util):
    """The small UNet with use_scale_shift_norm and a 12-wide vector condition (sgm's adm_in_channels)."""
    torch.manual_seed(20261203)
    model = openaimodel.UNetModel(image_size=8, in_channels=4, out_channels=4, model_channels=32, num_res_blocks=1,
                                  attention_resolutions=[1, 2], channel_mult=(1, 2), num_heads=2,
                                  use_spatial_transformer=True, transformer_depth=1, context_dim=24, legacy=False,
                                  use_scale_shift_norm=True)
    adm = 12
    label_emb = torch.nn.Sequential(torch.nn.Sequential(util.linear(adm, 128), torch.nn.SiLU(), util.linear(128, 128)))
    model.time_embed = TimeAndLabelEmbedding(model.time_embed, label_emb)
    model = model.double().eval()
    model.dtype = torch.float64
    for m in model.modules():
        if hasattr(m, "checkpoint"):
            m.checkpoint = False
    perturb(model)

    def upstream_name(k):
        return k.replace("time_embed.time_embed.", "time_embed.").replace("time_embed.label_emb.", "label_emb.")

    n = 2
    x = f32(n, 4, 8, 8).requires_grad_(True)
    context = f32(n, 5, 24).requires_grad_(True)
    y = f32(n, adm).requires_grad_(True)
    timesteps = torch.tensor([999, 17], dtype=torch.int64)
    model.time_embed.y = y
    eps = model(x, timesteps=timesteps, context=context)
    r = f32(*eps.shape)
    loss = (eps * r).sum()
    loss.backward()
    tensors = {"param." + upstream_name(k): v for k, v in model.state_dict().items()}
    tensors.update({"grad.param." + upstream_name(k): p.grad for k, p in model.named_parameters()})
    tensors.update({"input.x": x.detach(), "input.timesteps": timesteps, "input.context": context.detach(),
                    "input.y": y.detach(), "output.eps": eps.detach(), "loss_weight.eps": r,
                    "output.loss": loss.detach().reshape(1), "grad.input.x": x.grad,
                    "grad.input.context": context.grad, "grad.input.y": y.grad})
    write_safetensors(os.path.join(OUT, "ldm_unet_scale_shift_vector.safetensors"), tensors, "make_ldm_fixtures.py")
    print(f"ldm_unet_scale_shift_vector: {sum(p.numel() for p in model.parameters())} parameters,"
          f" loss {loss.item():.6f}")


def float64_timestep_embedding(timesteps, dim, max_period=10000, repeat_only=False):
    """util.timestep_embedding's formula (cosines first, frequencies exp(−ln(max_period)·i/half)) in float64."""
    import math
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(start=0, end=half, dtype=torch.float64) / half)
    args = timesteps[:, None].double() * freqs[None]
    embedding = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    if dim % 2:
        embedding = torch.cat([embedding, torch.zeros_like(embedding[:, :1])], dim=-1)
    return embedding


def keys(name, module):
    print(f"{name}: {write_key_listing(os.path.join(OUT, name + '.json'), module)} keys")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_ldm_fixtures.py <root of a CompVis/stable-diffusion checkout (holding ldm/)>")
    sys.path.insert(0, sys.argv[1])
    install_stand_ins()
    import ldm.modules.diffusionmodules.model as model  # noqa: E402
    import ldm.modules.distributions.distributions as distributions  # noqa: E402
    model.print = lambda *a, **k: None   # make_attn and Decoder print as they build
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(20261201)
    autoencoder(model, distributions)
    # Stable Diffusion v1's first stage (configs/stable-diffusion/v1-inference.yaml)
    sd_v1 = dict(double_z=True, z_channels=4, resolution=256, in_channels=3, out_ch=3, ch=128, ch_mult=(1, 2, 4, 4),
                 num_res_blocks=2, attn_resolutions=[], dropout=0.0)
    keys("keys_sd_v1_autoencoder", AutoencoderKL(model, distributions, sd_v1, embed_dim=4))

    import ldm.modules.diffusionmodules.util as util  # noqa: E402
    import ldm.modules.diffusionmodules.openaimodel as openaimodel  # noqa: E402
    util.GroupNorm32.forward = torch.nn.GroupNorm.forward
    openaimodel.timestep_embedding = float64_timestep_embedding
    unet(openaimodel, util)
    unet_scale_shift_and_vector(openaimodel, util)
    # Stable Diffusion v1's UNet (v1-inference.yaml's unet_config): 860 M parameters, ~15 s and 3.5 GB to build
    sd_unet = openaimodel.UNetModel(image_size=32, in_channels=4, out_channels=4, model_channels=320,
                                    attention_resolutions=[4, 2, 1], num_res_blocks=2, channel_mult=(1, 2, 4, 4),
                                    num_heads=8, use_spatial_transformer=True, transformer_depth=1, context_dim=768,
                                    use_checkpoint=True, legacy=False)
    keys("keys_sd_v1_unet", sd_unet)


if __name__ == "__main__":
    main()
