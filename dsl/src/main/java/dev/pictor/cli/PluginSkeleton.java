package dev.pictor.cli;

import dev.pictor.api.BadInputException;
import dev.pictor.api.PictorException;
import dev.pictor.api.plugin.ApiVersion;
import dev.pictor.api.plugin.PluginLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.lang.model.SourceVersion;

/**
 * The files of a new plugin project that builds with {@code mvn -B package} as it is: a pom (pictor-api
 * {@code provided}, the compiler plugin pinned to release 17), the {@code Plugin} class, an encoder and its factory
 * (an {@code Encoder<TokenBatch>} that gives each text its number of tokens), the service file, a JUnit test and a
 * README. {@code pictor new-plugin} writes them.
 *
 * <pre>{@code
 * Map<String, String> files = new PluginSkeleton("word-count", "org.acme.wordcount", "0.1.0-SNAPSHOT").files();
 * files.keySet();   // pom.xml, README.md, src/main/java/org/acme/wordcount/WordCountPlugin.java, …
 * }</pre>
 */
final class PluginSkeleton {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    private final String name;
    private final String pkg;
    private final String pictorVersion;
    private final String camel;

    /**
     * @param name          the plugin's name, which is also its encoder's: lower case words joined by hyphens
     * @param pkg           the Java package, or null for {@code com.example.<name without hyphens>}
     * @param pictorVersion the pictor-api version the pom depends on
     */
    PluginSkeleton(String name, String pkg, String pictorVersion) {
        if (name.length() > 40 || !NAME.matcher(name).matches()) {
            throw new BadInputException("plugin name '" + name + "' is not usable: give lower-case words joined by"
                    + " hyphens, starting with a letter (e.g. word-count)");
        }
        this.name = name;
        this.pkg = pkg != null ? pkg : "com.example." + name.replace("-", "");
        if (!SourceVersion.isName(this.pkg)) {
            throw new BadInputException("--package " + this.pkg + " is not a Java package name: give dot-separated"
                    + " identifiers that are not Java keywords (e.g. org.acme.wordcount)");
        }
        this.pictorVersion = pictorVersion;
        this.camel = Arrays.stream(name.split("-")).map(w -> Character.toUpperCase(w.charAt(0)) + w.substring(1))
                .collect(Collectors.joining());
    }

    String pluginClass() {
        return pkg + "." + camel + "Plugin";
    }

    /** Relative path → content, in the order they are listed. */
    Map<String, String> files() {
        String src = "src/main/java/" + pkg.replace('.', '/') + "/";
        String test = "src/test/java/" + pkg.replace('.', '/') + "/";
        Map<String, String> files = new LinkedHashMap<>();
        files.put("pom.xml", pom());
        files.put("README.md", readme());
        files.put(".gitignore", "target/\n");
        files.put(src + camel + "Plugin.java", plugin());
        files.put(src + camel + "EncoderFactory.java", factory());
        files.put(src + camel + "Encoder.java", encoder());
        files.put("src/main/resources/" + PluginLoader.SERVICE_FILE, pluginClass() + "\n");
        files.put(test + camel + "PluginTest.java", test());
        return files;
    }

    /**
     * Writes the project into {@code dir}, which must not exist; the files appear all at once (they are written
     * beside it first), so an interrupted run leaves no half-made project.
     */
    void write(Path dir) {
        Path target = dir.toAbsolutePath().normalize();
        if (Files.exists(target)) {
            throw new BadInputException("folder " + dir + " already exists: give another --dir, or remove it first"
                    + " (new-plugin never overwrites)");
        }
        Path parent = target.getParent();
        Path staging = null;
        try {
            Files.createDirectories(parent);
            staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".new-");
            for (Map.Entry<String, String> f : files().entrySet()) {
                Path file = staging.resolve(f.getKey());
                Files.createDirectories(file.getParent());
                Files.writeString(file, f.getValue(), StandardCharsets.UTF_8);
            }
            Files.move(staging, target);   // fails, rather than replaces, if the folder appeared meanwhile
            staging = null;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new BadInputException("folder " + dir + " already exists: give another --dir, or remove it first"
                    + " (new-plugin never overwrites)");
        } catch (IOException e) {
            throw new PictorException("cannot write the plugin project to " + dir + ": " + e.getMessage(), e);
        } finally {
            if (staging != null) {
                deleteQuietly(staging);
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover hidden staging folder is harmless
        }
    }

