"""End-to-end reference for delayed labels: data files and scikit-learn's per-window figures.

Writes Tests/MonitorCLITests/Fixtures/labels/{predictions.jsonl, labels.jsonl, expected.json}.
`monitor run --once` over the two JSONL files (hourly windows, labels.horizon 2h,
min_coverage 0.9, positive_class fraud) must store, as the latest revision of each window,
the figures in expected.json: scikit-learn on the joined rows the documented join policy gives.

Windows (hourly from 2026-11-01T00:00Z), each with its edge case:
  A [00h, 01h)  ordinary; a duplicate prediction id (first wins); an exact replay of a
                prediction; a duplicate label (first wins); a label for an unknown id; an id
                reused in window D; 3% unlabeled
  B [01h, 02h)  one class only among the labels (ROC AUC undefined -> absent); labels read
                before their predictions (the label file runs ahead of the predictions)
  C [02h, 03h)  every label later than the horizon: nothing joins
  D [03h, 04h)  no labels but the reused id's: one labeled row
A label at 12h (unknown id) moves the join clock past every window's horizon.

Join policy (README "Delayed labels"): a prediction whose id is pending is a duplicate; a
label joins the pending prediction with its id when label time - prediction time <= horizon;
a second label for a joined id within the horizon is a duplicate.
"""
import json
import math
import os

import numpy as np
from sklearn import metrics

from _common import ROOT, write_fixture

SCRIPT = "labels_e2e.py"
SEED = 20261122
DIR = "Tests/MonitorCLITests/Fixtures/labels"
T0 = 1793491200000  # 2026-11-01T00:00:00Z
H = 3600000
HORIZON = 2 * H
PER_WINDOW = 1500


