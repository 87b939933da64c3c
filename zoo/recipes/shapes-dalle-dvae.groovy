// Recipe: shapes-dalle's first stage — DALL·E's discrete VAE (OpenAI's dall_e Encoder/Decoder, three groups so a
// 32-pixel picture has 8 × 8 codes) trained on clean Shapes-world renders (held-out colour–shape pairs never shown)
// with the Gumbel-softmax relaxation: logit-Laplace likelihood + β·KL to the uniform prior over the codebook, β warmed
// up, τ annealed 1 → 1/16. Reports codebook perplexity and unused codes as it goes, and PSNR through the codes on
// scenes of another seed at the end.
//
//   ./pictor run zoo/recipes/shapes-dalle-dvae.groovy                      # the zoo's run
//   ./pictor run zoo/recipes/shapes-dalle-dvae.groovy 200 /tmp/dvae-try    # a short run somewhere else
//
// A stopped run continues from target/shapes-dalle-dvae-<steps>.ckpt (written every 100 steps) when started again.
device cpu(threads: 2)
def steps = args ? args[0] as int : 3000
def into = args.size() > 1 ? args[1] : "$scriptDir/../src/main/resources/pictor/zoo/shapes-dalle/dvae"
def r = trainDvae data: 'shapes', steps: steps, batch: 32, lr: 1e-3, seed: 1,
        groups: 3, hid: 64, blocks: 1, vocab: 512, init: 64, klWeight: 1.0,
        into: into, checkpoint: "target/shapes-dalle-dvae-${steps}.ckpt", checkpointEvery: 100
println String.format('trained %d steps in %.0f s; PSNR %.2f dB, code perplexity %.1f', r.steps, r.seconds,
        r.psnr ?: Double.NaN, r.perplexity ?: Double.NaN)
