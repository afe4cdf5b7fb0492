#!/usr/bin/env python3
"""Compare casescope-batch JSON with casescope-cli JSON: predictions and their sums within a relative
tolerance (the shards' sums are merged in another order than the single pass adds them, so the last bits
differ; the issue's bound is 1e-12 relative), the same top cases (rows) in the same order, and, for an audit,
the same flags and verdict per case except where the batch lists the case in `ties`.

usage: compare.py predict CLI.json BATCH.json [--y-range R]
       compare.py audit   CLI.json BATCH.json [--sample]   (--sample: the batch audited some of the cases)
--y-range: the outcome's range over the case base; with it each prediction's interval is compared too, and with
spec limits (CLI.json has p_in_spec) the spec probability, its words and the limits."""
import json
import math
import sys

REL = 1e-12
Y_RANGE = float(sys.argv[sys.argv.index("--y-range") + 1]) if "--y-range" in sys.argv else None


def close(a, b, rel=REL, what="", floor=1e-300):
    if a is None or b is None:
        if a is not b:
            raise SystemExit(f"{what}: {a} vs {b}")
        return
    if math.isnan(a) and math.isnan(b):
        return
    scale = max(abs(a), abs(b), floor)
    if abs(a - b) > rel * scale:
        raise SystemExit(f"{what}: {a!r} vs {b!r} (relative {abs(a - b) / scale:.3g} > {rel:g})")


def compare_flags(c, b, what, ties, i):
    if i in ties:
        return
    if c["verdict"] != b["verdict"]:
        raise SystemExit(f"{what}: verdict {c['verdict']} vs {b['verdict']}")
    kc = sorted((f["kind"], f["severity"]) for f in c["flags"])
    kb = sorted((f["kind"], f["severity"]) for f in b["flags"])
    if kc != kb:
        raise SystemExit(f"{what}: flags {kc} vs {kb}")


def interval_close(c, b, y_range, what):
    """The interval of one query in both programs: present in both or in neither, the same level, and ends
    within 1e-9 of the outcome's range. Each end is y_hat + scale * r_i, r_i a stored score: y_hat and the
    scale are weighted sums the shards merge in another order (1e-12 relative each), and the scale multiplies a
    score up to a few units, so the ends move by about 1e-12 of the outcome's values; 1e-9 of its range leaves
    room for that on outcomes far from zero (kiln's density: range 0.5 around 2.5) and still fails on any other
    residual picked (neighbouring scores differ by far more). An end the residuals cannot reach is null."""
    if "interval" not in b:
        raise SystemExit(f"{what}: no interval in the batch's output")
    ic, ib = c["interval"], b["interval"]
    if ic is None or ib is None:
        if ic is not ib:
            raise SystemExit(f"{what}: interval {ic} vs {ib}")
        return 0.0
    if ic["level"] != ib["level"] or ic["localised"] != ib["localised"]:
        raise SystemExit(f"{what}: interval level or localisation {ic} vs {ib}")
    worst = 0.0
    for end in ("lower", "upper"):
        a, z = ic[end], ib[end]
        if a is None or z is None:
            if a is not z:
                raise SystemExit(f"{what}: interval {end} {a} vs {z}")
            continue
        worst = max(worst, abs(a - z) / y_range)
        if abs(a - z) > 1e-9 * y_range:
            raise SystemExit(f"{what}: interval {end} {a!r} vs {z!r} (difference {abs(a - z) / y_range:.3g} of the "
                             f"outcome's range > 1e-9)")
    return worst


# p_in_spec is the weighted share of the residuals y_hat + scale * r_i inside the limits (cs_interval_compute).
# Both programs weigh the same residuals, but the batch's weights are merged over the shards (log-sum-exp, then
# log again) and differ from the single pass in the last bits: the share moves by about 1e-15. An end crosses a
# limit only when it lies within 1e-12 of the outcome's values of it, which no sample here does. A share computed
# otherwise (limits swapped, dropped, the complement, another query's residuals) differs by at least one
# residual's weight, and with 60 or more effective residuals that is far above 1e-9 unless both shares are 0 or 1:
# test-batch.py asserts some queries lie well inside (0, 1).
P_TOL = 1e-9


def spec_words_boundary(p):
    """True when p is within P_TOL of a place where the spec words change (0.1, 0.9, a whole or half percent)."""
    return any(abs(p - edge) <= P_TOL for edge in (0.1, 0.9)) or \
        abs(100 * p - round(100 * p)) <= 100 * P_TOL or abs(100 * p + 0.5 - round(100 * p + 0.5)) <= 100 * P_TOL


