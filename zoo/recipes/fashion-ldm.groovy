// Recipe: fashion-ldm's UNet — a text-conditioned latent-diffusion UNet (64 channels, levels ×1 and ×2, spatial
// transformers at both) trained on Fashion-MNIST's training images with class captions in the latent space of
// fashion-autoencoder (8 × 8 × 8 from 32-pixel padded images), conditioned on fashion-clip's text tower; 10% of
// captions dropped for classifier-free guidance; EMA weights saved. Run fashion-autoencoder.groovy first.
//
//   ./pictor run zoo/recipes/fashion-ldm.groovy                          # 3,000 steps
//   ./pictor run zoo/recipes/fashion-ldm.groovy 50 /tmp/ldm-try          # a short run somewhere else
//
// A stopped run continues from target/fashion-ldm-<steps>.ckpt (written every 100 steps) when started again.
device cpu(threads: 2)
def steps = args ? args[0] as int : 3000
def zoo = "$scriptDir/../src/main/resources/pictor/zoo"
def into = args.size() > 1 ? args[1] : "$zoo/fashion-ldm/unet"
def r = trainLdm data: 'fashion', autoencoder: "$zoo/fashion-ldm/autoencoder", text: "$zoo/fashion-clip",
        steps: steps, batch: 64, lr: 5e-4, warmup: 200, dropout: 0.1, ema: 0.999, seed: 1,
        modelChannels: 64, channelMult: [1, 2], resBlocks: 1, attention: [1, 2], headChannels: 32, depth: 1,
        into: into, checkpoint: "target/fashion-ldm-${steps}.ckpt", checkpointEvery: 100
println String.format('trained %d steps in %.0f s, last loss %.4f', r.steps, r.seconds, r.loss)
