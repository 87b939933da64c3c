// Semantic search over a text file with the real all-MiniLM-L6-v2 (zoo 'minilm-l6').
//
//   ./pictor run examples/search.groovy "a shape above another one"
//   ./pictor run examples/search.groovy "something on the left" my-texts.txt
def query = args ? args[0] : 'a red circle at the top'
def file = args.size() > 1 ? args[1] : "$scriptDir/data/captions.txt"

def minilm = zoo 'minilm-l6'
search(minilm, query: query, file: file, top: 5).each {
    println String.format('%.3f  %s', it.score, it.text)
}
