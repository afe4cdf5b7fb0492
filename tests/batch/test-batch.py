#!/usr/bin/env python3
"""casescope-batch under mpirun with 1, 2 and 3 ranks against the single-process command line: predictions,
windows, flags, verdicts and top cases (predict), per-case local measures, flags and verdicts (audit against
diagnose --json), prediction intervals and spec probabilities (predict against predict --model, audit against
export --query N, with --spec-lower and --spec-upper; the CSV's columns, --level), on the samples and a generated base; then the faults: a bad row in the last shard, a model
for other columns, an unreadable file.

usage: test-batch.py CASESCOPE-CLI CASESCOPE-BATCH SAMPLES-DIR [--quick]
--quick: press-line and the faults only (the unit suite); without it kiln and a generated base too (slow)."""
import csv
import json
import math
import os
import random
import subprocess
import sys
import tempfile

CLI, BATCH, SAMPLES = sys.argv[1:4]
QUICK = "--quick" in sys.argv[4:]
HERE = os.path.dirname(os.path.abspath(__file__))
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_btl="self,vader", OMP_NUM_THREADS="1",
           OPENBLAS_NUM_THREADS="1")
failures = 0
count = 0


def ok(cond, what):
    global failures, count
    count += 1
    print(("ok " if cond else "not ok ") + f"{count} - {what}", flush=True)
    if not cond:
        failures += 1


def run(args, **kw):
    return subprocess.run(args, env=ENV, capture_output=True, text=True, **kw)


# Under AddressSanitizer (make asan), Open MPI's own allocations still held at MPI_Finalize, many in its
# dlopen'ed components (frames without a module name, so no suppression can name them), are reported as leaks:
# the ranks run with leak detection off and every other check on.
MPI_ENV = dict(ENV)
if "ASAN_OPTIONS" in MPI_ENV:
    MPI_ENV["ASAN_OPTIONS"] = MPI_ENV["ASAN_OPTIONS"].replace("detect_leaks=1", "detect_leaks=0")


def mpirun(ranks, args):
    return subprocess.run(["mpirun", "--oversubscribe", "-np", str(ranks), BATCH] + args, env=MPI_ENV,
                          capture_output=True, text=True)


def compare(mode, cli_json, batch_json, y_range=None):
    extra = ["--y-range", repr(y_range)] if y_range is not None else []
    r = run([sys.executable, os.path.join(HERE, "compare.py"), mode, cli_json, batch_json] + extra)
    return r.returncode == 0, (r.stdout + r.stderr).strip()


def queries(path, model, n, seed):
    """n queries spread over the case base's ranges (and a little beyond, so the range rule fires too)."""
    m = json.load(open(model))
    rng = random.Random(seed)
    feats = m["features"]
    with open(path, "w") as f:
        f.write(",".join(feats) + "\n")
        for _ in range(n):
            f.write(",".join("%.6g" % (mu + sd * rng.uniform(-2.2, 2.2)) for mu, sd in zip(m["mean"], m["sd"])) + "\n")


def outcome_values(path, target):
    """The target column's numbers, over the rows whose outcome is a number."""
    with open(path, newline="") as f:
        rows = csv.reader(f)
        header = next(rows)
        col = [i for i, h in enumerate(header) if h == target or h.startswith(target + " [")][0]
        ys = []
        for row in rows:
            try:
                ys.append(float(row[col]))
            except (ValueError, IndexError):
                pass
    return ys


def outcome_range(path, target):
    """max - min of the outcome (the tolerance's unit)."""
    ys = outcome_values(path, target)
    return max(ys) - min(ys)


def spec_args(path, target):
    """Spec limits at the outcome's 35th and 65th percentiles: most queries' p_in_spec then lies inside (0, 1),
    where a wrong share cannot agree with the command line's by chance."""
    ys = sorted(outcome_values(path, target))
    return ["--spec-lower", "%.6g" % ys[int(0.35 * len(ys))], "--spec-upper", "%.6g" % ys[int(0.65 * len(ys))]]


def inside_share(preds):
    """How many p_in_spec lie well inside (0, 1): the comparisons' power. A share of 0 or 1 still catches limits
    swapped or dropped, one inside catches a share computed otherwise; the runs ask for 3 (kiln's narrow intervals
    leave 4 of 40 inside its 35th to 65th percentiles, press-line 15, the circles 20 and more)."""
    return sum(1 for p in preds if p.get("p_in_spec") is not None and 0.05 < p["p_in_spec"] < 0.95)


