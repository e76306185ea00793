"""Expected `monitor compare` statistics for the committed JSONL pairs in
Tests/MonitorCLITests/Fixtures/compare/, computed with numpy/scipy exactly as DESIGN §6 defines them:

- PSI: interior edges = the reference's 10%..90% quantiles (numpy 'linear'), deduplicated; bins
  right-closed (np.searchsorted side='left'); proportions clipped below at 1e-4; sum (c-r) ln(c/r).
  Categorical: over the union of categories. (Same as psi_numeric / categorical_tests in
  shared/bench/anchors.py.)
- KS: scipy.stats.ks_2samp(method='auto') on the non-missing values.
- Wasserstein: scipy.stats.wasserstein_distance; normed = W / max(np.std(ref), 0.001).
- JS: scipy.spatial.distance.jensenshannon(base=2) over the PSI bins / categories (counts).
- chi-square: scipy.stats.chi2_contingency(correction=False) on the 2 x K union table.
- missing_rate, out_of_range_rate (outside the reference's [min, max]), new_category_rate.

The JSONL inputs were written by `monitor simulate` (commands in each case's "made_by").
"""
import json
import os

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp, wasserstein_distance

from _common import ROOT, write_fixture

EPS = 1e-4
DIR = os.path.join(ROOT, "Tests", "MonitorCLITests", "Fixtures", "compare")
PAIRS = [
    ("large", "monitor simulate --out . --rows 3000 --reference-rows 3000 --seed 99 "
              "--drift amount:shift=0.5,balance:scale=1.5,country:new-category=0.05,age:missing=0.1"),
    ("small", "monitor simulate --out . --rows 600 --reference-rows 500 --seed 5 "
              "--drift distance_km:shift=1,device:new-category=0.2"),
]


def load(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    return rows


def columns(rows):
    names = []
    for r in rows:
        for k in r["features"]:
            if k not in names:
                names.append(k)
    return names


def kind_of(rows, name):
    for r in rows:
        v = r["features"].get(name)
        if isinstance(v, bool) or isinstance(v, str):
            return "categorical"
        if isinstance(v, (int, float)):
            return "numerical"
    return "numerical"


def psi_from_props(p_ref, p_cur):
    p_ref = np.clip(p_ref, EPS, None)
    p_cur = np.clip(p_cur, EPS, None)
    return float(np.sum((p_cur - p_ref) * np.log(p_cur / p_ref)))


def numeric(ref, cur):
    r = np.array([x for x in ref if x is not None and np.isfinite(x)], dtype=np.float64)
    c = np.array([x for x in cur if x is not None and np.isfinite(x)], dtype=np.float64)
    edges = np.unique(np.quantile(r, np.linspace(0.1, 0.9, 9)))
    k = len(edges) + 1
    cr = np.bincount(np.searchsorted(edges, r, side="left"), minlength=k)
    cc = np.bincount(np.searchsorted(edges, c, side="left"), minlength=k)
    ks = ks_2samp(r, c, method="auto")
    w = wasserstein_distance(r, c)
    return {
        "kind": "numerical",
        "reference_count": int(len(r)), "current_count": int(len(c)),
        "psi": psi_from_props(cr / len(r), cc / len(c)),
        "ks_statistic": float(ks.statistic), "ks_pvalue": float(ks.pvalue),
        "wasserstein": float(w), "wasserstein_normed": float(w / max(np.std(r), 0.001)),
        "js_distance": float(jensenshannon(cr, cc, base=2)),
        "missing_rate": float((len(cur) - len(c)) / len(cur)),
        "out_of_range_rate": float(np.mean((c < r.min()) | (c > r.max()))),
    }


def categorical(ref, cur):
    r = [str(x) for x in ref if x is not None]
    c = [str(x) for x in cur if x is not None]
    cats = sorted(set(r) | set(c))
    idx = {v: i for i, v in enumerate(cats)}
    cr = np.bincount([idx[v] for v in r], minlength=len(cats))
    cc = np.bincount([idx[v] for v in c], minlength=len(cats))
    chi2, p, dof, _ = chi2_contingency(np.vstack([cr, cc]), correction=False)
    return {
        "kind": "categorical",
        "reference_count": len(r), "current_count": len(c),
        "psi": psi_from_props(cr / len(r), cc / len(c)),
        "chi2_statistic": float(chi2), "chi2_pvalue": float(p), "chi2_dof": int(dof),
        "js_distance": float(jensenshannon(cr, cc, base=2)),
        "missing_rate": float((len(cur) - len(c)) / len(cur)),
        "new_category_rate": float(np.sum(cc[cr == 0]) / len(c)),
    }


cases = []
for name, made_by in PAIRS:
    ref = load(os.path.join(DIR, f"{name}_reference.jsonl"))
    cur = load(os.path.join(DIR, f"{name}_current.jsonl"))
    feats = {}
    for f in columns(ref):
        rv = [r["features"].get(f) for r in ref]
        cv = [r["features"].get(f) for r in cur]
        feats[f] = numeric(rv, cv) if kind_of(ref, f) == "numerical" else categorical(rv, cv)
    cases.append({"name": name, "made_by": made_by, "reference_rows": len(ref), "current_rows": len(cur),
                  "features": feats})

write_fixture("Tests/MonitorCLITests/Fixtures/compare_expected.json", "compare.py", None,
              "expected monitor compare statistics for the committed JSONL pairs (DESIGN §6 definitions)", cases)
