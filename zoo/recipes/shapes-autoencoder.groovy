// Recipe: shapes-ldm's first stage — a KL autoencoder (f = 4: 32 × 32 × 3 → 8 × 8 × 8) trained on clean Shapes-world
// renders (the held-out colour–shape pairs never shown) with L1 + a perceptual distance from shapes-clip's image
// tower + KL (1e-6), and a PatchGAN with the adaptive weight (times 0.1) over the last sixth of the steps.
//
//   ./pictor run zoo/recipes/shapes-autoencoder.groovy                        # 2,400 steps
//   ./pictor run zoo/recipes/shapes-autoencoder.groovy 60 /tmp/ae-try         # a short run somewhere else
//
// A stopped run continues from target/shapes-autoencoder-<steps>.ckpt (written every 100 steps) when started again.
device cpu(threads: 2)
def steps = args ? args[0] as int : 2400
def into = args.size() > 1 ? args[1] : "$scriptDir/../src/main/resources/pictor/zoo/shapes-ldm/autoencoder"
def r = trainAutoencoder data: 'shapes', steps: steps, discStart: (steps * 5 / 6) as int, discWeight: 0.1, batch: 32,
        lr: 2e-4, seed: 1,
        ch: 32, chMult: [1, 2, 2], resBlocks: 1, z: 8,
        perceptual: "$scriptDir/../src/main/resources/pictor/zoo/shapes-clip",
        into: into, checkpoint: "target/shapes-autoencoder-${steps}.ckpt", checkpointEvery: 100
println String.format('trained %d steps in %.0f s; PSNR %.2f dB', r.steps, r.seconds, r.psnr ?: Double.NaN)