    private String fill(String template) {
        ApiVersion api = ApiVersion.CURRENT;
        return template.replace("${name}", name).replace("${package}", pkg).replace("${Camel}", camel)
                .replace("${pictorVersion}", pictorVersion).replace("${apiMajor}", String.valueOf(api.major()))
                .replace("${apiMinor}", String.valueOf(api.minor()))
                .replace("${title}", name.replace('-', ' ').toLowerCase(Locale.ROOT));
    }

    private String pom() {
        return fill("""
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0"
                         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>${package}</groupId>
                  <artifactId>${name}</artifactId>
                  <version>0.1.0</version>
                  <name>Pictor plugin ${name}</name>

                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                    <pictor.version>${pictorVersion}</pictor.version>
                  </properties>

                  <dependencies>
                    <!-- The host app provides the API (and Guice, ND4J) at run time: never bundle it into the jar.
                         Not in your ~/.m2 yet? In a Pictor checkout: mvn -B -DskipTests -pl api -am install -->
                    <dependency>
                      <groupId>dev.pictor</groupId>
                      <artifactId>pictor-api</artifactId>
                      <version>${pictor.version}</version>
                      <scope>provided</scope>
                    </dependency>
                    <dependency>
                      <groupId>org.junit.jupiter</groupId>
                      <artifactId>junit-jupiter</artifactId>
                      <version>5.14.4</version>
                      <scope>test</scope>
                    </dependency>
                  </dependencies>

                  <build>
                    <plugins>
                      <!-- Pinned: Maven 3.8's default compiler plugin fails with "Source option 5 is no longer supported". -->
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>3.13.0</version>
                        <configuration>
                          <release>17</release>
                        </configuration>
                      </plugin>
                      <!-- Pinned: the default surefire of Maven 3.8 does not run JUnit 5 tests. -->
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-surefire-plugin</artifactId>
                        <version>3.5.4</version>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-resources-plugin</artifactId>
                        <version>3.3.1</version>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-jar-plugin</artifactId>
                        <version>3.4.2</version>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """);
    }

    private String readme() {
        return fill("""
                # ${name}: a Pictor plugin

                Encoder `${name}`: each text's number of tokens, as a pooled `[texts, 1]` embedding (a starting point:
                replace it with your own component).

                Build (needs `dev.pictor:pictor-api:${pictorVersion}` in `~/.m2`; in a Pictor checkout:
                `mvn -B -DskipTests -pl api -am install`):

                ```bash
                mvn -B package
                ```

                Drop it in and use it:

                ```bash
                cp target/${name}-0.1.0.jar /path/to/pictor/plugins.d/
                ./pictor plugins        # lists ${name} and its encoder
                ```

                ```groovy
                def p = pipeline { tokenizer 'word', corpus: 'texts.txt'; encoder '${name}' }
                println encode(p, texts: ['a red circle', 'a square'])   // [[3.0], [2.0]]
                ```
                """);
    }

    private String plugin() {
        return fill("""
                package ${package};

                import com.google.inject.Module;
                import dev.pictor.api.plugin.ApiVersion;
                import dev.pictor.api.plugin.Plugin;
                import dev.pictor.api.plugin.PluginModule;

                /**
                 * The plugin's entry point, named in META-INF/services/dev.pictor.api.plugin.Plugin. Pictor creates it
                 * with its public no-argument constructor and binds what {@link #module()} registers.
                 */
                public final class ${Camel}Plugin implements Plugin {
                    @Override
                    public String name() {
                        return "${name}";
                    }

                    @Override
                    public String version() {
                        return "0.1.0";
                    }

                    @Override
                    public String description() {
                        return "${title}: number of tokens per text";
                    }

                    @Override
                    public ApiVersion apiVersion() {
                        return new ApiVersion(${apiMajor}, ${apiMinor});
                    }

                    @Override
                    public Module module() {
                        return new PluginModule() {
                            @Override
                            protected void configureComponents() {
                                // a ComponentFactory<Encoder<?>>; tokenizer(…), sampler(…), task(…) work alike
                                encoder("${name}", ${Camel}EncoderFactory.class);
                            }
                        };
                    }
                }
                """);
    }

