package dev.pictor.it.oracle;

import com.google.inject.Module;
import dev.pictor.api.BadInputException;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.plugin.ApiVersion;
import dev.pictor.api.plugin.Plugin;
import dev.pictor.api.plugin.PluginModule;
import dev.pictor.api.spi.ComponentConfig;
import dev.pictor.api.spi.ComponentFactory;
import dev.pictor.api.spi.Condition;
import dev.pictor.api.spi.Denoiser;
import dev.pictor.api.spi.DiffusionDenoiser;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.Encodings;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.zoo.ZooDescriptors;
import dev.pictor.api.zoo.ZooEntry;
import dev.pictor.datasets.shapes.PromptParser;
import dev.pictor.datasets.shapes.Scene;
import dev.pictor.datasets.shapes.ShapesWorld;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Test only: a diffusion pipeline whose answer is known exactly. The encoder {@code shapes-render} reads a prompt
 * of the Shapes world (the first {@value #SCENES} scenes of {@link #WORLD}), checks it with the datasets module's
 * {@link PromptParser} against the scene it describes, and gives that scene's clean render as its "token states";
 * the denoiser {@code shapes-oracle} predicts x₀ = that render, whatever the noise. Any correct sampler, guidance
 * loop and generate path must then write the prompt's exact picture. The empty prompt renders to mid-grey (0).
 */
public final class ShapesOraclePlugin implements Plugin {
    public static final ShapesWorld WORLD = new ShapesWorld(2026, ShapesWorld.HELD_OUT);
    public static final int SCENES = 64;
    static final int PIXELS = 3 * ShapesWorld.SIZE * ShapesWorld.SIZE;

    @Override
    public String name() {
        return "shapes-oracle";
    }

    @Override
    public String version() {
        return "0";
    }

    @Override
    public String description() {
        return "test only: the exact denoiser of the Shapes world";
    }

    @Override
    public ApiVersion apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public Module module() {
        return new PluginModule() {
            @Override
            protected void configureComponents() {
                encoder("shapes-render", RenderFactory.class);
                denoiser("shapes-oracle", OracleFactory.class);
            }
        };
    }

    @Override
    public List<ZooEntry> zooEntries() {
        return List.of(ZooDescriptors.read(getClass().getClassLoader(), "pictor/zoo/shapes-oracle.json"));
    }

    /** Words of a text, lower-cased, as the word tokenizer splits them. */
    static String key(String text) {
        return String.join(" ", text.toLowerCase(Locale.ROOT).split("[^a-z]+")).strip();
    }

    /** The clean render of a scene as a {@code [3, 32, 32]} tensor in [-1, 1]. */
    public static INDArray render(Scene scene) {
        byte[] rgb = WORLD.render(scene, true, 0);
        int n = ShapesWorld.SIZE * ShapesWorld.SIZE;
        float[] chw = new float[PIXELS];
        for (int p = 0; p < n; p++) {
            for (int c = 0; c < 3; c++) {
                chw[c * n + p] = (rgb[3 * p + c] & 0xFF) / 127.5f - 1f;
            }
        }
        return Nd4j.create(chw, new long[] {3, ShapesWorld.SIZE, ShapesWorld.SIZE}, 'c');
    }

    public static final class RenderFactory implements ComponentFactory<Encoder<?>> {
        @Override
        public String description() {
            return "test only: a Shapes prompt's exact render as its condition";
        }

        @Override
        public Encoder<?> create(ComponentConfig config) {
            config.allowOnly();
            return new Render();
        }
    }

    static final class Render implements Encoder<TokenBatch> {
        private final Map<String, Scene> scenes = new HashMap<>();

        Render() {
            for (int i = 0; i < SCENES; i++) {
                Scene s = WORLD.scene(i);
                scenes.put(key(s.prompt()), s);
            }
        }

        @Override
        public String name() {
            return "shapes-render";
        }

        @Override
        public Class<TokenBatch> inputType() {
            return TokenBatch.class;
        }

        @Override
        public Set<Output> outputs() {
            return EnumSet.of(Output.TOKENS, Output.MASK);
        }

        @Override
        public long dimension(Output output) {
            return output == Output.TOKENS ? PIXELS : 1;
        }

        @Override
        public Encodings encode(TokenBatch batch, Set<Output> wanted) {
            Encodings.check(this, wanted);
            INDArray states = Nd4j.zeros(DataType.FLOAT, batch.size(), 1, PIXELS);
            for (int b = 0; b < batch.size(); b++) {
                List<String> tokens = batch.encodings().get(b).tokens().stream().filter(t -> !t.startsWith("[")).toList();
                String text = String.join(" ", tokens);
                if (text.isBlank()) {
                    continue;   // the empty prompt: mid-grey
                }
                Scene scene = scenes.get(key(text));
                if (scene == null) {
                    throw new BadInputException("shapes-render knows the first " + SCENES + " scenes' prompts only, not '"
                            + text + "'");
                }
                if (!PromptParser.parse(scene.prompt()).isTrueOf(scene)) {
                    throw new IllegalStateException("the datasets parser disagrees with scene " + scene);
                }
                states.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b)).assign(render(scene).reshape(1, PIXELS));
            }
            return Encodings.builder(name()).put(Output.TOKENS, states)
                    .put(Output.MASK, Nd4j.ones(DataType.INT64, batch.size(), 1)).build();
        }
    }

    public static final class OracleFactory implements ComponentFactory<Denoiser> {
        @Override
        public String description() {
            return "test only: predicts x0 = the condition's render";
        }

        @Override
        public Denoiser create(ComponentConfig config) {
            config.allowOnly();
            return new Oracle();
        }
    }

    static final class Oracle implements DiffusionDenoiser {
        @Override
        public String name() {
            return "shapes-oracle";
        }

        @Override
        public Prediction prediction() {
            return Prediction.X0;
        }

        @Override
        public NoiseSchedule schedule() {
            return NoiseSchedule.scaledLinear(0.00085, 0.012, 1000);
        }

        @Override
        public long[] sampleShape() {
            return new long[] {3, ShapesWorld.SIZE, ShapesWorld.SIZE};
        }

        @Override
        public INDArray predict(INDArray x, INDArray timesteps, Condition condition) {
            if (condition.isNone()) {
                return Nd4j.zeros(DataType.FLOAT, x.shape());
            }
            return condition.context().reshape(x.shape()).dup();
        }
    }
}
