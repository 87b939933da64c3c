// Recipe: fashion-ldm's first stage — a KL autoencoder (f = 4, one channel: Fashion-MNIST's 28 × 28 padded to
// 32 × 32 with the background → 8 × 8 × 8) trained on the training split with L1 + a perceptual distance from
// fashion-clip's image tower (on the centre 28 pixels) + KL (1e-6), and a PatchGAN with the adaptive weight over the
// last sixth of the steps. PSNR is measured on the test split.
//
//   ./pictor run zoo/recipes/fashion-autoencoder.groovy                       # 1,800 steps
//   ./pictor run zoo/recipes/fashion-autoencoder.groovy 60 /tmp/ae-try        # a short run somewhere else
device cpu(threads: 2)
def steps = args ? args[0] as int : 1800
def into = args.size() > 1 ? args[1] : "$scriptDir/../src/main/resources/pictor/zoo/fashion-ldm/autoencoder"
def r = trainAutoencoder data: 'fashion', steps: steps, discStart: (steps * 5 / 6) as int, batch: 32, lr: 2e-4, seed: 1,
        ch: 32, chMult: [1, 2, 2], resBlocks: 1, z: 8,
        perceptual: "$scriptDir/../src/main/resources/pictor/zoo/fashion-clip",
        into: into, checkpoint: "target/fashion-autoencoder-${steps}.ckpt", checkpointEvery: 100
println String.format('trained %d steps in %.0f s; PSNR %.2f dB', r.steps, r.seconds, r.psnr ?: Double.NaN)