def p_in_spec_close(a, b):
    """p_in_spec and the limits of one case in both outputs (compare.py's P_TOL says why 1e-9)."""
    return (a.get("spec_limits") == b.get("spec_limits") and a.get("p_in_spec") is not None
            and b.get("p_in_spec") is not None and abs(a["p_in_spec"] - b["p_in_spec"]) <= 1e-9)


def interval_ends_close(a, b, y_range):
    """Two intervals (JSON objects or None) equal up to 1e-9 of the outcome's range (compare.py says why)."""
    if a is None or b is None:
        return a is b
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return False
    return (a["level"] == b["level"] and all((a[e] is None and b[e] is None) or
                                             (a[e] is not None and b[e] is not None and abs(a[e] - b[e]) <= 1e-9 * y_range)
                                             for e in ("lower", "upper")))


def export_interval(csv_path, target, model, case, tmp, spec=()):
    """The interval of case number `case` (1-based), left out of its own prediction, as casescope-cli shows it;
    with spec (the limits' options) the whole JSON (interval, p_in_spec, spec, spec_limits)."""
    r = run([CLI, "export", csv_path, "--target", target, "--model", model, "--query", str(case), "--chart",
             "case-attention", "--json", "-o", os.path.join(tmp, "export-%d.svg" % case)] + list(spec))
    if r.returncode != 0:
        return "failed: " + r.stderr[-200:]
    return json.loads(r.stdout) if spec else json.loads(r.stdout)["interval"]


