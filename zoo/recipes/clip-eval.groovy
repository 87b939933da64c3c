// Recipe: the quality numbers of a CLIP model folder, on images it never saw.
//
//   ./pictor run zoo/recipes/clip-eval.groovy zoo/src/main/resources/pictor/zoo/shapes-clip shapes
//   ./pictor run zoo/recipes/clip-eval.groovy zoo/src/main/resources/pictor/zoo/fashion-clip fashion
//
// shapes: fresh clean renders (100 per colour–shape pair): colour × shape over the 24 labels, the four held-out
// pairs, and position (left/centre/right, top/middle/bottom). fashion: the 10,000 test images, zero-shot with the
// prompt templates ensembled, and a Tribuo linear probe trained on 10,000 training images' vectors.
device cpu(threads: 2)
def model = args ? args[0] : "$scriptDir/../src/main/resources/pictor/zoo/shapes-clip"
def data = args.size() > 1 ? args[1] : 'shapes'
def r = evalClip model: model, data: data, images: (data == 'shapes' ? 100 : 10000)
println String.format('evaluated in %.0f s', r.seconds)
