// Recipe: shapes-clip — a small CLIP trained contrastively on the Shapes world, its four held-out colour–shape pairs
// (purple triangle, orange circle, cyan square, white triangle) never in a training image or caption. A quarter of
// each batch comes in groups of four pictures of one object at four places (left, centre, right, top, bottom), each
// caption naming its place: hard negatives that make the model learn where things are.
//
//   ./pictor run zoo/recipes/shapes-clip.groovy                      # 4,000 steps (about 45 min on 2 cores)
//   ./pictor run zoo/recipes/shapes-clip.groovy 300 /tmp/clip-try    # a short run somewhere else
//
// A stopped run continues from target/shapes-clip-<steps>.ckpt (written every 100 steps) when started again.
// Then: ./pictor run zoo/recipes/clip-eval.groovy <folder> shapes measures the zero-shot accuracies.
device cpu(threads: 2)
def steps = args ? args[0] as int : 4000
def into = args.size() > 1 ? args[1] : "$scriptDir/../src/main/resources/pictor/zoo/shapes-clip"
def r = trainClip data: 'shapes', placeGroups: 0.25, steps: steps, batch: 128, lr: 1e-3, seed: 1,
        vocab: 1024, context: 32, patch: 8, width: 128, layers: 4, heads: 4, textWidth: 128, textLayers: 3, embed: 128,
        into: into, checkpoint: "target/shapes-clip-${steps}.ckpt", checkpointEvery: 100
println String.format('trained %d steps, last loss %.4f, %.0f s', r.steps, r.loss, r.seconds)