def spec_close(c, b, what):
    """p_in_spec, the spec words and the limits of one query: in both outputs or in neither (a run without
    limits has none); returns the difference of p_in_spec."""
    if ("p_in_spec" in c) != ("p_in_spec" in b):
        raise SystemExit(f"{what}: p_in_spec in one output only ({c.get('p_in_spec')} vs {b.get('p_in_spec')})")
    if "p_in_spec" not in c:
        return 0.0
    if c["spec_limits"] != b.get("spec_limits"):
        raise SystemExit(f"{what}: spec limits {c['spec_limits']} vs {b.get('spec_limits')}")
    pc, pb = c["p_in_spec"], b["p_in_spec"]
    if pc is None or pb is None:
        if pc is not pb or c["spec"] is not b.get("spec"):
            raise SystemExit(f"{what}: p_in_spec {pc} vs {pb}")
        return 0.0
    if abs(pc - pb) > P_TOL:
        raise SystemExit(f"{what}: p_in_spec {pc!r} vs {pb!r} (difference {abs(pc - pb):.3g} > {P_TOL:g})")
    if c["spec"] != b.get("spec") and not spec_words_boundary(pc):
        raise SystemExit(f"{what}: spec words {c['spec']!r} vs {b.get('spec')!r}")
    return abs(pc - pb)


def compare_prediction(c, b, what, worst):
    for key in ("prediction", "stderr", "n_eff", "local_sd", "mean_distance", "nearest_distance"):
        # The prediction and n_eff are weighted sums: 1e-12 relative. local_sd (and stderr, which scales with it
        # when no noise level is known) is a root of a weighted variance, conditioned as (y / local_sd)^2: on
        # kiln (y 2.5, local_sd 8e-4) rounding alone moves it by 1e-10 in either program. The distances come
        # from |x|^2 + |q|^2 - 2 x.q about each context's own centre, which differs per shard: at small
        # distances that cancellation leaves 1e-12 relative. Those get 1e-9.
        tol = REL if key in ("prediction", "n_eff") else 1e-9
        # A merged weighted mean of outcomes rounds on the scale of the outcomes, not of the result: with
        # --y-range a prediction near 0 (a 21,000-case circle: 6.5e-4 from outcomes spanning 6.1, 2.2e-12
        # relative apart) is held to 1e-12 of the range instead.
        floor = Y_RANGE if key == "prediction" and Y_RANGE is not None else 1e-300
        close(c[key], b[key], tol, what=f"{what} {key}", floor=floor)
        if c[key] is not None and c[key] != 0:
            worst[key] = max(worst.get(key, 0), abs(c[key] - b[key]) / abs(c[key]))
    rows_c = [t["row"] for t in c["top"]]
    rows_b = [t["row"] for t in b["top"]]
    if rows_c != rows_b:
        # a swap is allowed only between two cases whose weights tie to rounding
        for tc, tb in zip(c["top"], b["top"]):
            close(tc["weight"], tb["weight"], 1e-9, f"{what} top weights (rows {rows_c} vs {rows_b})")
    for tc, tb in zip(c["top"], b["top"]):
        close(tc["weight"], tb["weight"], 1e-11, f"{what} top weight")
        close(tc["distance"], tb["distance"], 1e-9, f"{what} top distance")


def main():
    mode, cli_path, batch_path = sys.argv[1:4]
    cli = json.load(open(cli_path))
    batch = json.load(open(batch_path))
    worst = {}
    if mode == "predict":
        pc, pb = cli["predictions"], batch["predictions"]
        if len(pc) != len(pb):
            raise SystemExit(f"{len(pc)} predictions vs {len(pb)}")
        ties = set(batch.get("ties", []))
        for i, (c, b) in enumerate(zip(pc, pb)):
            compare_prediction(c, b, f"query {i}", worst)
            compare_flags(c, b, f"query {i}", ties, i)
            # the window: quantiles of the same attended set (the same stored distances up to rounding)
            close(c["radius90"], b["radius90"], 1e-11, f"query {i} radius90")
            if c["n_kept"] != b["n_kept"] and i not in ties:
                raise SystemExit(f"query {i}: n_kept {c['n_kept']} vs {b['n_kept']}")
            for name, v in c["half_width"].items():
                close(v, b["half_width"][name], 1e-11, f"query {i} half_width {name}")
            if "--y-range" in sys.argv:
                y_range = float(sys.argv[sys.argv.index("--y-range") + 1])
                worst["interval/range"] = max(worst.get("interval/range", 0),
                                              interval_close(c, b, y_range, f"query {i}"))
                worst["p_in_spec (absolute)"] = max(worst.get("p_in_spec (absolute)", 0), spec_close(c, b, f"query {i}"))
    else:
        # casescope-cli diagnose --json: every case up to 5000 cases; its cases carry no prediction
        cb = batch["cases"]
        by_row = {c["row"]: c for c in cli["cases"]}
        if len(cb) != len(by_row) and not cb:
            raise SystemExit("no cases")
        if "--sample" not in sys.argv and len(cb) != len(by_row):
            raise SystemExit(f"{len(by_row)} cases vs {len(cb)}")
        cc = [by_row.get(b["row"], {"row": None}) for b in cb]
        ties = set(batch.get("ties", []))
        for i, (c, b) in enumerate(zip(cc, cb)):
            if c["row"] != b["row"]:
                raise SystemExit(f"case {i}: row {c['row']} vs {b['row']}")
            compare_flags(c, b, f"case row {c['row']}", ties, i)
            for key in ("local_noise_sd", "local_variation", "local_lipschitz", "n_eff"):
                close(c[key], b[key], 1e-9, f"case row {c['row']} {key}")
    print("ok; worst relative differences:", ", ".join(f"{k} {v:.2g}" for k, v in sorted(worst.items())))


main()
