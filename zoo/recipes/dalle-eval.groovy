// Measures a Shapes-world DALL·E on the pixels: builds the pipeline from its folders (transformer, dVAE; shapes-ldm's
// CLIP for reranking) and runs evalShapesGeneration — single objects, place and size, relations, held-out pairs,
// judged by the pixel checker — with or without CLIP reranking.
//
//   ./pictor run zoo/recipes/dalle-eval.groovy [folder] [rerank] [guidance] [topK] [seed] [sets] [temperature]
//
// e.g. shapes-dalle as its card measures it, without and with reranking (best of 8), seeds from 1000:
//   ./pictor run zoo/recipes/dalle-eval.groovy zoo/src/main/resources/pictor/zoo/shapes-dalle 1 3 0 1000
//   ./pictor run zoo/recipes/dalle-eval.groovy zoo/src/main/resources/pictor/zoo/shapes-dalle 8 3 0 1000
device cpu(threads: 2)
def zoo = "$scriptDir/../src/main/resources/pictor/zoo"
def dir = args ? args[0] : "$zoo/shapes-dalle"
def rerank = args.size() > 1 ? args[1] as int : 1
def guidance = args.size() > 2 ? args[2] as double : 1
def topK = args.size() > 3 ? args[3] as int : 0
def seed = args.size() > 4 ? args[4] as long : 1000
def sets = args.size() > 5 && args[5] != 'all' ? args[5].split(',') as List
        : ['single', 'place', 'relation', 'heldOut']
def temperature = args.size() > 6 ? args[6] as double : 1
def clip = "$zoo/shapes-ldm/text"
def dalle = pipeline('shapes-dalle-eval') {
    tokenizer 'clip-bpe', merges: "$dir/transformer/bpe.txt", contextLength: 18
    denoiser 'dalle', weights: "$dir/transformer/model.safetensors", config: "$dir/transformer/config.json"
    quantizer 'dvae', weights: "$dir/dvae/model.safetensors", config: "$dir/dvae/config.json"
    encoder 'clip-text', as: 'text', weights: "$clip/model.safetensors", config: "$clip/config.json"
    encoder 'clip-image', as: 'image', weights: "$clip/model.safetensors", config: "$clip/config.json"
    sampler 'categorical', topK: topK, temperature: temperature
}
def out = "target/dalle-eval-r${rerank}-g${guidance}-k${topK}-t${temperature}-${seed}"
println evalShapesGeneration(pipeline: dalle, count: 4, guidance: guidance, rerank: rerank, seed: seed, out: out,
        sets: sets)
