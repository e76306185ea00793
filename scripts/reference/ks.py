"""Reference values for the two-sample Kolmogorov–Smirnov test and its null distributions.

Writes three fixtures (run via `scripts/gen-reference ks`):

* Tests/MonitorStatsTests/Fixtures/ks_2samp.json — scipy.stats.ks_2samp on small and medium
  samples (≤ 3000 values each so the file stays small): exact m == n and m != n, tied integer
  data, one-sided alternatives (including sizes where scipy's exact one-sided count overflows and
  falls back to the asymptotic formula), explicit method='asymp' and method='exact', and ±inf.
* Tests/MonitorStatsTests/Fixtures/kstwo.json — scipy.stats.kstwo.sf / .cdf over a grid of
  (n, d) that reaches every regime of scipy's _kolmogn (Ruben–Gambino tails, 2·smirnov,
  Durbin–Marsaglia–Tsang–Wang matrix, Pomeranz, Pelz–Good, the nd² ≥ 18 / 370 cut-offs).
  The asymptotic p-value of ks_2samp for max(m, n) > 10000 is kstwo.sf(D, round(mn/(m+n))), so
  this grid is what tests the large-sample path.
* Tests/MonitorStatsTests/Fixtures/smirnov.json — scipy.special.smirnov(n, d).
"""
import math
import warnings

import numpy as np
import scipy.special as sc
from scipy import stats

from _common import write_fixture

SEED = 20240611


def ks_cases():
    rng = np.random.default_rng(SEED)
    cases = []

    def add(intent, x, y, alternative="two-sided", method="auto"):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = stats.ks_2samp(x, y, alternative=alternative, method=method)
        fell_back = any("Switching to" in str(m.message) or "Exact" in str(m.message) for m in w)
        def enc(v):
            return [float(t) if np.isfinite(t) else ("inf" if t > 0 else "-inf") for t in v]
        cases.append({
            "intent": intent,
            "x": enc(x), "y": enc(y),
            "alternative": alternative, "method": method,
            "statistic": float(r.statistic), "pvalue": float(r.pvalue),
            "location": float(r.statistic_location) if np.isfinite(r.statistic_location)
            else ("inf" if r.statistic_location > 0 else "-inf"),
            "sign": int(r.statistic_sign),
            "fell_back": bool(fell_back),
        })

    def rnd(k):
        # rounded to 6 significant digits so the JSON stays compact; the values stay distinct
        return np.round(rng.standard_normal(k), 6)

    # exact two-sided, m == n (prob outside square)
    for k, shift in [(1, 0.0), (2, 1.0), (5, 0.5), (20, 0.3), (100, 0.2), (500, 0.1), (1000, 0.15),
                     (3000, 0.05), (3000, 0.3)]:
        add(f"exact two-sided m==n={k}, shift {shift}", rnd(k), rnd(k) + shift)
    # exact two-sided, m != n (Viehmann's 1-p recursion)
    for m, n, shift in [(1, 5, 0.0), (3, 7, 1.0), (10, 15, 0.5), (50, 80, 0.4), (200, 333, 0.2),
                        (1000, 1500, 0.1), (2500, 3000, 0.08), (3000, 2999, 0.0), (17, 3000, 0.5),
                        (600, 400, 0.6)]:
        add(f"exact two-sided m={m} n={n}, shift {shift}", rnd(m), rnd(n) + shift)
    # ties: integer data (statistic evaluated after all tied values)
    for m, n, hi in [(30, 40, 10), (200, 200, 5), (1000, 700, 20), (50, 50, 2)]:
        x = rng.integers(0, hi, m)
        y = rng.integers(0, hi, n) + (1 if m == 1000 else 0)
        add(f"ties: integers in [0,{hi}) m={m} n={n}", x, y)
        add(f"ties, less: integers m={m} n={n}", x, y, "less")
        add(f"ties, greater: integers m={m} n={n}", x, y, "greater")
    # one-sided exact: m == n closed product, m != n path counting (overflows above m+n ~ 1030)
    for m, n, shift in [(8, 8, 0.5), (100, 100, -0.3), (2000, 2000, 0.1), (5, 9, 0.8),
                        (40, 60, 0.3), (300, 500, -0.2), (10, 2000, 0.4), (400, 600, 0.1),
                        (700, 900, -0.1)]:
        x, y = rnd(m), rnd(n) + shift
        add(f"one-sided less m={m} n={n}", x, y, "less")
        add(f"one-sided greater m={m} n={n}", x, y, "greater")
    # explicit asymptotic (the formula used when max(m, n) > 10000)
    for m, n, shift, alt in [(50, 60, 0.5, "two-sided"), (1000, 3000, 0.1, "two-sided"),
                             (2000, 2000, 0.02, "two-sided"), (7, 3, 0.5, "two-sided"),
                             (300, 200, 0.3, "less"), (300, 200, -0.3, "greater"),
                             (200, 300, 0.3, "less"), (3000, 1000, 0.05, "greater")]:
        add(f"method asymp {alt} m={m} n={n}", rnd(m), rnd(n) + shift, alt, "asymp")
    # explicit exact
    add("method exact m=300 n=500", rnd(300), rnd(500) + 0.2, "two-sided", "exact")
    # degenerate and extreme inputs
    z = rnd(50)
    add("identical samples: D = 0, p = 1", z, z.copy())
    add("disjoint samples m==n: D = 1, tiny p", rnd(40), rnd(40) + 100.0)
    add("disjoint samples m!=n: D = 1, tiny p", rnd(40) + 100.0, rnd(70))
    add("±inf values", np.concatenate([rnd(20), [np.inf, -np.inf]]),
        np.concatenate([rnd(25) + 0.5, [np.inf]]))
    add("x = [1,2,3], y = [4,5,6]", [1, 2, 3], [4, 5, 6])
    add("x = [1,2,3], y = [4,5,6] less", [1, 2, 3], [4, 5, 6], "less")
    add("x = [1,2,3], y = [4,5,6] greater", [1, 2, 3], [4, 5, 6], "greater")
    return cases


