// Recipe (in progress — no shapes-dalle in the zoo yet): DALL·E's two stages on the Shapes world (held-out
// colour–shape pairs never shown).
//  1. The discrete VAE (OpenAI's dall_e Encoder/Decoder, three groups so a 32-pixel picture has 8 × 8 codes of 512).
//     NOT YET WORKING: every setting tried on 2026-12-03 left the encoder using 1–40 of its codes, PSNR through the
//     codes 13–15 dB (an all-black picture scores 12.6). Found and fixed on the way: NaN from ND4J's log_softmax,
//     the logit-Laplace scale's missing floor, global gradient clipping that starved the encoder (Adam's ε), logits
//     exploding at lr 1e-3. What is left: the decoder learns the first codes as "black", every cell then prefers
//     them (straight-through) or the decoder reads the relaxation's small weights instead of the argmax (soft).
//     These settings (straight-through, dead-code restarts, β 0.1, lr 5e-4) were the best seen: codes in use rising
//     to 43 of 512, PSNR 14.9 dB at step 400 — not yet good enough to train the transformer on.
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
def v = trainDvae data: 'shapes', steps: dvaeSteps, batch: 32, lr: 5e-4, seed: 1,
        groups: 3, hid: 64, blocks: 1, vocab: 512, init: 64, klWeight: 0.1, hard: true, restartEvery: 100,
        into: "$into/dvae", checkpoint: "target/shapes-dalle-dvae-${dvaeSteps}.ckpt", checkpointEvery: 100
println String.format('dVAE: %d steps in %.0f s; PSNR %.2f dB, code perplexity %.1f', v.steps, v.seconds,
        v.psnr ?: Double.NaN, v.perplexity ?: Double.NaN)
def t = trainDalle data: 'shapes', dvae: "$into/dvae", bpe: "$zoo/shapes-ldm/text/bpe.txt", context: 18,
        width: 256, layers: 4, heads: 8, steps: steps, batch: 64, lr: 1e-3, textWeight: 0.125, dropText: 0.1,
        ema: 0.999, relationGroups: 0.3, seed: 1,
        into: "$into/transformer", checkpoint: "target/shapes-dalle-${steps}.ckpt", checkpointEvery: 100
println String.format('transformer: %d steps in %.0f s, last loss %.4f', t.steps, t.seconds, t.loss)
