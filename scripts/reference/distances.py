"""Reference values for the distribution-comparison kernels of MonitorStats.

Writes Tests/MonitorStatsTests/Fixtures/{psi,chi2,gammainc,divergences,wasserstein,moments,
quantiles,multiple_testing}.json. Inputs are stored in the fixtures next to the expected values.

PSI and the categorical chi-square come from the project's own definition, `psi_numeric`,
`quantile_edges` and `categorical_tests` in shared/bench/anchors.py, imported by path (set
ANCHORS_PY to override the default /work/shared/bench/anchors.py), so the fixture is the
definition the service must match (DESIGN §6). Everything else is numpy/scipy.
"""
import importlib.util
import os

import numpy as np
from scipy import special, stats
from scipy.spatial import distance

from _common import write_fixture

SCRIPT = "distances.py"
SEED = 20240611
FIX = "Tests/MonitorStatsTests/Fixtures"

spec = importlib.util.spec_from_file_location(
    "anchors", os.environ.get("ANCHORS_PY", "/work/shared/bench/anchors.py"))
anchors = importlib.util.module_from_spec(spec)
spec.loader.exec_module(anchors)


def fl(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


def il(a):
    return [int(x) for x in np.asarray(a).ravel()]


def numeric_samples(rng):
    """(name, reference, current) pairs covering continuous, tied, shifted and tiny samples."""
    out = [
        ("normal_shift", rng.normal(0, 1, 1500), rng.normal(0.3, 1.2, 1200)),
        ("normal_same", rng.normal(5, 2, 1000), rng.normal(5, 2, 1000)),
        ("lognormal_scale", rng.lognormal(0, 1, 2000), rng.lognormal(0.2, 1.1, 800)),
        ("integers_ties", rng.integers(0, 5, 1000).astype(float), rng.integers(0, 7, 900).astype(float)),
        ("mostly_constant", np.concatenate([np.zeros(950), rng.normal(0, 1, 50)]), rng.normal(0, 1, 300)),
        ("constant_ref", np.full(200, 3.0), np.array([2.0, 3.0, 3.0, 4.0, 5.0])),
        ("tiny", np.array([1.0, 2.0, 3.0]), np.array([0.5, 2.0, 2.5, 10.0])),
        ("uniform_values_on_edges", np.arange(0, 101, dtype=float), np.arange(0, 101, 5, dtype=float)),
        ("disjoint", rng.uniform(0, 1, 500), rng.uniform(10, 11, 400)),
        ("heavy_tail", rng.standard_cauchy(1000), rng.standard_cauchy(1000) * 2),
    ]
    return out


def gen_psi(rng):
    cases = []
    for name, ref, cur in numeric_samples(rng):
        edges = anchors.quantile_edges(ref)
        k = len(edges) + 1
        cr = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=k)
        cc = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=k)
        quantiles = np.quantile(ref, np.linspace(0.1, 0.9, 9))
        cases.append({"kind": "numeric", "name": name, "reference": fl(ref), "current": fl(cur),
                      "quantiles": fl(quantiles), "edges": fl(edges),
                      "reference_counts": il(cr), "current_counts": il(cc),
                      "psi": anchors.psi_numeric(ref, cur)})
    cats = np.array(list("abcdefghij"))
    for name, ref, cur in [
        ("cat_uniform_vs_skewed", rng.choice(cats[:6], 1000), rng.choice(cats[:6], 800, p=[.3, .2, .2, .1, .1, .1])),
        ("cat_new_category", rng.choice(cats[:4], 500), rng.choice(cats[:6], 500)),
        ("cat_dropped_category", rng.choice(cats[:8], 700), rng.choice(cats[:3], 600)),
        ("cat_identical_mix", rng.choice(cats[:5], 400), rng.choice(cats[:5], 400)),
        ("cat_two", rng.choice(cats[:2], 90), rng.choice(cats[:2], 110, p=[.7, .3])),
    ]:
        r = ref.astype(str)
        c = cur.astype(str)
        res = anchors.categorical_tests(r, c)
        u, inv = np.unique(np.concatenate([r, c]), return_inverse=True)
        cr = np.bincount(inv[:len(r)], minlength=len(u))
        cc = np.bincount(inv[len(r):], minlength=len(u))
        cases.append({"kind": "categorical", "name": name, "categories": [str(x) for x in u],
                      "reference_counts": il(cr), "current_counts": il(cc), "psi": res["psi"],
                      "chi2": res["chi2"], "p_value": res["p_value"], "dof": res["dof"],
                      "new_in_current": res["new_in_current"]})
    write_fixture(f"{FIX}/psi.json", SCRIPT, SEED,
                  "PSI: anchors.psi_numeric (numpy-linear decile edges, deduplicated, right-closed bins, "
                  "eps=1e-4 clip) and anchors.categorical_tests (union of categories)", cases)


