// Recipe: fashion-clip — a small CLIP trained contrastively on Fashion-MNIST's 60,000 training images, each with a
// caption: its class ("a pullover") in one of ten templates ("a photo of …", "a product photo of …", …). Images of
// one class in a batch are each other's positives.
//
//   ./pictor run zoo/recipes/fashion-clip.groovy                       # 3,600 steps (about 30 min on 2 cores)
//   ./pictor run zoo/recipes/fashion-clip.groovy 300 /tmp/fashion-try   # a short run somewhere else
//
// Needs Debian's dataset-fashion-mnist (scripts/install-test-data installs it). A stopped run continues from
// target/fashion-clip-<steps>.ckpt. Then: ./pictor run zoo/recipes/clip-eval.groovy <folder> fashion
device cpu(threads: 2)
def steps = args ? args[0] as int : 3600
def into = args.size() > 1 ? args[1] : "$scriptDir/../src/main/resources/pictor/zoo/fashion-clip"
def r = trainClip data: 'fashion', steps: steps, batch: 128, lr: 1e-3, seed: 1,
        vocab: 1024, context: 16, patch: 7, width: 128, layers: 4, heads: 4, textWidth: 128, textLayers: 2, embed: 128,
        into: into, checkpoint: "target/fashion-clip-${steps}.ckpt", checkpointEvery: 100
println String.format('trained %d steps, last loss %.4f, %.0f s', r.steps, r.loss, r.seconds)
