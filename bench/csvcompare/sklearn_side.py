#!/usr/bin/env python3
"""The scikit-learn side of the demo csv comparison.

    /usr/bin/python3 bench/csvcompare/sklearn_side.py [DATADIR] [TABLE ...]

DATADIR defaults to bench/csvcompare/data (written by make_tables.py; its
tables.json names each table's task, target and string columns). For each table
it fits, on NAME_train.csv, two scikit-learn models and scores them on
NAME_test.csv:

  regression      MLPRegressor (inside TransformedTargetRegressor, which standardizes
                  the target, as demo csv does) and HistGradientBoostingRegressor;
                  metric: test MSE in the target's raw units (lower is better)
  classification  MLPClassifier and HistGradientBoostingClassifier;
                  metric: test accuracy (higher is better)

The MLPs see a ColumnTransformer of StandardScaler on the numeric columns and
OneHotEncoder(handle_unknown="ignore") on the string columns; the gradient
boosting models see OrdinalEncoder codes on the string columns (declared
categorical; unknown words become missing) and the numeric columns as they are.
All random_state are fixed. It prints a table and writes sklearn.json beside this
script (TABLE arguments: refit only those, keep the others' entries):

  NAME -> {task, target, metric, mlp, hgb, best, best_model, mlp_seeds, mlp_median,
           train, test, train_rows, test_rows, oracle?, seconds}
  _meta -> versions and model settings

mlp and hgb use random_state 0, and best is the better of those two; mlp_seeds
holds the MLP's test metric for random_state 0..4 (its spread; information only).
oracle (generated tables only) is the test metric of the true function.

where train and test are the file paths relative to the repository root.
"""
import csv
import json
import os
import sys
import time
import warnings

try:
    import numpy as np
    import sklearn
    from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import accuracy_score, mean_squared_error
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
except ImportError as e:
    sys.exit("sklearn_side.py: %s in %s; run it with /usr/bin/python3 (Debian's, with "
             "python3-sklearn)" % (e, sys.executable))

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SEED = 0            # random_state of the models behind "mlp" and "hgb"
SPREAD_SEEDS = 5    # the MLP is refit with random_state 0..4 to show its spread

MLP_PARAMS = dict(hidden_layer_sizes=(128, 64), early_stopping=True, validation_fraction=0.1,
                  n_iter_no_change=20, max_iter=2000, alpha=1e-4, learning_rate_init=1e-3,
                  random_state=SEED)
HGB_PARAMS = dict(random_state=SEED)   # otherwise scikit-learn's defaults


