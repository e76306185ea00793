#!/usr/bin/env python3
"""Times `monitor compare` against the Python anchors on the shared bench data, in one run.

    BENCH_HOME=~/bench ~/bench/.venv/bin/python scripts/bench-anchors.py [--size 1m] [--repeats 3]
        [--anchors baseline,baseline_sorted,evidently] [--monitor PATH] [--threads N]

Needs the bench set up as ../shared/bench/README.md says (venv + gen_data.py). Every measurement
runs in a fresh process; wall time and peak RSS (ru_maxrss of that process, via os.wait4) are
recorded; medians are reported, with ratios anchor / monitor. For the anchors, "timed" is the
tool's own primary phase plus its Parquet load (what a user waits for), "process" is the whole
process. For monitor, both are the whole process: JSONL decoding included.

Also checks monitor's statistics against the scipy baseline's (PSI, KS statistic and p-value,
Wasserstein, chi-square) and prints the worst relative differences.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "bench")


def run_measured(cmd, env=None, stdout_path=None):
    t0 = time.perf_counter()
    out = open(stdout_path, "wb") if stdout_path else subprocess.PIPE
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    stdout = b"" if stdout_path else p.stdout.read()
    err = p.stderr.read()
    if stdout_path:
        out.close()
    code = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_maxrss * 1024, code, stdout, err


def anchor(tool, size, bench_home, python):
    env = dict(os.environ, BENCH_HOME=bench_home)
    wall, rss, code, out, err = run_measured([python, os.path.join(SHARED, "anchors.py"), "worker", tool, size], env)
    if code != 0:
        raise SystemExit(f"anchor {tool} failed: {err.decode()[-2000:]}")
    res = None
    for line in out.decode().splitlines():
        if line.startswith("@@RESULT "):
            res = json.loads(line[9:])
    ph = res["phases"]
    timed = ph.get(res["primary"], 0) + ph.get("load_parquet_pandas", 0)
    return {"process": wall, "timed": timed, "rss": rss, "result": res}


def monitor(binary, size, bench_home, threads, out_path):
    d = os.path.join(bench_home, "data", size)
    cmd = [binary, "compare", "--reference", os.path.join(d, "reference.jsonl"),
           "--current", os.path.join(d, "current.jsonl"), "--format", "json", "--quiet"]
    if threads:
        cmd += ["--threads", str(threads)]
    wall, rss, code, _, err = run_measured(cmd, stdout_path=out_path)
    if code not in (0, 1):
        raise SystemExit(f"monitor compare failed ({code}): {err.decode()[-2000:]}")
    return {"process": wall, "timed": wall, "rss": rss}


def decode_single_thread(binary, size, bench_home):
    """monitor's JSONL decode of the reference file on one thread (from --timings)."""
    d = os.path.join(bench_home, "data", size)
    cmd = [binary, "compare", "--reference", os.path.join(d, "reference.jsonl"), "--current",
           os.path.join(d, "reference.jsonl"), "--threads", "1", "--timings", "--quiet", "--format", "json"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    for line in p.stderr.splitlines():
        if line.startswith("timing: decode reference:"):
            return float(line.split(":")[2].split()[0]) / 1000
    raise SystemExit("no decode timing from monitor: " + p.stderr[-500:])


ORJSON = """
import orjson, sys, time
t = time.perf_counter()
rows = [orjson.loads(l) for l in open(sys.argv[1], 'rb')]
print(time.perf_counter() - t, len(rows))
"""


def orjson_to_dicts(size, bench_home, python):
    path = os.path.join(bench_home, "data", size, "reference.jsonl")
    out = subprocess.run([python, "-c", ORJSON, path], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1])


