// Diagnoses what a Shapes text-to-image UNet reads from its prompt: on one fixed latent of pure noise, how much the
// UNet's prediction changes (relative L2) when one word of the prompt changes — the place (left → right), the colour
// (red → blue), the shape (circle → square), the relation (above → below) and the order of two objects ("a red
// circle above a blue square" → "a blue square above a red circle") — and against the empty prompt, at four
// timesteps; and first how far the text's pooled vector itself moves. A model that places objects as told changes
// its prediction at the noisiest steps as much for a place word as for a colour word; the first shapes-ldm (ε,
// cross-attention its only text path) changed it ten times less (shapes-ldm.md has the table).
//
//   ./pictor run zoo/recipes/ldm-text-sensitivity.groovy [unet folder [text folder]]   # default: shapes-ldm's
import dev.pictor.ldm.*
import dev.pictor.clip.*
import dev.pictor.api.spi.*
import dev.pictor.api.weights.Safetensors
import org.nd4j.linalg.factory.Nd4j
import org.nd4j.linalg.api.buffer.DataType
def zoo = "$scriptDir/../src/main/resources/pictor/zoo"
def unetDir = java.nio.file.Path.of(args ? args[0] : "$zoo/shapes-ldm/unet")
def textDir = java.nio.file.Path.of(args.size() > 1 ? args[1] : "$zoo/shapes-ldm/text")
def clip = ClipConfig.read(textDir.resolve("config.json"))
def tok = ClipBpeTokenizer.fromMergesFile(textDir.resolve("bpe.txt"), clip.text().contextLength())
def text = new ClipTextEncoder(clip, ClipWeights.load(clip, textDir.resolve("model.safetensors")).tensors())
def dc = DenoiserConfig.read(unetDir.resolve("config.json"))
def unet = new UNetDenoiser(dc, Safetensors.read(unetDir.resolve("model.safetensors")))
def prompts = ["a large red circle on the left", "a large red circle on the right", "a large blue circle on the left",
               "a large red square on the left", "", "a red circle above a blue square",
               "a red circle below a blue square", "a blue square above a red circle"]
def encoded = text.encode(tok.encodeBatch(prompts), EnumSet.of(Encoder.Output.TOKENS, Encoder.Output.POOLED))
def condition = encoded.condition()   // token states, and the pooled vector a UNet with adm_in_channels reads
// relative L2 change between rows i and j of a, against row j
def change = { a, i, j ->
  a.slice(i).sub(a.slice(j)).norm2Number().doubleValue() / a.slice(j).norm2Number().doubleValue() }
def pooled = encoded.get(Encoder.Output.POOLED)
def moved = { i, j -> change(pooled, i, j) }
println String.format("the text's pooled vector: left/right %.3f  red/blue %.3f  above/below %.3f  order %.3f",
        moved(0, 1), moved(0, 2), moved(5, 6), moved(5, 7))
Nd4j.getRandom().setSeed(3)
int n = prompts.size()
def side = dc.latentSize()
def x = Nd4j.randn(DataType.FLOAT, 1, dc.unet().outChannels(), side, side).repeat(0, n)
for (t in [999f, 900f, 700f, 400f]) {
  def out = unet.predict(x, Nd4j.valueArrayOf([n] as long[], t), condition)
  def d = { i, j -> change(out, i, j) }
  println String.format("t=%.0f  left/right %.3f  red/blue %.3f  circle/square %.3f  cond/uncond %.3f"
          + "  above/below %.3f  order %.3f", t, d(0,1), d(0,2), d(0,3), d(0,4), d(5,6), d(5,7))
}
unet.close()