def read_table(path, numeric, categorical, target):
    """The columns of a CSV file as a 2-D object array (floats for numeric,
    str for string columns, in numeric + categorical order) and the target."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    idx = {name: j for j, name in enumerate(header)}
    x = np.empty((len(rows), len(numeric) + len(categorical)), dtype=object)
    for k, name in enumerate(numeric):
        x[:, k] = [float(r[idx[name]]) for r in rows]
    for k, name in enumerate(categorical):
        x[:, len(numeric) + k] = [r[idx[name]] for r in rows]
    y = [r[idx[target]] for r in rows]
    return x, y


def mlp_features(n_num, n_cat):
    parts = []
    if n_num:
        parts.append(("num", StandardScaler(), list(range(n_num))))
    if n_cat:
        parts.append(("cat", OneHotEncoder(handle_unknown="ignore"),
                      list(range(n_num, n_num + n_cat))))
    return ColumnTransformer(parts)


def hgb_features(n_num, n_cat):
    """Numeric columns passed through, string columns as OrdinalEncoder codes
    (after them); the boolean mask of the categorical output columns."""
    parts = []
    if n_num:
        parts.append(("num", "passthrough", list(range(n_num))))
    if n_cat:
        parts.append(("cat", OrdinalEncoder(handle_unknown="use_encoded_value",
                                            unknown_value=np.nan),
                      list(range(n_num, n_num + n_cat))))
    mask = [False] * n_num + [True] * n_cat
    return ColumnTransformer(parts), (mask if n_cat else None)


def fit_table(name, spec, datadir):
    numeric, categorical, task = spec["numeric"], spec["categorical"], spec["task"]
    train = os.path.join(datadir, name + "_train.csv")
    test = os.path.join(datadir, name + "_test.csv")
    xtr, ytr = read_table(train, numeric, categorical, spec["target"])
    xte, yte = read_table(test, numeric, categorical, spec["target"])
    n_num, n_cat = len(numeric), len(categorical)
    hgb_prep, mask = hgb_features(n_num, n_cat)
    if task == "regression":
        ytr, yte = np.array(ytr, dtype=float), np.array(yte, dtype=float)
        mlp = Pipeline([("prep", mlp_features(n_num, n_cat)),
                        ("model", TransformedTargetRegressor(
                            regressor=MLPRegressor(**MLP_PARAMS), transformer=StandardScaler()))])
        hgb = Pipeline([("prep", hgb_prep),
                        ("model", HistGradientBoostingRegressor(categorical_features=mask,
                                                                **HGB_PARAMS))])
        score, metric, better = (lambda y, p: float(mean_squared_error(y, p))), "mse", min
    else:
        mlp = Pipeline([("prep", mlp_features(n_num, n_cat)),
                        ("model", MLPClassifier(**MLP_PARAMS))])
        hgb = Pipeline([("prep", hgb_prep),
                        ("model", HistGradientBoostingClassifier(categorical_features=mask,
                                                                 **HGB_PARAMS))])
        score, metric, better = (lambda y, p: float(accuracy_score(y, p))), "accuracy", max
    out = {"task": task, "target": spec["target"], "metric": metric}
    seconds = {}
    for key, model in (("mlp", mlp), ("hgb", hgb)):
        t0 = time.time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(xtr, ytr)
        out[key] = round(score(yte, model.predict(xte)), 6)
        seconds[key] = round(time.time() - t0, 2)
    # the MLP's spread over random_state 0..SPREAD_SEEDS-1 (seed SEED's is out["mlp"]);
    # information only: best uses the fixed seed
    spread = []
    for seed in range(SPREAD_SEEDS):
        if seed == SEED:
            spread.append(out["mlp"])
            continue
        mlp.set_params(**{("model__regressor__random_state" if task == "regression"
                            else "model__random_state"): seed})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            mlp.fit(xtr, ytr)
        spread.append(round(score(yte, mlp.predict(xte)), 6))
    out["mlp_seeds"] = spread
    out["mlp_median"] = float(np.median(spread))
    out["best"] = better(out["mlp"], out["hgb"])
    out["best_model"] = "mlp" if out["best"] == out["mlp"] else "hgb"
    out["train"] = os.path.relpath(train, ROOT)
    out["test"] = os.path.relpath(test, ROOT)
    out["train_rows"], out["test_rows"] = len(ytr), len(yte)
    for k in ("oracle_test_mse", "oracle_test_accuracy"):
        if k in spec:
            out["oracle"] = spec[k]
    out["seconds"] = seconds
    return out


def main():
    args = sys.argv[1:]
    datadir = args.pop(0) if args else os.path.join(HERE, "data")
    only = set(args)
    with open(os.path.join(datadir, "tables.json")) as f:
        tables = json.load(f)
    unknown = only - set(tables)
    if unknown:
        sys.exit("sklearn_side.py: no table %s in %s/tables.json (have: %s)"
                 % (", ".join(sorted(unknown)), datadir, ", ".join(tables)))
    path = os.path.join(HERE, "sklearn.json")
    results = {}
    if only and os.path.exists(path):
        with open(path) as f:
            results = {k: v for k, v in json.load(f).items() if not k.startswith("_")}
    print("| table | task | metric | MLP | HGB | best | oracle | MLP over seeds 0-%d: min, median, max | fit s (MLP, HGB) |"
          % (SPREAD_SEEDS - 1))
    print("|---|---|---|---:|---:|---:|---:|---|---|")
    for name, spec in tables.items():
        if only and name not in only:
            continue
        r = fit_table(name, spec, datadir)
        results[name] = r
        print("| %s | %s | %s | %.4g | %.4g | %.4g (%s) | %s | %.4g, %.4g, %.4g | %s, %s |" % (
            name, r["task"], r["metric"], r["mlp"], r["hgb"], r["best"], r["best_model"],
            "%.4g" % r["oracle"] if "oracle" in r else "", min(r["mlp_seeds"]),
            r["mlp_median"], max(r["mlp_seeds"]), r["seconds"]["mlp"], r["seconds"]["hgb"]),
            flush=True)
    ordered = {k: results[k] for k in tables if k in results}
    ordered["_meta"] = {"sklearn": sklearn.__version__, "numpy": np.__version__,
                        "python": sys.version.split()[0],
                        "mlp_params": {k: (list(v) if isinstance(v, tuple) else v)
                                       for k, v in MLP_PARAMS.items()},
                        "hgb_params": HGB_PARAMS, "mlp_spread_seeds": SPREAD_SEEDS,
                        "regression_mlp_target": "standardized (TransformedTargetRegressor)",
                        "data": os.path.relpath(os.path.abspath(datadir), ROOT)}
    with open(path, "w") as f:
        json.dump(ordered, f, indent=1)
        f.write("\n")
    print("wrote %s" % os.path.relpath(path, os.getcwd()))


if __name__ == "__main__":
    main()
