// Measures a text-to-image latent-diffusion model on the pixels: builds the pipeline from its folders and runs
// evalShapesGeneration (Shapes world: single objects, place and size, relations, held-out pairs; the pixel checker)
// or evalFashionGeneration (every class; an independently trained CNN judges).
//
//   ./pictor run zoo/recipes/ldm-eval.groovy shapes <unet folder> [autoencoder folder] [sampler] [steps] [guidance]
//       [sets] [guidance rescale] [seed]
//   ./pictor run zoo/recipes/ldm-eval.groovy fashion <unet folder> [autoencoder folder] [sampler] [steps] [guidance]
//
// e.g. shapes-ldm as its card measures it (sets: all, guidance 3 rescaled 0.7, seeds from 1000 and from 5000):
//   ./pictor run zoo/recipes/ldm-eval.groovy shapes zoo/src/main/resources/pictor/zoo/shapes-ldm/unet \
//       zoo/src/main/resources/pictor/zoo/shapes-ldm/autoencoder dpm-solver++ 20 3 all 0.7 5000
device cpu(threads: 2)
def data = args[0]
def zoo = "$scriptDir/../src/main/resources/pictor/zoo"
def unet = args.size() > 1 ? args[1] : "$zoo/${data}-ldm/unet"
def ae = args.size() > 2 ? args[2] : "$zoo/${data}-ldm/autoencoder"
def samplerName = args.size() > 3 ? args[3] : 'dpm-solver++'
def steps = args.size() > 4 ? args[4] as int : 20
def guidance = args.size() > 5 ? args[5] as double : 5
def sets = args.size() > 6 && args[6] != 'all' ? args[6].split(',') as List
        : ['single', 'place', 'relation', 'heldOut']   // shapes only
def rescale = args.size() > 7 ? args[7] as double : 0
def seed = args.size() > 8 ? args[8] as long : 1000
// shapes-ldm has its own text encoder (shapes-clip trained with relation groups too); fashion-ldm uses fashion-clip
def clip = data == "shapes" ? "$zoo/shapes-ldm/text" : "$zoo/fashion-clip"
def t2i = pipeline("${data}-ldm") {
    tokenizer 'clip-bpe', merges: "$clip/bpe.txt", contextLength: (data == 'shapes' ? 32 : 16)
    encoder 'clip-text', weights: "$clip/model.safetensors", config: "$clip/config.json"
    quantizer 'kl-autoencoder', weights: "$ae/model.safetensors", config: "$ae/config.json"
    denoiser 'ldm-unet', weights: "$unet/model.safetensors", config: "$unet/config.json"
    sampler samplerName
}
def out = "target/${data}-eval-${samplerName}-${steps}"
def r = data == 'shapes'
        ? evalShapesGeneration(pipeline: t2i, count: 4, steps: steps, guidance: guidance,
            guidanceRescale: rescale, seed: seed, out: out, sets: sets)
        : evalFashionGeneration(pipeline: t2i, count: 20, steps: steps, guidance: guidance, out: out)
println r