NS = [1, 2, 5, 10, 50, 140, 141, 500, 1000, 10000, 100000, 100001, 500000, 1000000]
ND2 = [0.01, 0.05, 0.1, 0.3, 0.5, 0.754, 0.76, 1.0, 1.5, 2.1, 2.3, 3.0, 4.0, 4.1, 6.0, 10.0,
       17.0, 19.0, 30.0, 50.0, 100.0, 200.0, 369.0, 371.0, 400.0]


def grid(n):
    ds = set()
    for v in ND2:
        d = math.sqrt(v / n)
        if 0 < d < 1:
            ds.add(d)
    # Ruben–Gambino edges: n·d around 1/2 and 1, and d ≥ 1 − 1/n
    for t in [0.4, 0.5, 0.500001, 0.6, 0.75, 0.999, 1.0, 1.001, 1.5]:
        d = t / n
        if 0 < d <= 1:
            ds.add(d)
    for d in [(n - 1) / n, 1 - 0.5 / n, 0.5, 0.49, 0.51, 0.7, 0.95, 1.0]:
        if 0 < d <= 1:
            ds.add(d)
    # DMTW / Pelz–Good boundary n·d^1.5 = 1.4
    d = (1.4 / n) ** (2 / 3)
    for f in [0.99, 1.01]:
        if d * f < 1:
            ds.add(d * f)
    return sorted(ds)


def kstwo_cases():
    cases = []
    for n in NS:
        for d in grid(n):
            cases.append({"n": n, "d": d, "sf": float(stats.kstwo.sf(d, n)),
                          "cdf": float(stats.kstwo.cdf(d, n))})
    return cases


def smirnov_cases():
    cases = []
    for n in NS + [20000, 2000000]:
        ds = set(grid(n))
        ds.update(t / n for t in [1.5, 2.0, 2.5, 3.0] if t / n < 1)
        for d in sorted(ds):
            cases.append({"n": n, "d": d, "sf": float(sc.smirnov(n, d))})
    return cases


if __name__ == "__main__":
    write_fixture("Tests/MonitorStatsTests/Fixtures/ks_2samp.json", "ks.py", SEED,
                  "scipy.stats.ks_2samp(x, y, alternative, method); location = statistic_location,"
                  " sign = statistic_sign, fell_back = scipy warned and switched to 'asymp'",
                  ks_cases())
    write_fixture("Tests/MonitorStatsTests/Fixtures/smirnov.json", "ks.py", SEED,
                  "scipy.special.smirnov(n, d): one-sided one-sample Smirnov survival function",
                  smirnov_cases())
    write_fixture("Tests/MonitorStatsTests/Fixtures/kstwo.json", "ks.py", SEED,
                  "scipy.stats.kstwo.sf(d, n) and .cdf(d, n): finite-n two-sided Kolmogorov"
                  " distribution", kstwo_cases())
