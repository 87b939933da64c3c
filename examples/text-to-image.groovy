// The main job: text to image with the zoo's shapes-ldm — latent diffusion trained on this project's Shapes world
// (a KL autoencoder, a cross-attention UNet, its own CLIP text tower; zoo/src/main/resources/pictor/zoo/shapes-ldm.md)
// — four seeds of one prompt, as PNGs with the prompt, seed, sampler and steps in their metadata, and a grid.
// Guidance 3 with its prediction's scale rescaled 0.7 of the way back to the conditional one's is where this model
// draws relations and never-seen colour-shape pairs best (its card's metrics).
//
//   ./pictor run examples/text-to-image.groovy                                        # into out/
//   ./pictor run examples/text-to-image.groovy "a small green triangle on the left" my-out
device cpu(threads: 2)

def prompt = args ? args[0] : 'a red circle above a blue square'
def out = args.size() > 1 ? args[1] : 'out'

def files = generate 'shapes-ldm', prompt: prompt, count: 4, seed: 1, steps: 20, sampler: 'dpm-solver++',
        guidance: 3, guidanceRescale: 0.7, grid: true, out: out
println "\"$prompt\" -> ${files.size() - 1} images and a grid:"
files.each { println "  $it" }
