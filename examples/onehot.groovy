// Tokenize a text file (one text a line) and one-hot encode it, with a word vocabulary built from the same file.
//
//   ./pictor run examples/onehot.groovy                       # the bundled Shapes-world captions
//   ./pictor run examples/onehot.groovy my-texts.txt          # any UTF-8 text file
device cpu(threads: 2)

def file = args ? args[0] : "$scriptDir/data/captions.txt"

def words = pipeline('encoding') {
    tokenizer 'word', corpus: file, minCount: 1
    encoder 'one-hot'
}

def batch = tokenize words, file: file
println "texts: ${batch.size()}, longest: ${batch.length()} tokens, vocabulary: ${batch.vocabularySize()} words"
batch.encodings().take(3).eachWithIndex { e, i ->
    println "  ${i}: ${e.tokens().join(' ')}  ->  ${e.ids().toList()}"
}

def onehot = encode words, file: file
println "one-hot: ${onehot.shape().toList()} (texts x tokens x vocabulary), ones: ${onehot.sumNumber().intValue()}"

// The zoo's pretrained word pipeline: Shapes-world vocabulary, L2-normalised bag of words.
def shapes = zoo 'shapes-words'
def a = encode shapes, text: 'a small red circle above a blue square'
def b = encode shapes, text: 'there is a red circle above a large blue square'
println "cosine(bag of words) of two captions: ${String.format('%.3f', a.mmul(b.transpose()).getDouble(0))}"
