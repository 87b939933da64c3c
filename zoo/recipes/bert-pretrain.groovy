// Recipe: pretrain a small BERT (masked LM + next-sentence prediction) on Shapes-world documents.
//
//   ./pictor run zoo/recipes/bert-pretrain.groovy                 # 300 steps, 2 layers, 64 wide
//   ./pictor run zoo/recipes/bert-pretrain.groovy 1000 out.safetensors
//
// The corpus (zoo/recipes/data/shapes-documents.txt) has 400 documents: a caption, then sentences about the same
// objects, so the next sentence agrees with the first on colours and shapes and NSP is learnable.
device cpu(threads: 2)
def steps = args ? args[0] as int : 300
def r = pretrainBert documents: "$scriptDir/data/shapes-documents.txt", steps: steps, hidden: 64, layers: 2,
        heads: 2, batch: 32, length: 40, seed: 5, into: (args.size() > 1 ? args[1] : null) ?: 'target/bert-pretrain.safetensors'
println String.format('MLM %.3f -> %.3f, NSP %.3f -> %.3f in %.0f s', r.mlmFirst, r.mlmLast, r.nspFirst, r.nspLast, r.seconds)
