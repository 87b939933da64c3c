// Recipe: shapes-dalle — DALL·E's two stages trained on the Shapes world (held-out colour–shape pairs never shown).
//  1. The discrete VAE (OpenAI's dall_e Encoder/Decoder, three groups so a 32-pixel picture has 8 × 8 codes of 512):
//     clean renders, the logit-Laplace likelihood + β·KL to the uniform prior over the codes, β warmed up, τ annealed
//     1 → 1/16, straight-through Gumbel-softmax (the decoder reads one code a cell: with the soft relaxation it learned
//     to read the small weights left on the other codes, and the argmax codes collapsed to 3 of 512). Codebook
//     perplexity and unused codes are reported as it goes, PSNR through the codes on scenes of another seed at the end.
//  2. The transformer over 18 text positions (shapes-ldm's BPE, so the CLIP that reranks reads the same tokens) and
//     64 image positions: the paper's 1/8 text + 7/8 image cross-entropy, 10% of captions dropped (the unconditional
//     branch for guidance), 30% of pictures in relation groups as shapes-ldm's UNet, EMA weights saved.
//
//   ./pictor run zoo/recipes/shapes-dalle.groovy                                   # the zoo's run
//   ./pictor run zoo/recipes/shapes-dalle.groovy 200 300 /tmp/dalle-try            # a short run somewhere else
//
// A stopped run continues from target/shapes-dalle-*.ckpt (written every 100 steps) when started again; a finished
// stage resumes at its end and is written again unchanged.
device cpu(threads: 2)
def dvaeSteps = args ? args[0] as int : 2000
def steps = args.size() > 1 ? args[1] as int : 3600
def zoo = "$scriptDir/../src/main/resources/pictor/zoo"
def into = args.size() > 2 ? args[2] : "$zoo/shapes-dalle"
def v = trainDvae data: 'shapes', steps: dvaeSteps, batch: 32, lr: 1e-3, seed: 1,
        groups: 3, hid: 64, blocks: 1, vocab: 512, init: 64, klWeight: 1.0, hard: true,
        into: "$into/dvae", checkpoint: "target/shapes-dalle-dvae-${dvaeSteps}.ckpt", checkpointEvery: 100
println String.format('dVAE: %d steps in %.0f s; PSNR %.2f dB, code perplexity %.1f', v.steps, v.seconds,
        v.psnr ?: Double.NaN, v.perplexity ?: Double.NaN)
def t = trainDalle data: 'shapes', dvae: "$into/dvae", bpe: "$zoo/shapes-ldm/text/bpe.txt", context: 18,
        width: 256, layers: 4, heads: 8, steps: steps, batch: 64, lr: 1e-3, textWeight: 0.125, dropText: 0.1,
        ema: 0.999, relationGroups: 0.3, seed: 1,
        into: "$into/transformer", checkpoint: "target/shapes-dalle-${steps}.ckpt", checkpointEvery: 100
println String.format('transformer: %d steps in %.0f s, last loss %.4f', t.steps, t.seconds, t.loss)
