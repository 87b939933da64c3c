package dev.pictor.diffusion;

/**
 * The noise levels of Karras et al. (2022, eq. 5): σ_i = (σ_max^{1/ρ} + i/(n−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ,
 * which spends more steps at low noise than evenly spaced timesteps do. ρ = 7 is the paper's choice.
 *
 * <pre>{@code
 * double[] s = KarrasSigmas.of(0.0292, 14.61, 20, 7);   // 14.61, 11.73, … 0.0292
 * }</pre>
 */
public final class KarrasSigmas {
    private KarrasSigmas() {
    }

    /** n levels from σ_max down to σ_min (n = 1 gives σ_max alone). */
    public static double[] of(double sigmaMin, double sigmaMax, int n, double rho) {
        if (!(sigmaMin > 0 && sigmaMin < sigmaMax) || n < 1 || !(rho > 0)) {
            throw new IllegalArgumentException("Karras sigmas need 0 < min < max, n >= 1 and rho > 0");
        }
        double lo = Math.pow(sigmaMin, 1 / rho);
        double hi = Math.pow(sigmaMax, 1 / rho);
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            double ramp = n == 1 ? 0 : (double) i / (n - 1);
            s[i] = Math.pow(hi + ramp * (lo - hi), rho);
        }
        return s;
    }
}
