"""Shared helpers for the reference-value generators (not a generator itself)."""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def versions():
    import numpy, scipy
    v = {"python": sys.version.split()[0], "numpy": numpy.__version__, "scipy": scipy.__version__}
    try:
        import sklearn
        v["scikit-learn"] = sklearn.__version__
    except ImportError:
        pass
    return v


def write_fixture(relpath, script, seed, description, cases):
    """Writes {"provenance": {...}, "cases": [...]} with floats at full (repr) precision."""
    path = os.path.join(ROOT, relpath)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    doc = {
        "provenance": {
            "generated_by": f"scripts/reference/{script} (run via scripts/gen-reference)",
            "versions": versions(),
            "seed": seed,
            "description": description,
        },
        "cases": cases,
    }
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, allow_nan=True)
        f.write("\n")
    print(f"wrote {relpath} ({len(cases)} cases)", file=sys.stderr)