def rel(a, b):
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(b), 1e-300)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="1m")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--anchors", default="baseline,baseline_sorted,evidently")
    ap.add_argument("--monitor", default=os.path.join(ROOT, ".build", "release", "monitor"))
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--skip-decode", action="store_true", help="skip the decoder vs orjson measurement")
    args = ap.parse_args()
    bench_home = os.environ.get("BENCH_HOME") or sys.exit("set BENCH_HOME (see ../shared/bench/README.md)")
    python = os.path.join(bench_home, ".venv", "bin", "python")
    anchors = [a for a in args.anchors.split(",") if a]
    rows = {}
    out_path = os.path.join(bench_home, "results", f"monitor_compare_{args.size}.json")
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    decode = []
    for r in range(args.repeats):  # interleave so machine load affects all tools alike
        rows.setdefault("monitor", []).append(monitor(args.monitor, args.size, bench_home, args.threads, out_path))
        if not args.skip_decode:
            decode.append((decode_single_thread(args.monitor, args.size, bench_home), orjson_to_dicts(args.size, bench_home, python)))
        for a in anchors:
            rows.setdefault(a, []).append(anchor(a, args.size, bench_home, python))
        print(f"repeat {r + 1}/{args.repeats} done", file=sys.stderr)

    def med(tool, key):
        return statistics.median(x[key] for x in rows[tool])

    m_t, m_rss = med("monitor", "timed"), med("monitor", "rss")
    print(f"\n{args.size}: reference + current, 25 features, medians of {args.repeats} (same run)\n")
    print(f"{'tool':18s} {'timed s':>9s} {'process s':>10s} {'peak RSS MB':>12s} {'ratio (timed)':>14s}")
    for tool in ["monitor"] + anchors:
        t = med(tool, "timed")
        print(f"{tool:18s} {t:9.2f} {med(tool, 'process'):10.2f} {med(tool, 'rss') / 1e6:12.0f} "
              f"{(t / m_t if tool != 'monitor' else 1.0):13.1f}x")
    print(f"\nmonitor peak RSS {m_rss / 1e6:.0f} MB")
    if decode:
        md = statistics.median(d[0] for d in decode)
        oj = statistics.median(d[1][0] for d in decode)
        n = decode[0][1][1]
        print(f"\ndecode {n} JSONL rows, one thread: monitor {md:.2f} s ({n / md / 1e6:.2f} M events/s); "
              f"orjson to dicts {oj:.2f} s ({n / oj / 1e3:.0f} k events/s); ratio {oj / md:.1f}x")

    # Agreement with the scipy baseline.
    if "baseline" in rows:
        base = rows["baseline"][0]["result"]["out"]["features"]
        mine = {f["name"]: f for f in json.load(open(out_path))["features"]}
        worst = {}
        for name, b in base.items():
            f = mine.get(name)
            if f is None:
                continue
            pairs = [("psi", b.get("psi"), f.get("psi"))]
            if f["kind"] == "numerical":
                pairs += [("ks_statistic", b["ks_stat"], f.get("ks_statistic")), ("ks_pvalue", b["p_value"], f.get("ks_pvalue")),
                          ("wasserstein", b["wasserstein"], f.get("wasserstein"))]
            else:
                pairs += [("chi2_statistic", b["chi2"], f.get("chi2_statistic")), ("chi2_pvalue", b["p_value"], f.get("chi2_pvalue"))]
            for k, ref, got in pairs:
                if ref is None or got is None:
                    continue
                d = rel(got, ref) if abs(ref) > 1e-300 else abs(got - ref)
                if k.endswith("pvalue") and ref < 1e-6:
                    d = abs(got - ref)  # DESIGN: 1e-12 absolute below 1e-6
                if d > worst.get(k, (0, ""))[0] or k not in worst:
                    worst[k] = (d, name)
        print("\nagreement with the scipy baseline (worst difference: relative; absolute for p-values < 1e-6):")
        for k, (d, name) in sorted(worst.items()):
            print(f"  {k:16s} {d:.3e}  ({name})")
        drifted = sorted(n for n, f in mine.items() if f["drift"])
        print(f"\nmonitor flags drift on: {', '.join(drifted)}")


if __name__ == "__main__":
    main()