    private String factory() {
        return fill("""
                package ${package};

                import dev.pictor.api.spi.ComponentConfig;
                import dev.pictor.api.spi.ComponentFactory;
                import dev.pictor.api.spi.Encoder;

                /**
                 * Makes the {@code ${name}} encoder from a pipeline's settings. Encoder factories are
                 * {@code ComponentFactory<Encoder<?>>} (the wildcard: one binding serves every input type).
                 * Settings: {@code scale} (default 1), multiplies the counts.
                 */
                public final class ${Camel}EncoderFactory implements ComponentFactory<Encoder<?>> {
                    /**
                     * Guice creates factories: keep a public no-argument constructor, or put {@code @jakarta.inject.Inject}
                     * on the one constructor that takes the services you need.
                     */
                    public ${Camel}EncoderFactory() {
                    }

                    @Override
                    public String description() {
                        return "number of tokens per text: [texts, 1]";
                    }

                    @Override
                    public Encoder<?> create(ComponentConfig config) {
                        config.allowOnly("scale");   // a misspelt setting is an error naming the closest one
                        return new ${Camel}Encoder(config.real("scale", 1.0));
                    }
                }
                """);
    }

    private String encoder() {
        return fill("""
                package ${package};

                import dev.pictor.api.spi.Encoder;
                import dev.pictor.api.spi.Encodings;
                import dev.pictor.api.spi.TokenBatch;
                import java.util.EnumSet;
                import java.util.Set;
                import org.nd4j.linalg.api.buffer.DataType;
                import org.nd4j.linalg.api.ndarray.INDArray;

                /** Each text's number of (non-padding) tokens, times {@code scale}: {@code [texts, 1]}. */
                public final class ${Camel}Encoder implements Encoder<TokenBatch> {
                    private final double scale;

                    public ${Camel}Encoder(double scale) {
                        this.scale = scale;
                    }

                    @Override
                    public String name() {
                        return "${name}";
                    }

                    @Override
                    public Class<TokenBatch> inputType() {
                        return TokenBatch.class;
                    }

                    @Override
                    public Set<Output> outputs() {
                        return EnumSet.of(Output.POOLED);   // one vector per text
                    }

                    @Override
                    public long dimension(Output output) {
                        return 1;
                    }

                    @Override
                    public Encodings encode(TokenBatch batch, Set<Output> wanted) {
                        Encodings.check(this, wanted);   // asking for an output it lacks is a clear error
                        INDArray mask = batch.attentionMask();   // [texts, length] INT64: 1 a token, 0 padding
                        INDArray counts = mask.castTo(DataType.FLOAT).sum(1).reshape(mask.size(0), 1).muli(scale);
                        return Encodings.builder(name()).put(Output.POOLED, counts).build();
                    }
                }
                """);
    }

    private String test() {
        return fill("""
                package ${package};

                import static org.junit.jupiter.api.Assertions.assertEquals;
                import static org.junit.jupiter.api.Assertions.assertThrows;
                import static org.junit.jupiter.api.Assertions.assertTrue;

                import dev.pictor.api.BadInputException;
                import dev.pictor.api.plugin.PluginLoader;
                import dev.pictor.api.plugin.PluginRegistry;
                import dev.pictor.api.spi.ComponentConfig;
                import dev.pictor.api.spi.ComponentKind;
                import dev.pictor.api.spi.Encoder;
                import dev.pictor.api.spi.TokenBatch;
                import java.util.Map;
                import java.util.Optional;
                import org.junit.jupiter.api.Test;

                class ${Camel}PluginTest {
                    private static ComponentConfig settings(Map<String, ?> settings) {
                        return new ComponentConfig(ComponentKind.ENCODER, "${name}", settings, null);
                    }

                    @Test
                    void loadsAsPictorLoadsItAndMakesTheEncoder() {
                        // the service file, the API version check and Guice, as `pictor plugins` runs them
                        try (PluginRegistry registry = PluginLoader.builder().load()) {
                            assertTrue(registry.failures().isEmpty(), () -> registry.failures().toString());
                            assertEquals(Optional.of("${name}"), registry.provider(ComponentKind.ENCODER, "${name}"));
                            Encoder<?> encoder = registry.factory(ComponentKind.ENCODER, "${name}").create(settings(Map.of()));
                            assertEquals(TokenBatch.class, encoder.inputType());
                            assertEquals(Optional.of(Encoder.Output.POOLED), encoder.embedding());
                            assertEquals(1, encoder.dimension(Encoder.Output.POOLED));
                        }
                    }

                    @Test
                    void rejectsUnknownSettings() {
                        BadInputException e = assertThrows(BadInputException.class,
                                () -> new ${Camel}EncoderFactory().create(settings(Map.of("scael", 2))));
                        assertTrue(e.getMessage().contains("did you mean 'scale'?"), e.getMessage());
                    }
                }
                """);
    }
}
