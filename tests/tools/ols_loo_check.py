#!/usr/bin/python3
"""ols_loo_check.py: casescope-cli fit's linear baseline against numpy's least squares, on one CSV file.

Usage: ols_loo_check.py CASESCOPE_CLI FILE.csv TARGET [--softmax-wins]

Runs `casescope-cli fit --json --target TARGET FILE.csv` and recomputes its `loo_mse_linear` from the file:
ordinary least squares with an intercept on the raw feature columns (least squares with an intercept does
not change under the engine's standardisation) by np.linalg.lstsq, its exact leave-one-out residuals
e_i / (1 - h_ii) with the hat values from the thin SVD of the design matrix, and, as a check of that
formula, brute-force refits without case i on the first 50 cases. The two must agree to 1e-9 relative:
two different factorisations of a well-conditioned least-squares problem (2000 x 5 at most here) differ
by rounding of about 1e-13, far below that. With --softmax-wins the softmax window's leave-one-out MSE
must also be below the linear one. Exit 0 on success, 1 on a mismatch, 77 (skip) without numpy.
"""
import csv
import json
import math
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    print("numpy is not installed (Debian: python3-numpy): skipped")
    sys.exit(77)

TOL = 1e-9


def bare(name):
    """A header's name without its unit: "density [g/cm3]" -> "density" (the CLI's names)."""
    return name.split(" [", 1)[0].strip()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    softmax_wins = "--softmax-wins" in sys.argv[1:]
    if len(args) != 3:
        print(__doc__)
        return 2
    cli, path, target = args
    out = subprocess.run([cli, "fit", "--json", "--target", target, path], check=True,
                         capture_output=True, text=True).stdout
    report = json.loads(out)

    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    names = [bare(h) for h in header]
    cols = [names.index(fe) for fe in report["features"]]
    tcol = names.index(bare(target))
    X = np.array([[float(r[c]) for c in cols] for r in body])
    y = np.array([float(r[tcol]) for r in body])
    n, d = X.shape
    assert n == report["n"] and d == report["d"], (n, d, report["n"], report["d"])

    A = np.hstack([np.ones((n, 1)), X])
    beta, _, rank, _ = np.linalg.lstsq(A, y, rcond=None)
    e = y - A @ beta
    U, s, _ = np.linalg.svd(A, full_matrices=False)
    h = np.sum(U[:, :rank] ** 2, axis=1)
    loo = e / (1.0 - h)
    expect = float(np.mean(loo ** 2))

    # The hat-value formula against refits without case i (a check of the reference itself).
    for i in range(min(n, 50)):
        keep = np.arange(n) != i
        b_i, *_ = np.linalg.lstsq(A[keep], y[keep], rcond=None)
        brute = y[i] - A[i] @ b_i
        if abs(brute - loo[i]) > 1e-8 * (abs(brute) + np.sqrt(expect)):
            print(f"reference: case {i}: refit residual {brute!r}, hat-value residual {loo[i]!r}")
            return 1

    got = report["loo_mse_linear"]
    rel = abs(got - expect) / expect
    print(f"{path}: n {n}, d {d}, rank {rank}: casescope {got!r}, numpy {expect!r}, relative difference "
          f"{rel:.3g}; softmax {report['loo_mse']!r}; method {report.get('linear_method')!r}")
    ok = math.isfinite(got) and rel <= TOL
    if report.get("linear_method") != "ordinary least squares, exact leave-one-out":
        print("linear_method missing or not the least-squares baseline")
        ok = False
    if softmax_wins and not report["loo_mse"] < got:
        print("softmax's leave-one-out MSE is not below the linear baseline's")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
