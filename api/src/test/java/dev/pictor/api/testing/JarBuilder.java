package dev.pictor.api.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * Compiles Java sources against the test class path and packs them into a jar, so plugin-loading tests use
 * real, separately built plugin jars (good ones and broken ones) rather than mocks.
 *
 * <pre>{@code
 * Path jar = new JarBuilder().source("p.MyPlugin", "package p; public class MyPlugin implements Plugin {…}")
 *         .service("p.MyPlugin").write(dir.resolve("my.jar"));
 * }</pre>
 */
public final class JarBuilder {
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final List<String> dropClasses = new ArrayList<>();

    /** Adds a Java source file for the class with this binary name. */
    public JarBuilder source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** Names plugin classes in META-INF/services/dev.pictor.api.plugin.Plugin. */
    public JarBuilder service(String... classNames) {
        return file("META-INF/services/dev.pictor.api.plugin.Plugin",
                (String.join("\n", classNames) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Adds a plain file. */
    public JarBuilder file(String path, byte[] content) {
        files.put(path, content);
        return this;
    }

    /** Compiles the class but leaves it out of the jar (to make a jar with a missing class). */
    public JarBuilder omitClass(String className) {
        dropClasses.add(className.replace('.', '/'));
        return this;
    }

    /** Compiles and writes the jar. */
    public Path write(Path jar) throws IOException {
        Path classes = Files.createTempDirectory("jarbuilder");
        if (!sources.isEmpty()) {
            compile(classes);
        }
        Files.createDirectories(jar.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(out)) {
            List<Path> all;
            try (var walk = Files.walk(classes)) {
                all = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path p : all) {
                String name = classes.relativize(p).toString().replace('\\', '/');
                String base = name.endsWith(".class") ? name.substring(0, name.length() - 6) : name;
                if (dropClasses.stream().anyMatch(d -> base.equals(d) || base.startsWith(d + "$"))) {
                    continue;
                }
                jos.putNextEntry(new JarEntry(name));
                jos.write(Files.readAllBytes(p));
                jos.closeEntry();
            }
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                jos.putNextEntry(new JarEntry(f.getKey()));
                jos.write(f.getValue());
                jos.closeEntry();
            }
        }
        return jar;
    }

    private void compile(Path out) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("tests need a JDK (javax.tools compiler), not a JRE");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            fm.setLocation(StandardLocation.CLASS_OUTPUT, List.of(out.toFile()));
            List<JavaFileObject> units = new ArrayList<>();
            sources.forEach((name, code) -> units.add(new SimpleJavaFileObject(
                    URI.create("string:///" + name.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return code;
                }
            }));
            List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-proc:none",
                    "--release", "17");
            if (!compiler.getTask(null, fm, diagnostics, options, null, units).call()) {
                throw new IllegalStateException("test plugin did not compile: " + diagnostics.getDiagnostics());
            }
        }
    }
}
