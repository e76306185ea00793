"""Reference values for the model-performance kernels of MonitorStats (delayed labels).

Writes Tests/MonitorStatsTests/Fixtures/performance.json: binary, multiclass and regression
cases with their inputs and scikit-learn's values. Undefined values (scikit-learn's
zero_division, a one-class AUC, R^2 of one observation) are written as null: the Swift side
must report them as absent.

  accuracy_score; precision_recall_fscore_support(average="binary", pos_label=1,
  zero_division=nan) and average="macro"/"micro" for multiclass; confusion_matrix;
  roc_auc_score (undefined with one class -> null); log_loss(labels=[0, 1]);
  brier_score_loss(pos_label=1); mean_absolute_error; root_mean_squared_error;
  mean_absolute_percentage_error; r2_score.
"""
import math
import warnings

import numpy as np
from sklearn import metrics

from _common import write_fixture

SCRIPT = "performance.py"
SEED = 20261101
FIX = "Tests/MonitorStatsTests/Fixtures/performance.json"


def fl(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


def opt(x):
    x = float(x)
    return None if math.isnan(x) else x


def binary_case(name, y, yhat, p):
    y = np.asarray(y, dtype=int)
    yhat = np.asarray(yhat, dtype=int)
    p = np.asarray(p, dtype=np.float64)
    pr, rc, f1, _ = metrics.precision_recall_fscore_support(
        y, yhat, average="binary", pos_label=1, zero_division=np.nan)
    # One class only: scikit-learn warns and returns nan (older versions raised).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            auc = opt(metrics.roc_auc_score(y, p))
        except ValueError:
            auc = None
    return {
        "name": name, "kind": "binary",
        "actual": [int(v) for v in y], "predicted": [int(v) for v in yhat], "scores": fl(p),
        "accuracy": float(metrics.accuracy_score(y, yhat)),
        "precision": opt(pr), "recall": opt(rc), "f1": opt(f1),
        "confusion": [int(v) for v in metrics.confusion_matrix(y, yhat, labels=[0, 1]).ravel()],
        "auc": auc,
        "log_loss": float(metrics.log_loss(y, p, labels=[0, 1])),
        "brier": float(metrics.brier_score_loss(y, p, pos_label=1)),
    }


def multiclass_case(name, y, yhat):
    labels = sorted(set(y) | set(yhat))
    out = {"name": name, "kind": "multiclass", "classes": labels,
           "actual": [labels.index(v) for v in y], "predicted": [labels.index(v) for v in yhat],
           "accuracy": float(metrics.accuracy_score(y, yhat)),
           "confusion": [int(v) for v in metrics.confusion_matrix(y, yhat, labels=labels).ravel()]}
    for avg in ("macro", "micro"):
        pr, rc, f1, _ = metrics.precision_recall_fscore_support(y, yhat, average=avg, zero_division=np.nan)
        out[avg] = {"precision": opt(pr), "recall": opt(rc), "f1": opt(f1)}
    return out


def regression_case(name, y, yhat):
    y = np.asarray(y, dtype=np.float64)
    yhat = np.asarray(yhat, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r2 = float(metrics.r2_score(y, yhat))
    return {
        "name": name, "kind": "regression", "actual": fl(y), "predicted": fl(yhat),
        "mae": float(metrics.mean_absolute_error(y, yhat)),
        "rmse": float(metrics.root_mean_squared_error(y, yhat)),
        "mape": float(metrics.mean_absolute_percentage_error(y, yhat)),
        "r2": opt(r2),
    }


def main():
    rng = np.random.default_rng(SEED)
    cases = []
    # Binary: a logistic model's scores, thresholded; ties from rounding; sizes 5 .. 20000.
    for n, decimals in [(5, 6), (40, 1), (1000, 2), (5000, 3), (20000, 6)]:
        z = rng.normal(0, 1.5, n)
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-z))).astype(int)
        p = np.round(1 / (1 + np.exp(-(z + rng.normal(0, 0.8, n)))), decimals)
        cases.append(binary_case(f"logistic_n{n}_d{decimals}", y, (p >= 0.5).astype(int), p))
    # Extreme probabilities: 0 and 1 exactly (clipped by eps in log loss), confidently wrong.
    cases.append(binary_case("extreme_probabilities", [1, 0, 1, 0, 1, 0], [1, 0, 0, 1, 1, 0],
                             [1.0, 0.0, 0.0, 1.0, 0.999999, 1e-17]))
    # All scores tied.
    cases.append(binary_case("all_tied", [1, 0, 1, 0, 0], [1, 1, 1, 1, 1], [0.5] * 5))
    # One class only: AUC undefined; recall undefined (no positives).
    cases.append(binary_case("only_negatives", [0, 0, 0, 0], [0, 1, 0, 0], [0.1, 0.7, 0.2, 0.3]))
    # One class only, all positive: AUC undefined, precision defined.
    cases.append(binary_case("only_positives", [1, 1, 1], [1, 0, 1], [0.9, 0.4, 0.8]))
    # Nothing predicted positive: precision undefined, F1 0.
    cases.append(binary_case("none_predicted_positive", [1, 0, 1, 0], [0, 0, 0, 0], [0.4, 0.1, 0.3, 0.2]))
    # Perfect.
    cases.append(binary_case("perfect", [0, 1, 0, 1], [0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8]))

    # Multiclass: string labels, some classes never predicted or never true.
    levels = ["bird", "cat", "dog", "eel", "fox"]
    for n in (30, 5000):
        y = list(rng.choice(levels, size=n, p=[0.4, 0.3, 0.15, 0.1, 0.05]))
        yhat = [v if rng.uniform() < 0.7 else str(rng.choice(levels[:4])) for v in y]
        cases.append(multiclass_case(f"five_classes_n{n}", [str(v) for v in y], [str(v) for v in yhat]))
    cases.append(multiclass_case("class_never_true", ["a", "a", "b", "b"], ["a", "c", "b", "c"]))
    cases.append(multiclass_case("twelve_classes", [f"c{i % 12:02d}" for i in range(60)],
                                 [f"c{(i * 7) % 12:02d}" if i % 3 else f"c{i % 12:02d}" for i in range(60)]))

    # Regression.
    for n in (7, 1000, 20000):
        y = rng.lognormal(3, 1, n)
        cases.append(regression_case(f"lognormal_n{n}", y, y * rng.normal(1, 0.2, n) + rng.normal(0, 2, n)))
    cases.append(regression_case("one_observation", [2.0], [3.0]))
    cases.append(regression_case("constant_actual_exact", [4.0, 4.0, 4.0], [4.0, 4.0, 4.0]))
    cases.append(regression_case("constant_actual_wrong", [4.0, 4.0, 4.0], [4.0, 5.0, 4.0]))
    cases.append(regression_case("zero_actual", [0.0, 1.0, -2.0, 3.0], [0.5, 1.0, -1.0, 2.0]))
    cases.append(regression_case("sklearn_doc", [3, -0.5, 2, 7], [2.5, 0.0, 2, 8]))

    write_fixture(FIX, SCRIPT, SEED,
                  "scikit-learn classification and regression metrics on seeded data and edge cases; "
                  "null = undefined (absent in ModelMonitor)", cases)


if __name__ == "__main__":
    main()