def rfc3339(ms):
    s, frac = divmod(ms, 1000)
    import datetime
    d = datetime.datetime.fromtimestamp(s, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % frac


def main():
    rng = np.random.default_rng(SEED)
    preds = []   # dicts in file order
    labels = []  # (ts, id, label)
    for w, name in enumerate("abcd"):
        times = np.sort(rng.integers(T0 + w * H, T0 + (w + 1) * H, PER_WINDOW))
        for i, t in enumerate(times):
            z = rng.normal(-1.0, 1.6)
            score = round(1 / (1 + math.exp(-(z + rng.normal(0, 0.9)))), 6)
            truth = "fraud" if rng.uniform() < 1 / (1 + math.exp(-z)) else "legit"
            pid = f"{name}-{i:04d}"
            preds.append({"id": pid, "ts": int(t), "score": score, "pred": "fraud" if score >= 0.5 else "legit",
                          "amount": round(float(rng.lognormal(3, 1)), 2)})
            if name == "a" and rng.uniform() < 0.97:
                labels.append((int(t) + int(rng.integers(60_000, 50 * 60_000)), pid, truth))
            elif name == "b":
                # Labels run ahead: some arrive before their prediction's time (clock skew).
                labels.append((int(t) + int(rng.integers(-5 * 60_000, 40 * 60_000)), pid, "legit"))
            elif name == "c":
                labels.append((int(t) + HORIZON + int(rng.integers(1, 60 * 60_000)), pid, truth))
    # Window A: a duplicate prediction right after the original (different score), an exact
    # replay, a duplicate label, a label for an unknown id.
    a5 = next(p for p in preds if p["id"] == "a-0005")
    preds.insert(preds.index(a5) + 1, dict(a5, ts=a5["ts"] + 1, score=0.999, pred="fraud"))
    a9 = next(p for p in preds if p["id"] == "a-0009")
    preds.insert(preds.index(a9) + 1, dict(a9))
    a7 = next(l for l in labels if l[1] == "a-0007")
    labels.append((a7[0] + 60_000, "a-0007", "fraud" if a7[2] == "legit" else "legit"))
    labels.append((T0 + 30 * 60_000, "ghost-1", "fraud"))
    # An id used in A (labeled fraud) and again, more than the horizon later, in D (labeled
    # legit): two predictions, each joined to its own label — whichever is read first.
    preds.append({"id": "reuse-1", "ts": T0 + 5 * 60_000, "score": 0.8, "pred": "fraud", "amount": 10.0})
    labels.append((T0 + 10 * 60_000, "reuse-1", "fraud"))
    preds.append({"id": "reuse-1", "ts": T0 + 3 * H + 30 * 60_000, "score": 0.3, "pred": "fraud", "amount": 11.0})
    labels.append((T0 + 3 * H + 35 * 60_000, "reuse-1", "legit"))
    labels.append((T0 + 12 * H, "clock", "legit"))
    preds.sort(key=lambda p: p["ts"])  # in order: nothing is late
    labels.sort(key=lambda l: (l[0], l[1]))

    # The join, replayed in event-time order (a prediction before a label at the same time),
    # with the store's policy and expiry; for this data every order the pipeline may read the
    # files in gives the same outcome (the edge cases are far from the horizon's boundary).
    events = [(p["ts"], 0, p) for p in preds] + [(l[0], 1, l) for l in labels]
    events.sort(key=lambda e: (e[0], e[1]))
    state = {}    # (id, ts) -> "pending" | "labeled" | "expired"
    label_of = {}
    waiting = {}  # id -> (ts, label)
    accepted = []
    for now, kind, e in events:
        for k, st in state.items():
            if st == "pending" and k[1] < now - HORIZON:
                state[k] = "expired"
        for pid in [i for i, (ts, _) in waiting.items() if ts < now - HORIZON]:
            del waiting[pid]
        if kind == 0:
            key = (e["id"], e["ts"])
            if key in state or any(st == "pending" and k[0] == e["id"] for k, st in state.items()):
                continue  # duplicate: first wins
            accepted.append(e)
            w = waiting.get(e["id"])
            if w is not None and w[0] - e["ts"] <= HORIZON:
                state[key] = "labeled"
                label_of[key] = w[1]
                del waiting[e["id"]]
            else:
                state[key] = "pending"
        else:
            ts, pid, lab = e
            mine = sorted((k for k in state if k[0] == pid), key=lambda k: k[1])
            pend = [k for k in mine if state[k] == "pending"]
            if pend:
                if ts - pend[0][1] <= HORIZON:
                    state[pend[0]] = "labeled"
                    label_of[pend[0]] = lab
                    continue
                state[pend[0]] = "expired"
            elif any(state[k] == "labeled" and k[1] >= ts - HORIZON for k in mine):
                continue  # duplicate label
            if pid in waiting:
                continue  # duplicate label
            waiting[pid] = (ts, lab)
    joined = label_of

    cases = []
    for w, name in enumerate("ABCD"):
        lo, hi = T0 + w * H, T0 + (w + 1) * H
        rows = [p for p in accepted if lo <= p["ts"] < hi]
        lab = [p for p in rows if (p["id"], p["ts"]) in joined]
        y = [joined[(p["id"], p["ts"])] for p in lab]
        out = {"window": name, "start_ms": lo, "end_ms": hi, "predictions": len(rows), "labeled_count": len(lab),
               "label_coverage": len(lab) / len(rows)}
        if lab:
            yhat = [p["pred"] for p in lab]
            s = np.array([p["score"] for p in lab])
            pos = np.array([v == "fraud" for v in y]).astype(int)
            out["accuracy"] = float(metrics.accuracy_score(y, yhat))
            pr, rc, f1, _ = metrics.precision_recall_fscore_support(y, yhat, labels=["fraud"], average="micro",
                                                                     zero_division=np.nan)
            for k, v in (("precision", pr), ("recall", rc), ("f1", f1)):
                out[k] = None if math.isnan(v) else float(v)
            out["auc"] = float(metrics.roc_auc_score(pos, s)) if len(set(pos)) == 2 else None
            out["log_loss"] = float(metrics.log_loss(pos, s, labels=[0, 1]))
            out["brier"] = float(metrics.brier_score_loss(pos, s, pos_label=1))
        cases.append(out)

    os.makedirs(os.path.join(ROOT, DIR), exist_ok=True)
    with open(os.path.join(ROOT, DIR, "predictions.jsonl"), "w") as f:
        for p in preds:
            f.write(json.dumps({"id": p["id"], "ts": rfc3339(p["ts"]), "model": "fraud", "version": "3",
                                "features": {"amount": p["amount"]},
                                "prediction": {"score": p["score"], "label": p["pred"]}}, separators=(",", ":")) + "\n")
    with open(os.path.join(ROOT, DIR, "labels.jsonl"), "w") as f:
        for ts, pid, lab in labels:
            f.write(json.dumps({"id": pid, "ts": rfc3339(ts), "label": lab}, separators=(",", ":")) + "\n")
    write_fixture(DIR + "/expected.json", SCRIPT, SEED,
                  "scikit-learn figures per hourly window on the rows joined from predictions.jsonl and labels.jsonl "
                  "(same directory, written by the same script); horizon 2h, positive class fraud; null = absent",
                  cases)


if __name__ == "__main__":
    main()
