#!/usr/bin/env python3
"""casescope-batch under mpirun with 1, 2 and 3 ranks against the single-process command line: predictions,
windows, flags, verdicts and top cases (predict), per-case local measures, flags and verdicts (audit against
diagnose --json), on the samples and a generated base; then the faults: a bad row in the last shard, a model
for other columns, an unreadable file.

usage: test-batch.py CASESCOPE-CLI CASESCOPE-BATCH SAMPLES-DIR [--quick]
--quick: press-line and the faults only (the unit suite); without it kiln and a generated base too (slow)."""
import json
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


def compare(mode, cli_json, batch_json):
    r = run([sys.executable, os.path.join(HERE, "compare.py"), mode, cli_json, batch_json])
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


def check_base(tmp, name, csv, target):
    model = os.path.join(tmp, name + ".json")
    r = run([CLI, "fit", csv, "--target", target, "--save", model])
    ok(r.returncode == 0, f"{name}: fit --save ({r.stderr.strip()[-200:]})")
    q = os.path.join(tmp, name + "-q.csv")
    queries(q, model, 40, 11)
    cli = os.path.join(tmp, name + "-cli.json")
    with open(cli, "w") as f:
        r = subprocess.run([CLI, "predict", csv, "--model", model, "--queries", q, "--json"], env=ENV, stdout=f,
                           stderr=subprocess.PIPE, text=True)
    ok(r.returncode == 0, f"{name}: casescope-cli predict")
    diag = os.path.join(tmp, name + "-diag.json")
    with open(diag, "w") as f:
        r = subprocess.run([CLI, "diagnose", csv, "--model", model, "--json"], env=ENV, stdout=f,
                           stderr=subprocess.PIPE, text=True)
    ok(r.returncode == 0, f"{name}: casescope-cli diagnose")
    for ranks in (1, 2, 3):
        out = os.path.join(tmp, f"{name}-b{ranks}.json")
        r = mpirun(ranks, ["predict", csv, "--model", model, "--queries", q, "--json"])
        open(out, "w").write(r.stdout)
        good, msg = compare("predict", cli, out) if r.returncode == 0 else (False, r.stderr[-400:])
        ok(good, f"{name}: predict with {ranks} ranks equals casescope-cli predict: {msg}")
        out = os.path.join(tmp, f"{name}-a{ranks}.json")
        r = mpirun(ranks, ["audit", csv, "--model", model, "--json"])
        open(out, "w").write(r.stdout)
        good, msg = compare("audit", diag, out) if r.returncode == 0 else (False, r.stderr[-400:])
        ok(good, f"{name}: audit with {ranks} ranks equals casescope-cli diagnose: {msg}")
    return model


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
            good, msg = compare("predict", os.path.join(tmp, "bad-cli.json"), os.path.join(tmp, "bad-b.json"))
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
        # the CSV output: written atomically, one line per case
        r = mpirun(3, ["audit", press, "--model", press_model, "--out", out])
        ok(r.returncode == 0 and os.path.exists(out) and len(open(out).read().splitlines()) == 2001,
           f"audit --out writes every case: {r.stderr.strip()[-300:]}")
    print(f"1..{count}")
    return 1 if failures else 0


sys.exit(main())
