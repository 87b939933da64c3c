// Recipe: shapes-ldm's text encoder — a small CLIP like shapes-clip (same architecture, data and settings), trained
// with a second kind of hard negatives: a quarter of each batch in groups of four pictures of the same two objects in
// the four relations (above, below, left of, right of), each caption naming the two in either order ("a red circle
// above a blue square" or "a blue square below a red circle"). shapes-clip reads a two-object caption as a bag of
// words (28.7% on the four-way relation choice, chance 25%); this one tells which object a relation is about (92.4%),
// and its token states and pooled vector carry that to the UNet. shapes-clip itself stays as it is: it is also the
// perceptual network of shapes-autoencoder.groovy, whose weights are pinned.
//
//   ./pictor run zoo/recipes/shapes-ldm-text.groovy                      # 4,000 steps
//   ./pictor run zoo/recipes/shapes-ldm-text.groovy 300 /tmp/text-try    # a short run somewhere else
//
// A stopped run continues from target/shapes-ldm-text-<steps>.ckpt (written every 100 steps) when started again.
// Then: ./pictor run zoo/recipes/clip-eval.groovy zoo/src/main/resources/pictor/zoo/shapes-ldm/text shapes
device cpu(threads: 2)
def steps = args ? args[0] as int : 4000
def into = args.size() > 1 ? args[1] : "$scriptDir/../src/main/resources/pictor/zoo/shapes-ldm/text"
def r = trainClip data: 'shapes', placeGroups: 0.25, relationGroups: 0.25, steps: steps, batch: 128, lr: 1e-3, seed: 1,
        vocab: 1024, context: 32, patch: 8, width: 128, layers: 4, heads: 4, textWidth: 128, textLayers: 3, embed: 128,
        into: into, checkpoint: "target/shapes-ldm-text-${steps}.ckpt", checkpointEvery: 100
println String.format('trained %d steps, last loss %.4f, %.0f s', r.steps, r.loss, r.seconds)