def gen_chi2(rng):
    cases = []
    tables = [
        ("two_by_two", [10, 20], [30, 25]),
        ("k5_moderate", [120, 90, 60, 30, 10], [100, 100, 70, 20, 15]),
        ("k10_strong", il(rng.multinomial(5000, np.full(10, .1))), il(rng.multinomial(5000, np.linspace(1, 2, 10) / 15))),
        ("k3_tiny_counts", [1, 2, 3], [3, 2, 1]),
        ("identical", [40, 40, 20], [40, 40, 20]),
        ("proportional", [10, 20, 30], [20, 40, 60]),
        ("huge_drift_tail", [100000, 100, 100], [100, 100000, 100]),
        ("extreme_tail_underflow", [1000000, 10, 10], [10, 1000000, 10]),
        ("k50", il(rng.multinomial(20000, np.full(50, .02))), il(rng.multinomial(20000, rng.dirichlet(np.full(50, 30.0))))),
        ("k400_near_null", il(rng.multinomial(100000, np.full(400, 1 / 400))), il(rng.multinomial(100000, np.full(400, 1 / 400)))),
        ("new_category", [50, 50, 0], [40, 40, 20]),
        ("single_column", [7], [9]),
    ]
    for name, a, b in tables:
        obs = np.vstack([a, b])
        chi2, p, dof, _ = stats.chi2_contingency(obs, correction=False)
        g, gp, gdof, _ = stats.chi2_contingency(obs, correction=False, lambda_="log-likelihood")
        cases.append({"kind": "homogeneity", "name": name, "a": il(a), "b": il(b), "statistic": float(chi2),
                      "p_value": float(p), "dof": int(dof), "g_statistic": float(g), "g_p_value": float(gp)})
    # A column empty in both rows: scipy rejects it (zero expected frequency); we drop it, which
    # equals scipy on the table without that column.
    a, b = [5, 0, 7, 9], [6, 0, 2, 12]
    keep = [0, 2, 3]
    obs = np.vstack([np.array(a)[keep], np.array(b)[keep]])
    chi2, p, dof, _ = stats.chi2_contingency(obs, correction=False)
    g, gp, _, _ = stats.chi2_contingency(obs, correction=False, lambda_="log-likelihood")
    cases.append({"kind": "homogeneity", "name": "empty_column_dropped", "a": a, "b": b, "statistic": float(chi2),
                  "p_value": float(p), "dof": int(dof), "g_statistic": float(g), "g_p_value": float(gp)})
    for name, obs, props in [
        ("die_fair", [16, 18, 16, 14, 12, 12], np.full(6, 1 / 6)),
        ("skewed", [50, 30, 15, 5], np.array([.4, .3, .2, .1])),
        ("far", [1000, 10, 10, 10], np.array([.25, .25, .25, .25])),
        ("multinomial_k20", il(rng.multinomial(3000, rng.dirichlet(np.full(20, 5.0)))), rng.dirichlet(np.full(20, 5.0))),
    ]:
        obs = np.asarray(obs)
        props = np.asarray(props, dtype=float)
        f_exp = props * obs.sum()
        s, p = stats.chisquare(obs, f_exp, sum_check=False)
        cases.append({"kind": "goodness_of_fit", "name": name, "observed": il(obs),
                      "expected_proportions": fl(props), "statistic": float(s), "p_value": float(p),
                      "dof": int(len(obs) - 1)})
    write_fixture(f"{FIX}/chi2.json", SCRIPT, SEED,
                  "scipy.stats.chi2_contingency(correction=False) (Pearson and lambda_='log-likelihood') on 2xK "
                  "tables; scipy.stats.chisquare(f_obs, f_exp = proportions * sum(f_obs))", cases)


