package dev.pictor.api.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What this machine's CPU is and which instruction sets it has, read from {@code /proc/cpuinfo} (Linux) — the
 * facts that decide which native build of ND4J can run here.
 *
 * <pre>{@code
 * CpuInfo cpu = CpuInfo.current();
 * System.out.println(cpu.model() + " " + cpu.has("avx512f"));
 * }</pre>
 *
 * @param model  the CPU's model name ("AMD EPYC 7B13"), or the JVM's os.arch where no model is known
 * @param vendor "GenuineIntel", "AuthenticAMD", or "" where unknown
 * @param flags  the kernel's feature flags, lower case ("avx2", "fma", "avx512f", …); empty where unknown
 * @param cores  logical cores the JVM may use
 * @param arch   the JVM's os.arch ("amd64", "aarch64")
 * @param os     the JVM's os.name ("Linux")
 */
public record CpuInfo(String model, String vendor, Set<String> flags, int cores, String arch, String os) {
    /** The flags that matter to Pictor's natives and kernels, in the order {@code pictor doctor} shows them. */
    public static final java.util.List<String> SHOWN = java.util.List.of("sse4_2", "avx", "f16c", "fma", "bmi2",
            "avx2", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_vnni", "avx512_bf16",
            "amx_tile");

    private static volatile CpuInfo current;

    public CpuInfo {
        flags = Set.copyOf(flags);
    }

    /** This machine's CPU (read once per process). */
    public static CpuInfo current() {
        CpuInfo c = current;
        if (c == null) {
            String text = "";
            try {
                Path p = Path.of("/proc/cpuinfo");
                if (Files.isReadable(p)) {
                    text = Files.readString(p, StandardCharsets.ISO_8859_1);
                }
            } catch (IOException | RuntimeException e) {
                text = "";
            }
            c = parse(text, Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch", ""),
                    System.getProperty("os.name", ""));
            current = c;
        }
        return c;
    }

    /** Parses the text of {@code /proc/cpuinfo}: the first processor's model name, vendor and flags. */
    public static CpuInfo parse(String procCpuinfo, int cores, String arch, String os) {
        String model = null;
        String vendor = "";
        Set<String> flags = new TreeSet<>();
        boolean flagsSeen = false;
        for (String line : procCpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (model == null && key.equals("model name")) {
                model = value;
            } else if (vendor.isEmpty() && key.equals("vendor_id")) {
                vendor = value;
            } else if (!flagsSeen && key.equals("flags")) {
                flagsSeen = true;
                Arrays.stream(value.split("\\s+")).filter(f -> !f.isEmpty())
                        .forEach(f -> flags.add(f.toLowerCase(Locale.ROOT)));
            }
        }
        return new CpuInfo(model == null || model.isEmpty() ? arch : model, vendor, flags, cores, arch, os);
    }

    /** Whether the CPU reports {@code flag} (as the kernel names it). */
    public boolean has(String flag) {
        return flags.contains(flag);
    }

    /** Linux on 64-bit x86: the only platform whose CPU natives the app bundles. */
    public boolean isLinuxX86_64() {
        return os.toLowerCase(Locale.ROOT).startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    /** javacpp's name for this platform ("linux-x86_64"). */
    public String platform() {
        String o = os.toLowerCase(Locale.ROOT);
        String osName = o.startsWith("linux") ? "linux" : o.startsWith("mac") ? "macosx"
                : o.startsWith("windows") ? "windows" : o.replace(' ', '-');
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
        return osName + "-" + a;
    }

    /** The {@link #SHOWN} flags this CPU has, space-separated. */
    public String shownFlags() {
        StringBuilder s = new StringBuilder();
        for (String f : SHOWN) {
            if (has(f)) {
                s.append(s.length() == 0 ? "" : " ").append(f);
            }
        }
        return s.length() == 0 ? "(none of " + String.join(", ", SHOWN) + ")" : s.toString();
    }

    @Override
    public String toString() {
        return model + (vendor.isEmpty() ? "" : " (" + vendor + ")");
    }
}
