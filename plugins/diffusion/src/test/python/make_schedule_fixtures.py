#!/usr/bin/env python3
"""Reference tables for the noise schedules, timestep spacings and Karras noise levels, from their published
formulas in float64 with numpy. Run from the repository root:

    python3 plugins/diffusion/src/test/python/make_schedule_fixtures.py

It writes plugins/diffusion/src/test/resources/dev/pictor/diffusion/schedules.json. Sources of the formulas:
  linear β            Ho et al. 2020, "Denoising Diffusion Probabilistic Models", §4 (β from 1e-4 to 0.02)
  scaled-linear β     Rombach et al. 2022 (latent diffusion): √β evenly spaced, 0.00085 to 0.012
  cosine ᾱ            Nichol & Dhariwal 2021, "Improved DDPM", eq. 17 (s = 0.008, β clipped at 0.999)
  spacings            Lin et al. 2024, "Common Diffusion Noise Schedules and Sample Steps Are Flawed", table 2
                      (linspace, leading, trailing)
  Karras σ            Karras et al. 2022, "Elucidating the Design Space…", eq. 5 (ρ = 7)
The Java tests must not need Python: only the JSON file.
"""
import json
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "dev", "pictor", "diffusion", "schedules.json")
T = 1000


def betas(kind, start, end, n):
    if kind == "linear":
        return np.linspace(start, end, n, dtype=np.float64)
    if kind == "scaled-linear":
        return np.linspace(start ** 0.5, end ** 0.5, n, dtype=np.float64) ** 2
    if kind == "cosine":
        f = lambda t: math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2
        return np.array([min(1 - f((i + 1) / n) / f(i / n), 0.999) for i in range(n)], dtype=np.float64)
    raise ValueError(kind)


def spacing(kind, n, offset=0):
    if kind == "linspace":
        t = np.linspace(0, T - 1, n).round()[::-1]
    elif kind == "leading":
        t = (np.arange(0, n) * (T // n)).round()[::-1] + offset
    elif kind == "trailing":
        t = np.round(np.arange(T, 0, -T / n)) - 1
    else:
        raise ValueError(kind)
    return [int(x) for x in t]


def karras(sigma_min, sigma_max, n, rho=7.0):
    ramp = np.linspace(0, 1, n)
    lo, hi = sigma_min ** (1 / rho), sigma_max ** (1 / rho)
    return list((hi + ramp * (lo - hi)) ** rho)


def main():
    out = {"trainSteps": T, "schedules": {}, "spacings": {}, "karras": {}}
    for kind, start, end in [("linear", 1e-4, 0.02), ("scaled-linear", 0.00085, 0.012), ("cosine", 0, 0)]:
        abar = np.cumprod(1 - betas(kind, start, end, T))
        sigma = np.sqrt((1 - abar) / abar)
        out["schedules"][kind] = {"betaStart": start, "betaEnd": end, "alphaBar": list(abar),
                                  "sigma": list(sigma)}
    for kind in ["linspace", "leading", "trailing"]:
        for n in [20, 50]:
            out["spacings"][f"{kind}-{n}"] = spacing(kind, n)
    out["spacings"]["leading-50-offset1"] = spacing("leading", 50, offset=1)
    sl = out["schedules"]["scaled-linear"]["sigma"]
    for n in [20, 50]:
        out["karras"][f"scaled-linear-{n}"] = karras(sl[0], sl[-1], n)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=None)
        f.write("\n")


if __name__ == "__main__":
    main()
