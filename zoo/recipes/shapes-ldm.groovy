// Recipe: shapes-ldm's UNet — a text-conditioned latent-diffusion UNet (64 channels, levels ×1 and ×2, spatial
// transformers at both) trained on the Shapes world (held-out colour–shape pairs never shown) in the latent space of
// shapes-autoencoder (8 × 8 × 8), conditioned on shapes-ldm's own CLIP text tower (shapes-ldm-text.groovy: trained
// with relation hard negatives, so "a above b" and "b above a" differ): its token states by cross-attention and
// its pooled vector through label_emb into the embedding that scales and shifts every residual block's norm (SDXL's
// adm_in_channels with ADM's use_scale_shift_norm: without them the UNet never learned where to put things — see
// the model card); v-prediction on the cosine schedule, the noisiest timesteps drawn more often, x/y coordinate
// channels; 10% of captions dropped for classifier-free guidance; EMA weights (with upstream's warm-up) saved. 30% of
// the pictures come in relation groups (the same two objects in the four relations, one relation true of each:
// ShapesWorld.related) instead of the world's own scenes, half of which show one object — 65% two-object pictures in
// all (relations 63.8% → 73.4% on fresh seeds; the model card). Run shapes-autoencoder.groovy and
// shapes-ldm-text.groovy first.
//
//   ./pictor run zoo/recipes/shapes-ldm.groovy                          # 6,000 steps
//   ./pictor run zoo/recipes/shapes-ldm.groovy 50 /tmp/ldm-try          # a short run somewhere else
//
// A stopped run continues from target/shapes-ldm-<steps>.ckpt (written every 100 steps) when started again.
device cpu(threads: 2)
def steps = args ? args[0] as int : 6000
def zoo = "$scriptDir/../src/main/resources/pictor/zoo"
def into = args.size() > 1 ? args[1] : "$zoo/shapes-ldm/unet"
def r = trainLdm data: 'shapes', autoencoder: "$zoo/shapes-ldm/autoencoder", text: "$zoo/shapes-ldm/text",
        relationGroups: 0.3, steps: steps, batch: 64, lr: 5e-4, warmup: 200, dropout: 0.1, ema: 0.999, seed: 1,
        modelChannels: 64, channelMult: [1, 2], resBlocks: 1, attention: [1, 2], headChannels: 32, depth: 1,
        prediction: 'v', schedule: 'cosine', timestepPower: 2, coordinates: true, scaleShift: true, pooled: true,
        into: into, checkpoint: "target/shapes-ldm-${steps}.ckpt", checkpointEvery: 100
println String.format('trained %d steps in %.0f s, last loss %.4f', r.steps, r.seconds, r.loss)