def gen_gammainc():
    a_grid = [0.5, 1.0, 1.5, 2.0, 2.5, 3.5, 5.0, 7.5, 10.0, 15.5, 20.0, 30.0, 49.5, 100.0, 199.5,
              250.0, 500.0, 1000.0, 2500.0, 5000.0, 20000.0]
    cases = []
    for a in a_grid:
        xs = set()
        for r in [1e-6, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0, 1.01, 1.05, 1.1, 1.2,
                  1.3, 1.5, 2.0, 3.0, 5.0, 10.0]:
            xs.add(a * r)
        for z in [-8, -5, -3, -1, -0.5, 0.5, 1, 3, 5, 8, 12, 20, 30, 37]:
            x = a + z * np.sqrt(a)
            if x > 0:
                xs.add(float(x))
        for x in [1e-300, 1e-10, 0.25, 1.0, 3.0, 10.0, 50.0, 200.0, 500.0, 700.0, 705.0, 720.0, 745.0, 800.0, 1500.0]:
            xs.add(x)
        for x in sorted(xs):
            cases.append({"a": a, "x": float(x), "P": float(special.gammainc(a, x)),
                          "Q": float(special.gammaincc(a, x))})
    # points where Q lands near the bottom of the double range (p-values 1e-300 ... underflow)
    for a in [0.5, 1.5, 4.0, 12.5, 60.0, 300.0]:
        for target in [1e-100, 1e-200, 1e-300, 1e-310]:
            from scipy.optimize import brentq
            try:
                x = brentq(lambda x: np.log(max(special.gammaincc(a, x), 1e-323)) - np.log(target), a, a + 5000.0)
            except ValueError:
                continue
            cases.append({"a": a, "x": float(x), "P": float(special.gammainc(a, x)),
                          "Q": float(special.gammaincc(a, x))})
    write_fixture(f"{FIX}/gammainc.json", SCRIPT, None,
                  "scipy.special.gammainc / gammaincc over a (a, x) grid: ratios x/a, a + z*sqrt(a), absolute x up to "
                  "1500, and x where Q is 1e-100..1e-310 (underflow)", cases)


def gen_divergences(rng):
    cases = []
    vecs = [
        ("close", [100, 200, 300, 400], [110, 190, 310, 390]),
        ("far", [1000, 1, 1, 1], [1, 1, 1, 1000]),
        ("disjoint", [5, 5, 0, 0], [0, 0, 5, 5]),
        ("identical", [3, 1, 4, 1, 5], [3, 1, 4, 1, 5]),
        ("proportional", [1, 2, 3], [100, 200, 300]),
        ("zeros_one_side", [10, 0, 30, 5], [8, 4, 0, 20]),
        ("single_bin", [7], [3]),
        ("k10_multinomial", il(rng.multinomial(10000, np.full(10, .1))), il(rng.multinomial(8000, rng.dirichlet(np.full(10, 4.0))))),
        ("k200", il(rng.multinomial(50000, np.full(200, 1 / 200))), il(rng.multinomial(50000, rng.dirichlet(np.full(200, 50.0))))),
        ("nearly_identical_large", [1000000, 1000000, 1000000], [1000001, 1000000, 999999]),
    ]
    for name, p, q in vecs:
        p = np.asarray(p, dtype=float)
        q = np.asarray(q, dtype=float)
        pn, qn = p / p.sum(), q / q.sum()
        js = float(distance.jensenshannon(p, q, base=2))
        hel = float(np.sqrt(0.5 * np.sum((np.sqrt(pn) - np.sqrt(qn)) ** 2)))
        tvd = float(0.5 * np.sum(np.abs(pn - qn)))
        cases.append({"name": name, "p": il(p), "q": il(q), "jensen_shannon": js, "hellinger": hel,
                      "total_variation": tvd})
    write_fixture(f"{FIX}/divergences.json", SCRIPT, SEED,
                  "scipy.spatial.distance.jensenshannon(p, q, base=2) on raw counts (scipy normalises); Hellinger "
                  "sqrt(0.5*sum((sqrt p - sqrt q)^2)) and total variation 0.5*sum|p-q| on normalised counts (numpy)",
                  cases)


def gen_wasserstein(rng):
    cases = []
    samples = [
        ("tiny", np.array([0.0, 1.0, 3.0]), np.array([5.0, 6.0, 8.0])),
        ("tiny_unequal", np.array([3.4, 3.9, 7.5, 7.8]), np.array([4.5, 1.4])),
        ("normal_shift", rng.normal(0, 1, 3000), rng.normal(0.5, 1, 2000)),
        ("ties", rng.integers(0, 10, 1000).astype(float), rng.integers(2, 12, 777).astype(float)),
        ("lognormal", rng.lognormal(0, 2, 1500), rng.lognormal(0.1, 2, 1500)),
        ("large_offset", 1e6 + rng.normal(0, 1, 1000), 1e6 + rng.normal(0.01, 1, 1000)),
        ("constant_ref", np.full(100, 2.0), rng.normal(2, 1, 50)),
        ("identical", np.array([1.0, 2.0, 2.0, 5.0]), np.array([5.0, 2.0, 1.0, 2.0])),
        ("single_values", np.array([1.5]), np.array([-2.0])),
        ("mixed_signs_zero", np.array([-0.0, 0.0, -1e-300, 1e-300, 1.0]), np.array([0.0, 0.5, -0.5])),
    ]
    for name, u, v in samples:
        w = float(stats.wasserstein_distance(u, v))
        sd = float(np.std(u))
        cases.append({"name": name, "u": fl(u), "v": fl(v), "wasserstein": w, "std_reference": sd,
                      "wasserstein_normed": w / max(sd, 0.001)})
    write_fixture(f"{FIX}/wasserstein.json", SCRIPT, SEED,
                  "scipy.stats.wasserstein_distance(u, v); normed = W / max(np.std(u) (ddof=0), 0.001) as in "
                  "Evidently's wasserstein_distance_norm", cases)