def check_base(tmp, name, csv, target):
    model = os.path.join(tmp, name + ".json")
    r = run([CLI, "fit", csv, "--target", target, "--save", model])
    ok(r.returncode == 0, f"{name}: fit --save ({r.stderr.strip()[-200:]})")
    q = os.path.join(tmp, name + "-q.csv")
    queries(q, model, 40, 11)
    spec = spec_args(csv, target)
    cli = os.path.join(tmp, name + "-cli.json")
    with open(cli, "w") as f:
        r = subprocess.run([CLI, "predict", csv, "--model", model, "--queries", q, "--json"] + spec, env=ENV,
                           stdout=f, stderr=subprocess.PIPE, text=True)
    inside = inside_share(json.load(open(cli))["predictions"]) if r.returncode == 0 else 0
    ok(r.returncode == 0 and inside >= 3, f"{name}: casescope-cli predict {' '.join(spec)} ({inside} of 40 queries "
       "with p_in_spec inside (0.05, 0.95))")
    diag = os.path.join(tmp, name + "-diag.json")
    with open(diag, "w") as f:
        r = subprocess.run([CLI, "diagnose", csv, "--model", model, "--json"], env=ENV, stdout=f,
                           stderr=subprocess.PIPE, text=True)
    ok(r.returncode == 0, f"{name}: casescope-cli diagnose")
    y_range = outcome_range(csv, target)
    n_cases = len(json.load(open(diag))["cases"])
    # three cases' leave-one-out intervals as the command line shows them (the first, one inside, the last)
    audited = {k: export_interval(csv, target, model, k, tmp, spec) for k in (1, n_cases // 3, n_cases)}
    ok(all(isinstance(v, dict) and "p_in_spec" in v for v in audited.values()),
       f"{name}: casescope-cli export gives the cases' intervals and p_in_spec: {audited}")
    for ranks in (1, 2, 3):
        out = os.path.join(tmp, f"{name}-b{ranks}.json")
        r = mpirun(ranks, ["predict", csv, "--model", model, "--queries", q, "--json"] + spec)
        open(out, "w").write(r.stdout)
        good, msg = compare("predict", cli, out, y_range) if r.returncode == 0 else (False, r.stderr[-400:])
        ok(good, f"{name}: predict with {ranks} ranks equals casescope-cli predict, intervals and p_in_spec too: {msg}")
        out = os.path.join(tmp, f"{name}-a{ranks}.json")
        r = mpirun(ranks, ["audit", csv, "--model", model, "--json"] + spec)
        open(out, "w").write(r.stdout)
        good, msg = compare("audit", diag, out) if r.returncode == 0 else (False, r.stderr[-400:])
        ok(good, f"{name}: audit with {ranks} ranks equals casescope-cli diagnose: {msg}")
        cases = json.load(open(out))["cases"] if r.returncode == 0 else []
        ok(len(cases) == n_cases and all(interval_ends_close(audited[k]["interval"], cases[k - 1].get("interval"), y_range)
                                         and p_in_spec_close(audited[k], cases[k - 1]) for k in audited),
           f"{name}: audit with {ranks} ranks gives the cases' intervals and p_in_spec as casescope-cli export --query "
           "does: " + str([(audited[k].get("interval"), audited[k].get("p_in_spec"), cases[k - 1].get("interval"),
                            cases[k - 1].get("p_in_spec")) for k in audited if len(cases) == n_cases]))
    return model


def check_sampled_intervals(tmp):
    """Above 20,000 cases the model file stores the residuals of the 1,000-case loss sample only, and an interval
    weighs the sample by the query's distance scores: predict at 2 ranks and an audit of evenly spaced cases
    against casescope-cli."""
    big = os.path.join(tmp, "big.csv")
    r = run([CLI, "generate", "--sample", "circle", "--seed", "4243", "--n", "21000", "-o", big])
    model = os.path.join(tmp, "big.json")
    r2 = run([CLI, "fit", big, "--target", "y", "--save", model])
    ok(r.returncode == 0 and r2.returncode == 0, "a 21,000-case base: generate and fit --save")
    y_range = outcome_range(big, "y")
    q = os.path.join(tmp, "big-q.csv")
    queries(q, model, 30, 12)
    spec = spec_args(big, "y")
    cli = os.path.join(tmp, "big-cli.json")
    with open(cli, "w") as f:
        subprocess.run([CLI, "predict", big, "--model", model, "--queries", q, "--json"] + spec, env=ENV, stdout=f,
                       text=True)
    inside = inside_share(json.load(open(cli))["predictions"])
    ok(inside >= 3, f"21,000 cases: {inside} of 30 queries with p_in_spec inside (0.05, 0.95)")
    out = os.path.join(tmp, "big-b2.json")
    b = mpirun(2, ["predict", big, "--model", model, "--queries", q, "--json"] + spec)
    open(out, "w").write(b.stdout)
    good, msg = compare("predict", cli, out, y_range) if b.returncode == 0 else (False, b.stderr[-400:])
    ok(good, f"21,000 cases: predict at 2 ranks equals casescope-cli predict, intervals and p_in_spec too: {msg}")
    a = mpirun(2, ["audit", big, "--model", model, "--cases", "100", "--json"] + spec)
    cases = json.loads(a.stdout)["cases"] if a.returncode == 0 else []
    picked = [cases[k] for k in (0, 55)] if len(cases) == 100 else []
    want = [export_interval(big, "y", model, c["row"] - 1, tmp, spec) for c in picked]   # row = case number + 1
    ok(len(picked) == 2 and all(isinstance(w, dict) and interval_ends_close(w["interval"], c["interval"], y_range)
                                and p_in_spec_close(w, c) for w, c in zip(want, picked)),
       f"21,000 cases: audited cases' intervals and p_in_spec at 2 ranks equal export --query's: {want} "
       f"{picked and [(c['interval'], c.get('p_in_spec')) for c in picked]}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        press = os.path.join(SAMPLES, "press-line.csv")
        press_model = check_base(tmp, "press-line", press, "strength")
        kiln_model = os.path.join(tmp, "kiln.json")
        if QUICK:
            r = run([CLI, "fit", os.path.join(SAMPLES, "kiln.csv"), "--target", "density", "--save", kiln_model])
            ok(r.returncode == 0, "kiln: fit --save")
        else:
            check_base(tmp, "kiln", os.path.join(SAMPLES, "kiln.csv"), "density")
            gen = os.path.join(tmp, "generated.csv")
            r = run([CLI, "generate", "--sample", "circle", "--seed", "4242", "--n", "3000", "-o", gen])
            ok(r.returncode == 0, "generate a base")
            check_base(tmp, "generated", gen, "y")
            check_sampled_intervals(tmp)

        # --level, and the intervals in the CSV: predict --out at 0.8 against casescope-cli predict --level 0.8
        q = os.path.join(tmp, "press-line-q.csv")
        cli80 = run([CLI, "predict", press, "--model", press_model, "--queries", q, "--level", "0.8", "--json"])
        out80 = os.path.join(tmp, "b80.csv")
        r = mpirun(2, ["predict", press, "--model", press_model, "--queries", q, "--level", "0.8", "--out", out80])
        rows = list(csv.DictReader(open(out80))) if r.returncode == 0 else []
        want = json.loads(cli80.stdout)["predictions"] if cli80.returncode == 0 else []
        y_range = outcome_range(press, "strength")
        ok(len(rows) == len(want) > 0
           and all(interval_ends_close(w["interval"], {"level": float(row["interval_level"]),
                                                       "lower": float(row["interval_lower"]) if row["interval_lower"] else None,
                                                       "upper": float(row["interval_upper"]) if row["interval_upper"] else None},
                                       y_range) and w["interval"]["level"] == 0.8
                   for w, row in zip(want, rows)),
           f"predict --level 0.8 --out: the CSV's interval columns equal casescope-cli predict --level 0.8 "
           f"({r.stderr.strip()[-300:]})")
        r = mpirun(1, ["predict", press, "--model", press_model, "--queries", q, "--level", "1.5", "--json"])
        ok(r.returncode == 2 and "--level must be between 0 and 1" in r.stderr, f"--level 1.5 is refused: {r.stderr.strip()}")
        ok(rows and "p_in_spec" not in rows[0] and "spec_lower" not in rows[0],
           "without limits the CSV has no spec columns")

        # one limit, in the CSV: p_in_spec and the words as casescope-cli predict --spec-upper gives them, the
        # limits as columns (the lower one empty)
        upper = spec_args(press, "strength")[3]
        cli_up = run([CLI, "predict", press, "--model", press_model, "--queries", q, "--spec-upper", upper, "--json"])
        out_up = os.path.join(tmp, "b-upper.csv")
        r = mpirun(3, ["predict", press, "--model", press_model, "--queries", q, "--spec-upper", upper, "--out", out_up])
        rows = list(csv.DictReader(open(out_up))) if r.returncode == 0 else []
        want = json.loads(cli_up.stdout)["predictions"] if cli_up.returncode == 0 else []
        ok(len(rows) == len(want) > 0 and inside_share(want) >= 3
           and all(row["p_in_spec"] != "" and abs(float(row["p_in_spec"]) - w["p_in_spec"]) <= 1e-9
                   and row["spec"] == w["spec"] and row["spec_lower"] == "" and float(row["spec_upper"]) == float(upper)
                   for w, row in zip(want, rows)),
           f"predict --spec-upper --out: p_in_spec, spec and the limits in the CSV equal casescope-cli predict's "
           f"({r.stderr.strip()[-300:]})")
        # the limits refused as the command line refuses them, with its words
        for bad_spec in (["--spec-lower", "5", "--spec-upper", "3"], ["--spec-lower", "inf"]):
            c = run([CLI, "predict", press, "--model", press_model, "--queries", q, "--json"] + bad_spec)
            r = mpirun(1, ["predict", press, "--model", press_model, "--queries", q, "--json"] + bad_spec)
            why = c.stderr.splitlines()[0].split(": ", 1)[-1] if c.stderr else "?"
            ok(c.returncode == 2 and r.returncode == 2 and r.stderr.startswith("casescope-batch predict: " + why),
               f"{' '.join(bad_spec)} is refused as casescope-cli refuses it: {r.stderr.strip()} / {c.stderr.strip()}")

        # an audit of evenly spaced cases (each still against all the others)
        r = mpirun(3, ["audit", press, "--model", press_model, "--cases", "300", "--json"])
        out = os.path.join(tmp, "sampled.json")
        open(out, "w").write(r.stdout)
        r2 = run([sys.executable, os.path.join(HERE, "compare.py"), "audit", os.path.join(tmp, "press-line-diag.json"),
                  out, "--sample"])
        ok(r.returncode == 0 and r2.returncode == 0 and len(json.load(open(out))["cases"]) == 300,
           f"audit --cases 300 with 3 ranks equals those cases of diagnose: {r2.stdout.strip()} {r2.stderr.strip()[-300:]}")

        # a bad number in the last row (the last shard): left out and named as the command line names it
        bad = os.path.join(tmp, "bad.csv")
        lines = open(press).read().splitlines()
        cells = lines[-1].split(",")
        cells[2] = "12..5"
        lines[-1] = ",".join(cells)
        open(bad, "w").write("\n".join(lines) + "\n")
        q = os.path.join(tmp, "press-line-q.csv")
        # the model's baselines are those of the file without the bad row (what fit measured on it)
        bad_model = os.path.join(tmp, "bad.json")
        r = run([CLI, "fit", bad, "--target", "strength", "--save", bad_model])
        ok(r.returncode == 0, "fit on the file with a bad row")
        cli = run([CLI, "predict", bad, "--model", bad_model, "--queries", q, "--json"])
        named = [l for l in cli.stderr.splitlines() if l.startswith(bad + ":%d:3" % len(lines))]
        ok(len(named) == 1, f"casescope-cli names the bad row: {named}")
        open(os.path.join(tmp, "bad-cli.json"), "w").write(cli.stdout)
        for ranks in (2, 3):
            r = mpirun(ranks, ["predict", bad, "--model", bad_model, "--queries", q, "--json"])
            mine = [l for l in r.stderr.splitlines() if l.startswith(bad + ":")]
            ok(r.returncode == 0 and len(named) == 1 and len(mine) == 1 and mine[0].split(": ")[0] == named[0].split(": ")[0],
               f"{ranks} ranks name the bad row as the CLI does: {mine} vs {named}")
            open(os.path.join(tmp, "bad-b.json"), "w").write(r.stdout)
            good, msg = compare("predict", os.path.join(tmp, "bad-cli.json"), os.path.join(tmp, "bad-b.json"),
                                outcome_range(press, "strength"))
            ok(good, f"{ranks} ranks without the bad row equal the CLI without it: {msg}")

        # a model for other columns, an unreadable file: a message, a non-zero status, no output file
        out = os.path.join(tmp, "never.csv")
        r = mpirun(2, ["audit", press, "--model", kiln_model, "--out", out])
        ok(r.returncode != 0 and "model was fitted for features" in r.stderr and not os.path.exists(out),
           f"a model for other columns is refused: {r.returncode} {r.stderr.strip()[-300:]}")
        r = mpirun(2, ["audit", os.path.join(tmp, "missing.csv"), "--model", press_model, "--out", out])
        ok(r.returncode != 0 and "cannot read the case file" in r.stderr and not os.path.exists(out),
           f"an unreadable file is refused: {r.returncode} {r.stderr.strip()[-300:]}")
        # a quoted field holding a line break: refused with its line (records would span byte ranges)
        quoted = os.path.join(tmp, "quoted.csv")
        lines = open(press).read().splitlines()
        lines[1500] = '"PL-01499\nsecond line"' + lines[1500][lines[1500].index(","):]
        open(quoted, "w").write("\n".join(lines) + "\n")
        r = mpirun(2, ["audit", quoted, "--model", press_model, "--out", out])
        ok(r.returncode != 0 and (quoted + ":1501:") in r.stderr and "quoted field holds a line break" in r.stderr
           and not os.path.exists(out), f"a quoted line break is refused with its line: {r.stderr.strip()[:300]}")
        # category columns (a base as tests/cli/test-cli-categories.c generates it: the supplier shifts the outcome,
        # the shift does not): predictions, flags (a value no case has gets the category rule's check) and
        # intervals equal casescope-cli's at 1 and 2 ranks, the audit equals diagnose
        cat = os.path.join(tmp, "categories.csv")
        rng = random.Random(11)
        suppliers, shifts = ("ACME", "Borg", "Cora"), ("early", "late")
        with open(cat, "w") as f:
            f.write("id,temp [degC],pressure [bar],supplier,shift,strength [MPa]\n")
            for i in range(600):
                t, p, s, h = rng.uniform(180, 220), rng.uniform(3, 7), rng.randrange(3), rng.randrange(2)
                f.write("C%d,%.2f,%.3f,%s,%s,%.3f\n" % (i, t, p, suppliers[s], shifts[h],
                                                      40 + 0.3 * (t - 200) + 2 * math.sin(p) + 3.0 * (s - 1)
                                                      + rng.gauss(0, 0.5)))
        cat_q = os.path.join(tmp, "categories-q.csv")
        with open(cat_q, "w") as f:
            f.write("temp,pressure,supplier,shift\n")
            for i in range(12):
                f.write("%.2f,%.3f,%s,%s\n" % (rng.uniform(180, 220), rng.uniform(3, 7), suppliers[i % 3], shifts[i % 2]))
            f.write("200,5,Zeta,early\n195,4.5,Borg,night\n")
        cat_model = os.path.join(tmp, "categories.json")
        r = run([CLI, "fit", cat, "--target", "strength", "--save", cat_model, "--json"])
        ok(r.returncode == 0 and json.loads(r.stdout)["categories"][0]["lambda"] > 1, "fit with category columns")
        cat_range = outcome_range(cat, "strength")
        for args, name in (([CLI, "predict", cat, "--model", cat_model, "--queries", cat_q, "--json"], "cli"),
                           ([CLI, "diagnose", cat, "--model", cat_model, "--json"], "diag")):
            with open(os.path.join(tmp, f"categories-{name}.json"), "w") as f:
                subprocess.run(args, env=ENV, stdout=f, stderr=subprocess.PIPE, text=True)
        cli_preds = json.load(open(os.path.join(tmp, "categories-cli.json")))["predictions"]
        ok(sum(any(fl.get("measure") == "category" for fl in p["flags"]) for p in cli_preds) == 2,
           "casescope-cli flags the two queries with a value no case has")
        audited = export_interval(cat, "strength", cat_model, 100, tmp)
        for ranks in (1, 2):
            out = os.path.join(tmp, f"categories-b{ranks}.json")
            r = mpirun(ranks, ["predict", cat, "--model", cat_model, "--queries", cat_q, "--json"])
            open(out, "w").write(r.stdout)
            good, msg = (compare("predict", os.path.join(tmp, "categories-cli.json"), out, cat_range)
                         if r.returncode == 0 else (False, r.stderr[-400:]))
            ok(good, f"category columns: predict with {ranks} ranks equals casescope-cli predict: {msg}")
            out = os.path.join(tmp, f"categories-a{ranks}.json")
            r = mpirun(ranks, ["audit", cat, "--model", cat_model, "--json"])
            open(out, "w").write(r.stdout)
            good, msg = (compare("audit", os.path.join(tmp, "categories-diag.json"), out)
                         if r.returncode == 0 else (False, r.stderr[-400:]))
            cases = json.load(open(out))["cases"] if r.returncode == 0 else []
            ok(good and len(cases) == 600 and interval_ends_close(audited, cases[99]["interval"], cat_range),
               f"category columns: audit with {ranks} ranks equals diagnose and export --query 100: {msg}")
        # a value the model was not fitted with, in a case: refused with its line (no rank can number it)
        lines = open(cat).read().splitlines()
        lines[450] = lines[450].replace(",Borg,", ",Zeta,").replace(",ACME,", ",Zeta,").replace(",Cora,", ",Zeta,")
        other = os.path.join(tmp, "categories-other.csv")
        open(other, "w").write("\n".join(lines) + "\n")
        r = mpirun(2, ["audit", other, "--model", cat_model, "--out", out])
        ok(r.returncode == 3 and (other + ":451: 'Zeta' in column 'supplier'") in r.stderr,
           f"a category value the model lacks is refused with its line: {r.stderr.strip()[:300]}")

        # the CSV output: written atomically, one line per case
        spec = spec_args(press, "strength")
        r = mpirun(3, ["audit", press, "--model", press_model, "--out", out] + spec)
        rows = list(csv.DictReader(open(out))) if r.returncode == 0 and os.path.exists(out) else []
        ok(len(rows) == 2000 and all(float(row["interval_level"]) == 0.9 and float(row["interval_lower"]) < float(row["interval_upper"])
                                     and 0 <= float(row["p_in_spec"]) <= 1 and row["spec"] != ""
                                     and float(row["spec_lower"]) == float(spec[1]) for row in rows),
           f"audit --out writes every case with its interval and p_in_spec: {r.stderr.strip()[-300:]}")
    print(f"1..{count}")
    return 1 if failures else 0


sys.exit(main())
