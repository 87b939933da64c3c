package dev.pictor.nn;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Keeps SameDiff's gradient-building chatter off stdout. ND4J 1.0.0-M2.1 prints one {@code Added differentiated
 * op …} line with {@code System.out.println} for every op while it builds a gradient graph
 * ({@code SameDiff.createGradFunction}); no flag or logger turns that off, and stdout is for results.
 *
 * <p>{@link #run} replaces {@code System.out}, for the duration of the call only, with a stream that drops exactly
 * those lines when the thread that prints them is inside {@code run}; every other line, and everything other threads
 * print meanwhile, passes through unchanged. Nested and concurrent calls share one filter: the first to enter
 * installs it, the last to leave puts the previous {@code System.out} back (unless someone replaced it meanwhile,
 * whose stream is then left alone).
 *
 * <pre>{@code
 * QuietGradients.run(() -> { sd.createGradFunction(); return null; });
 * }</pre>
 */
public final class QuietGradients {
    /** The start of the lines dropped. */
    static final String PREFIX = "Added differentiated op ";

    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private static final Object LOCK = new Object();
    private static int users;
    private static PrintStream previous;
    private static Filter installed;

    private QuietGradients() {
    }

    /** Runs {@code action} with SameDiff's gradient lines of this thread kept off stdout; returns its result. */
    public static <T> T run(Supplier<T> action) {
        enter();
        try {
            return action.get();
        } finally {
            leave();
        }
    }

    private static void enter() {
        synchronized (LOCK) {
            if (users++ == 0) {
                previous = System.out;
                installed = new Filter(previous);
                System.setOut(installed);
            }
        }
        DEPTH.get()[0]++;
    }

    private static void leave() {
        DEPTH.get()[0]--;
        synchronized (LOCK) {
            if (--users == 0) {
                if (System.out == installed) {
                    System.setOut(previous);
                }
                installed = null;
                previous = null;
            }
        }
    }

    private static boolean drops(String line) {
        return line != null && line.startsWith(PREFIX) && DEPTH.get()[0] > 0;
    }

    /** Delegates everything to the stream it wraps, except the dropped lines. */
    private static final class Filter extends PrintStream {
        private final PrintStream out;

        Filter(PrintStream out) {
            super(out, true);
            this.out = out;
        }

        @Override
        public void println(String x) {
            if (!drops(x)) {
                out.println(x);
            }
        }

        @Override
        public void println(Object x) {
            if (!(x instanceof String s && drops(s))) {
                out.println(x);
            }
        }

        @Override
        public void write(int b) {
            out.write(b);
        }

        @Override
        public void write(byte[] buf, int off, int len) {
            out.write(buf, off, len);
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            out.flush();   // the wrapped stream outlives this filter
        }

        @Override
        public boolean checkError() {
            return out.checkError();
        }

        @Override
        public void print(boolean b) {
            out.print(b);
        }

        @Override
        public void print(char c) {
            out.print(c);
        }

        @Override
        public void print(int i) {
            out.print(i);
        }

        @Override
        public void print(long l) {
            out.print(l);
        }

        @Override
        public void print(float f) {
            out.print(f);
        }

        @Override
        public void print(double d) {
            out.print(d);
        }

        @Override
        public void print(char[] s) {
            out.print(s);
        }

        @Override
        public void print(String s) {
            out.print(s);
        }

        @Override
        public void print(Object obj) {
            out.print(obj);
        }

        @Override
        public void println() {
            out.println();
        }

        @Override
        public void println(boolean x) {
            out.println(x);
        }

        @Override
        public void println(char x) {
            out.println(x);
        }

        @Override
        public void println(int x) {
            out.println(x);
        }

        @Override
        public void println(long x) {
            out.println(x);
        }

        @Override
        public void println(float x) {
            out.println(x);
        }

        @Override
        public void println(double x) {
            out.println(x);
        }

        @Override
        public void println(char[] x) {
            out.println(x);
        }

        @Override
        public PrintStream format(String format, Object... args) {
            out.format(format, args);
            return this;
        }

        @Override
        public PrintStream format(Locale l, String format, Object... args) {
            out.format(l, format, args);
            return this;
        }

        @Override
        public PrintStream append(CharSequence csq) {
            out.append(csq);
            return this;
        }

        @Override
        public PrintStream append(CharSequence csq, int start, int end) {
            out.append(csq, start, end);
            return this;
        }

        @Override
        public PrintStream append(char c) {
            out.append(c);
            return this;
        }
    }
}