def gen_moments_quantiles(rng):
    cases = []
    for name, x in [
        ("normal", rng.normal(3, 2, 2001)),
        ("large_offset", 1e9 + rng.normal(0, 1, 1000)),
        ("with_missing", np.concatenate([rng.normal(0, 1, 500), [np.nan, np.inf, -np.inf, np.nan]])),
        ("single", np.array([4.25])),
        ("two", np.array([1.0, 3.0])),
        ("constant", np.full(333, 0.1)),
        ("lognormal", rng.lognormal(0, 3, 1000)),
    ]:
        f = x[np.isfinite(x)]
        cases.append({"name": name, "values": [float(v) if np.isfinite(v) else str(float(v)) for v in x],
                      "count": int(len(f)), "missing": int(len(x) - len(f)), "mean": float(np.mean(f)),
                      "variance": float(np.var(f)), "variance_ddof1": float(np.var(f, ddof=1)) if len(f) > 1 else "nan",
                      "std": float(np.std(f)), "std_ddof1": float(np.std(f, ddof=1)) if len(f) > 1 else "nan",
                      "min": float(np.min(f)), "max": float(np.max(f))})
    write_fixture(f"{FIX}/moments.json", SCRIPT, SEED,
                  "numpy mean/var/std (ddof 0 and 1)/min/max over the finite values (NaN and +-inf are missing)", cases)

    qs = [0.0, 0.001, 0.01, 0.1, 0.2, 0.25, 0.3, 1 / 3, 0.5, 0.7, 0.75, 0.9, 0.99, 0.999, 1.0]
    qs = qs + fl(np.linspace(0.1, 0.9, 9))
    qcases = []
    for name, x in [
        ("normal", rng.normal(0, 1, 1001)),
        ("ties", rng.integers(0, 4, 300).astype(float)),
        ("single", np.array([2.5])),
        ("two", np.array([-1.0, 1.0])),
        ("wide", rng.standard_cauchy(500) * 1e100),
        ("even", np.sort(rng.uniform(0, 1, 10))),
    ]:
        s = np.sort(x)
        qcases.append({"name": name, "sorted": fl(s), "q": qs, "quantile": fl(np.quantile(s, qs))})
    write_fixture(f"{FIX}/quantiles.json", SCRIPT, SEED, "numpy.quantile(sorted, q, method='linear')", qcases)


def gen_multiple_testing(rng):
    cases = []
    for name, p in [
        ("classic", [0.01, 0.04, 0.03, 0.005, 0.5, 0.2]),
        ("ties", [0.02, 0.02, 0.02, 0.9]),
        ("all_ones", [1.0, 1.0, 1.0]),
        ("single", [0.03]),
        ("uniform50", fl(rng.uniform(0, 1, 50))),
        ("mixed_tiny", [1e-300, 0.0, 1e-10, 0.2, 0.049, 0.051]),
        ("beta_skewed", fl(rng.beta(0.3, 4, 100))),
    ]:
        p = np.asarray(p, dtype=float)
        cases.append({"name": name, "p": fl(p), "bh": fl(stats.false_discovery_control(p, method="bh")),
                      "bonferroni": fl(np.minimum(1.0, p * len(p)))})
    write_fixture(f"{FIX}/multiple_testing.json", SCRIPT, SEED,
                  "scipy.stats.false_discovery_control(p, method='bh'); Bonferroni min(1, p*m)", cases)


def main():
    rng = np.random.default_rng(SEED)
    gen_psi(rng)
    gen_chi2(rng)
    gen_gammainc()
    gen_divergences(rng)
    gen_wasserstein(rng)
    gen_moments_quantiles(rng)
    gen_multiple_testing(rng)


if __name__ == "__main__":
    main()
