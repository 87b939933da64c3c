package dev.pictor.api.device;

import org.nd4j.common.io.Resource;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4jBackend;

/**
 * Chooses ND4J's CPU natives for code that calls {@code Nd4j} before anything of Pictor. ND4J finds its backends
 * with a {@link java.util.ServiceLoader} and asks each, highest priority first, whether it is available; this
 * one is registered with the highest priority, so it is asked before the CPU backend loads any native code. It
 * runs {@link CpuNatives#select()} and then says it is unavailable — ND4J logs that answer at WARN under
 * {@code org.nd4j.linalg.factory.Nd4jBackend}, with the choice as the reason, and loads the real backend with the
 * natives chosen. A CPU that cannot run any bundled build gets an {@link UnsatisfiedLinkError} naming the CPU and
 * what it lacks, instead of a SIGILL that kills the JVM.
 */
public final class SelectingBackend extends Nd4jBackend {
    @Override
    public int getPriority() {
        return 1_000_000;
    }

    @Override
    public boolean isAvailable() {
        CpuNatives.Choice c;
        try {
            c = CpuNatives.select();
        } catch (RuntimeException e) {
            // An Error passes ND4J's catch (Exception) and stops it loading a build that would crash the JVM.
            UnsatisfiedLinkError error = new UnsatisfiedLinkError(e.getMessage());
            error.initCause(e);
            throw error;
        }
        throw new IllegalStateException("Pictor chose " + c.classifier() + " (" + c.reason() + ")");
    }

    @Override
    public boolean allowsOrder() {
        return false;
    }

    @Override
    public boolean canRun() {
        return false;
    }

    @Override
    public Resource getConfigurationResource() {
        return null;
    }

    @Override
    public Class<?> getNDArrayClass() {
        return null;
    }

    @Override
    public Environment getEnvironment() {
        return null;
    }

    @Override
    public String buildInfo() {
        return "Pictor's native selection (not a backend)";
    }

    @Override
    public void logBackendInit() {
    }
}
