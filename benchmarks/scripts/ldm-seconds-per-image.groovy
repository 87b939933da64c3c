// Seconds per image of a text-to-image pipeline against sampler and step count: `count` images of one prompt in one
// batch at guidance 5 (two UNet evaluations a step: the prompt and the empty text), the decoder and the PNG writes
// included, after one warm-up call; each case timed twice and the faster kept (a shared, noisy machine).
//
//   ./pictor doctor && ./pictor run benchmarks/scripts/ldm-seconds-per-image.groovy [pipeline] [count]
device cpu(threads: 2)
def name = args ? args[0] : 'shapes-ldm'
int count = args.size() > 1 ? args[1] as int : 16
def prompt = name.startsWith('fashion') ? 'a photo of a sneaker' : 'a red circle above a blue square'
def out = "target/seconds-per-image/$name"
generate(name, prompt: prompt, count: count, steps: 5, out: out)
def cases = [['dpm-solver++', [10, 20, 50]], ['ddim', [20, 50]], ['euler', [20, 50]], ['heun', [20]],
             ['ddpm', [100, 1000]]]
println String.format('%s, %d images a batch, guidance 5', name, count)
println '| sampler | steps | s / image | ms / step (batch) |'
println '|---|---|---|---|'
for (c in cases) {
    for (int steps in c[1]) {
        double best = Double.MAX_VALUE
        for (int round = 0; round < 2; round++) {
            long t0 = System.nanoTime()
            generate(name, prompt: prompt, count: count, steps: steps, sampler: c[0], out: out)
            best = Math.min(best, (System.nanoTime() - t0) / 1e9)
        }
        println String.format('| %s | %d | %.3f | %.1f |', c[0], steps, best / count, 1000 * best / steps)
    }
}
