package dev.pictor.dsl;

import dev.pictor.api.BadInputException;
import dev.pictor.api.Pictor;
import dev.pictor.api.PictorException;
import dev.pictor.api.run.Cancellation;
import dev.pictor.api.run.ProgressListener;
import groovy.lang.Binding;
import groovy.lang.GroovyShell;
import groovy.lang.MissingMethodException;
import groovy.lang.MissingPropertyException;
import groovy.lang.Script;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.codehaus.groovy.control.CompilationFailedException;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import org.codehaus.groovy.control.messages.Message;
import org.codehaus.groovy.control.messages.SyntaxErrorMessage;
import org.codehaus.groovy.syntax.SyntaxException;

/**
 * Runs a Pictor DSL script file. Errors come back as one line that starts with the script's {@code file:line}:
 * syntax errors from the compiler's position, run-time errors from the script's frame in the stack trace.
 *
 * <p>Scripts are trusted code, like any program you run: Groovy has no sandbox worth the name. Run untrusted
 * scripts in a separate, locked-down process.
 *
 * <pre>{@code
 * try (Pictor pictor = Pictor.builder().build()) {
 *     new ScriptRunner(pictor, System.out, System.err).run(Path.of("examples/onehot.groovy"), List.of("in.txt"));
 * }
 * }</pre>
 */
public final class ScriptRunner {
    private final Pictor pictor;
    private final PrintStream out;
    private final PrintStream err;
    private ProgressListener progress = ProgressListener.NONE;
    private Cancellation cancellation = new Cancellation();
    private boolean quiet;

    public ScriptRunner(Pictor pictor, PrintStream out, PrintStream err) {
        this.pictor = pictor;
        this.out = out;
        this.err = err;
    }

    /** Receives progress that tasks report. */
    public ScriptRunner progress(ProgressListener listener) {
        this.progress = listener;
        return this;
    }

    /** Cancels tasks between their steps. */
    public ScriptRunner cancellation(Cancellation token) {
        this.cancellation = token;
        return this;
    }

    /** Suppresses warnings (truncated texts, …) on the error stream. */
    public ScriptRunner quiet(boolean silent) {
        this.quiet = silent;
        return this;
    }

    /** Compiles and runs {@code script} with {@code args} bound as {@code args}; returns the script's value. */
    public Object run(Path script, List<String> args) {
        Path file = script.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("script not found: " + script + " (check the path)");
        }
        String fileName = file.getFileName().toString();
        CompilerConfiguration config = new CompilerConfiguration();
        config.setScriptBaseClass(PictorScript.class.getName());
        config.setSourceEncoding(StandardCharsets.UTF_8.name());

        try (ScriptRuntime runtime = new ScriptRuntime(pictor, out, quiet ? null : err, Path.of(""),
                progress, cancellation)) {
            Binding binding = new Binding();
            binding.setVariable(ScriptRuntime.BINDING_NAME, runtime);
            binding.setVariable("args", List.copyOf(args));
            binding.setVariable("scriptDir", file.getParent().toString());
            binding.setVariable("out", new PrintWriter(out, true));
            GroovyShell shell = new GroovyShell(PictorScript.class.getClassLoader(), binding, config);
            Script compiled;
            try {
                compiled = shell.parse(file.toFile());
            } catch (CompilationFailedException e) {
                throw new BadInputException(fileName + ":" + compileError(e));
            } catch (IOException e) {
                throw new BadInputException("cannot read script " + script + ": " + e.getMessage());
            }
            try {
                return compiled.run();
            } catch (VirtualMachineError e) {
                throw new PictorException(fileName + ": " + (e instanceof OutOfMemoryError
                        ? "out of memory: process less at a time, or give Java more with PICTOR_JAVA_OPTS=-Xmx8g"
                        : "the JVM failed: " + e), e);
            } catch (Throwable e) {
                // Groovy rethrows checked exceptions undeclared, and a failed `assert` is an Error: all of them
                // become one line at the script's line.
                throw located(fileName, compiled.getClass().getName(), e);
            }
        }
    }

    private static String compileError(CompilationFailedException e) {
        if (e instanceof MultipleCompilationErrorsException m && m.getErrorCollector().getErrorCount() > 0) {
            Message first = m.getErrorCollector().getError(0);
            if (first instanceof SyntaxErrorMessage s) {
                SyntaxException cause = s.getCause();
                return cause.getStartLine() + ": syntax error: " + cleanSyntax(cause.getOriginalMessage());
            }
        }
        return " syntax error: " + firstLine(e.getMessage());
    }

    private static String cleanSyntax(String message) {
        return firstLine(message).replaceAll("\\s*@ line \\d+, column \\d+\\.?$", "");
    }

    /** Turns a run-time failure into a one-line error that starts with the script's file:line. */
    static PictorException located(String fileName, String className, Throwable e) {
        int line = scriptLine(e, fileName, className);
        String where = fileName + (line > 0 ? ":" + line : "") + ": ";
        Throwable cause = e;
        while (!(cause instanceof PictorException) && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof BadInputException bad) {
            return new BadInputException(where + bad.getMessage(), bad);
        }
        if (cause instanceof PictorException pe) {
            return new PictorException(where + pe.getMessage(), pe);
        }
        if (e instanceof MissingPropertyException mp) {
            return new BadInputException(where + "unknown name '" + mp.getProperty() + "': define it with def, or"
                    + " check the spelling", e);
        }
        if (e instanceof MissingMethodException mm) {
            return new BadInputException(where + "no method " + mm.getMethod() + " for these arguments on "
                    + (mm.getType() == null ? "the script" : mm.getType().getSimpleName()) + ": check the verb's"
                    + " arguments", e);
        }
        if (e instanceof AssertionError) {
            return new PictorException(where + "assertion failed: " + firstLine(e.getMessage()), e);
        }
        if (e instanceof java.io.IOException) {
            return new BadInputException(where + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage())), e);
        }
        return new PictorException(where + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage())), e);
    }

    private static int scriptLine(Throwable e, String fileName, String className) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                if (frame.getLineNumber() > 0 && (fileName.equals(frame.getFileName())
                        || frame.getClassName().equals(className) || frame.getClassName().startsWith(className + "$"))) {
                    return frame.getLineNumber();
                }
            }
        }
        return -1;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.strip().lines().findFirst().orElse("");
    }
}
