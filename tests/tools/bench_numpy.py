#!/usr/bin/python3
"""bench_numpy.py: the engine's prediction done the straightforward numpy way, for casescope-cli bench.

Same computation as `casescope-cli bench` (distance score form, scalar metric w = 0.5,
n cases x d standardised features, q queries): scores by one matrix product per
block of queries, max-subtracted softmax, prediction, n_eff, local spread, mean
distance, nearest case and the top 10 cases. Prints query-case pairs per second
for float64 and float32 (best of 3, CPU time like casescope-cli bench), so the
engine's ratio can be stated.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tests/tools/bench_numpy.py [--n N] [--d D] [--queries Q] [--json]
"""
import argparse
import json
import time

import numpy as np


def predict(X, y, Q, w, dtype, block=100, k=10):
    X = X.astype(dtype)
    y = y.astype(dtype)
    Q = Q.astype(dtype)
    xx = (X * X).sum(axis=1)
    out = []
    for q0 in range(0, Q.shape[0], block):
        qb = Q[q0:q0 + block]
        d2 = np.maximum(xx[None, :] - 2.0 * (qb @ X.T) + (qb * qb).sum(axis=1)[:, None], 0)
        s = -0.5 * w * d2
        s -= s.max(axis=1, keepdims=True)
        e = np.exp(s)
        z = e.sum(axis=1)
        p = e / z[:, None]
        yhat = p @ y
        n_eff = 1.0 / (p * p).sum(axis=1)
        spread = np.sqrt(np.maximum(p @ (y * y) - yhat * yhat, 0))
        mean_dist = (p * np.sqrt(d2)).sum(axis=1)
        nearest = d2.argmin(axis=1)
        top = np.argpartition(-p, k, axis=1)[:, :k]
        out.append((yhat, n_eff, spread, mean_dist, nearest, top))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--d", type=int, default=16)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    rng = np.random.default_rng(12345)
    X = rng.standard_normal((a.n, a.d))
    y = np.sin(2 * X[:, 0]) + 0.1 * rng.standard_normal(a.n)
    Q = rng.standard_normal((a.queries, a.d))
    res = {"n": a.n, "d": a.d, "queries": a.queries, "numpy": np.__version__}
    for name, dt in (("float64", np.float64), ("float32", np.float32)):
        best = float("inf")
        for _ in range(3):
            t0 = time.process_time()
            predict(X, y, Q, 0.5, dt)
            best = min(best, time.process_time() - t0)
        res["pairs_per_second_" + name] = a.n * a.queries / best
    if a.json:
        print(json.dumps(res))
    else:
        for name in ("float64", "float32"):
            print("numpy %s: %.3g pairs/s" % (name, res["pairs_per_second_" + name]))


if __name__ == "__main__":
    main()
