// The main job: text to image with the zoo's shapes-ldm — latent diffusion trained on this project's Shapes world
// (a KL autoencoder, a cross-attention UNet, its own CLIP text tower; zoo/src/main/resources/pictor/zoo/shapes-ldm.md)
// — four seeds of one prompt, as PNGs with the prompt, seed, sampler and steps in their metadata, and a grid.
// Sampled at the zoo entry's own defaults: guidance 3 with the prediction's scale rescaled 0.7 of the way back to the
// conditional one's, where this model draws relations and never-seen colour-shape pairs best (its card's metrics);
// name guidance: or guidanceRescale: to override them.
//
//   ./pictor run examples/text-to-image.groovy                                        # into out/
//   ./pictor run examples/text-to-image.groovy "a small green triangle on the left" my-out
device cpu(threads: 2)

def prompt = args ? args[0] : 'a red circle above a blue square'
def out = args.size() > 1 ? args[1] : 'out'

def files = generate 'shapes-ldm', prompt: prompt, count: 4, seed: 1, steps: 20, sampler: 'dpm-solver++', grid: true,
        out: out
println "\"$prompt\" -> ${files.size() - 1} images and a grid:"
files.each { println "  $it" }
