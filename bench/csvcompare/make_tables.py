#!/usr/bin/env python3
"""Write the train/test CSV pairs of the demo csv vs scikit-learn comparison.

    /usr/bin/python3 bench/csvcompare/make_tables.py [OUTDIR]   # default: bench/csvcompare/data

Each table NAME becomes OUTDIR/NAME_train.csv and OUTDIR/NAME_test.csv: a header
row, the features, and the target last, in a column named "target". The split is
80/20 (test = round(0.2 * rows)), stratified by class for classification. Beside
them goes OUTDIR/tables.json: NAME -> {task, target, rows, train_rows, test_rows,
numeric, categorical, note}, which sklearn_side.py reads.

Tables:
  iris, wine, breast_cancer   classification, from datasets/data/ (class ids 0, 1, ...)
  diabetes                    regression, from datasets/data/ (raw, unscaled features)
  friedman_str                regression: Friedman #1 on 10 uniform features (5 of them
                              noise) plus the effect of a string column "color" (5 words),
                              Gaussian noise of variance 1.0, 2,500 rows
  shop_str                    regression: two string columns, "region" (5 words) and
                              "product" (20 words, Zipf-like frequencies), interacting
                              with numeric columns; Gaussian noise of variance 1.0, 3,000 rows
  churn_str                   classification: a string target of 4 classes ("stay",
                              "downgrade", "upgrade", "leave") drawn from a softmax of
                              nonlinear logits over 4 numeric and 3 string columns;
                              Bayes accuracy printed (about 0.875), 3,000 rows

Everything is deterministic: numpy's legacy RandomState (whose streams numpy keeps
stable across versions) with fixed seeds, and fixed number formatting. The
embedded data are copied as text, value for value.
"""
import csv
import gzip
import json
import os
import sys

try:
    import numpy as np
except ImportError:
    sys.exit("make_tables.py: numpy is missing from %s; run it with /usr/bin/python3 (Debian's, "
             "with python3-numpy)" % sys.executable)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SRC = os.path.join(ROOT, "datasets", "data")

SPLIT_SEED = 20240   # the 80/20 split of every table (plus a per-table offset)
TEST_FRACTION = 0.2

IRIS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
WINE = ["alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols",
        "flavanoids", "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue",
        "od280_od315_of_diluted_wines", "proline"]
BREAST = [g % f.replace(" ", "_")
          for g in ("mean_%s", "%s_error", "worst_%s")
          for f in ("radius", "texture", "perimeter", "area", "smoothness", "compactness",
                    "concavity", "concave points", "symmetry", "fractal dimension")]
DIABETES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


def fmt(v, digits=5):
    """A float as fixed text: at most `digits` decimals, no trailing zeros."""
    s = "%.*f" % (digits, v)
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


# ---------------------------------------------------------------- splitting

def split_indices(n, seed, labels=None):
    """Test and train row indices (each sorted): round(0.2 n) test rows, drawn
    per class in proportion (largest remainder) when labels are given."""
    rng = np.random.RandomState(seed)
    n_test = int(round(TEST_FRACTION * n))
    if labels is None:
        perm = rng.permutation(n)
        test = perm[:n_test]
    else:
        labels = np.asarray(labels)
        classes = sorted(set(labels.tolist()))
        members = {c: np.flatnonzero(labels == c) for c in classes}
        exact = {c: TEST_FRACTION * len(members[c]) for c in classes}
        take = {c: int(np.floor(exact[c])) for c in classes}
        # hand the rows still missing to the classes with the largest remainders
        rest = sorted(classes, key=lambda c: (-(exact[c] - take[c]), str(c)))
        for c in rest[:n_test - sum(take.values())]:
            take[c] += 1
        test = np.concatenate([rng.permutation(members[c])[:take[c]] for c in classes])
    mask = np.zeros(n, dtype=bool)
    mask[test] = True
    return np.flatnonzero(mask), np.flatnonzero(~mask)


def write_pair(outdir, name, header, rows, seed, stratify):
    """Split rows (lists of strings, target last) and write the two CSV files."""
    labels = [r[-1] for r in rows] if stratify else None
    test, train = split_indices(len(rows), seed, labels)
    for part, idx in (("train", train), ("test", test)):
        path = os.path.join(outdir, "%s_%s.csv" % (name, part))
        with open(path, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            for i in idx:
                w.writerow(rows[i])
    return train, test


# ---------------------------------------------------------------- embedded data

def read_header_csv(file, names):
    """scikit-learn's classification CSV: "n,d,class names..." then d features
    and a class id per row. Values are kept as the file spells them."""
    with open(os.path.join(SRC, file)) as f:
        lines = [l.strip() for l in f if l.strip()]
    n, d = (int(v) for v in lines[0].split(",")[:2])
    assert d == len(names), (file, d, len(names))
    rows = [l.split(",") for l in lines[1:]]
    assert len(rows) == n and all(len(r) == d + 1 for r in rows), file
    return names + ["target"], rows


def read_diabetes():
    with gzip.open(os.path.join(SRC, "diabetes_data_raw.csv.gz"), "rt") as f:
        x = [l.split() for l in f if l.strip()]
    with gzip.open(os.path.join(SRC, "diabetes_target.csv.gz"), "rt") as f:
        y = [float(l) for l in f if l.strip()]
    assert len(x) == len(y) == 442 and all(len(r) == 10 for r in x)
    return DIABETES + ["target"], [r + [fmt(v)] for r, v in zip(x, y)]


# ---------------------------------------------------------------- generated tables

def friedman_str(seed=101, n=2500):
    """Friedman #1 (10 sin(pi x1 x2) + 20 (x3 - .5)^2 + 10 x4 + 5 x5, x6..x10 unused)
    plus an additive effect of "color", noise N(0, 1)."""
    rng = np.random.RandomState(seed)
    x = rng.uniform(0, 1, size=(n, 10))
    colors = np.array(["red", "green", "blue", "yellow", "purple"])
    effect = {"red": 0.0, "green": 2.5, "blue": -2.0, "yellow": 4.0, "purple": -1.0}
    c = colors[rng.choice(5, size=n, p=[0.3, 0.25, 0.2, 0.15, 0.1])]
    f = (10 * np.sin(np.pi * x[:, 0] * x[:, 1]) + 20 * (x[:, 2] - 0.5) ** 2
         + 10 * x[:, 3] + 5 * x[:, 4])
    y = f + np.array([effect[v] for v in c]) + rng.normal(0, 1.0, size=n)
    # the string column sits among the numeric ones, not at an edge
    header = ["x1", "x2", "x3", "x4", "x5", "color", "x6", "x7", "x8", "x9", "x10", "target"]
    rows = [[fmt(v, 4) for v in x[i, :5]] + [c[i]] + [fmt(v, 4) for v in x[i, 5:]] + [fmt(y[i], 4)]
            for i in range(n)]
    truth = f + np.array([effect[v] for v in c])
    return header, rows, ("Friedman #1 + color effect; noise variance 1.0 "
                          "(the Bayes test MSE is about 1.0)"), truth


PRODUCTS = ["apple", "banana", "cherry", "grape", "lemon", "mango", "melon", "orange",
            "peach", "pear", "plum", "kiwi", "lime", "fig", "date", "papaya", "guava",
            "apricot", "coconut", "olive"]
REGIONS = ["north", "south", "east", "west", "central"]


def shop_str(seed=202, n=3000):
    """Sales-like target: a per-product level, a per-product price elasticity, a
    per-region temperature slope, a discount bump whose height depends on the
    region, and a weekend x product-group term; noise N(0, 1)."""
    rng = np.random.RandomState(seed)
    pw = 1.0 / (np.arange(20) + 4.0)
    product = rng.choice(20, size=n, p=pw / pw.sum())
    region = rng.choice(5, size=n, p=[0.28, 0.24, 0.2, 0.16, 0.12])
    temp = rng.uniform(-5, 35, size=n)
    price = np.exp(rng.uniform(np.log(0.5), np.log(12), size=n))
    discount = rng.uniform(0, 0.5, size=n)
    weekday = rng.randint(0, 7, size=n)

    level = rng.normal(0, 2.0, size=20)          # per product
    elastic = rng.uniform(-3.0, 0.5, size=20)    # per product, on log price
    group = np.arange(20) % 3                    # three product groups
    slope = np.array([-1.5, 2.0, 0.5, 1.0, -0.5])   # per region, per 10 degrees
    bump = np.array([3.0, 1.0, 2.0, 0.5, 4.0])      # per region
    weekend = (weekday >= 5).astype(float)
    truth = (level[product]
         + elastic[product] * np.log(price)
         + slope[region] * (temp - 15) / 10
         + bump[region] * np.sin(np.pi * discount / 0.5) * (temp > 10)
         + np.array([1.5, -1.0, 0.0])[group[product]] * weekend
         + 0.02 * (temp - 15) ** 2 / 5)
    y = truth + rng.normal(0, 1.0, size=n)
    header = ["region", "temp", "price", "product", "discount", "weekday", "target"]
    rows = [[REGIONS[region[i]], fmt(temp[i], 2), fmt(price[i], 3), PRODUCTS[product[i]],
             fmt(discount[i], 3), str(weekday[i]), fmt(y[i], 4)] for i in range(n)]
    return header, rows, ("region (5 words) x temperature and discount, product (20 words) "
                          "x log price and weekend; noise variance 1.0"), truth


CHURN = ["stay", "downgrade", "upgrade", "leave"]
PLANS = ["basic", "standard", "premium"]
DEVICES = ["mobile", "desktop", "tablet"]
CHANNELS = ["email", "search", "social", "referral", "store"]


def churn_logits(age, income, visits, tenure, plan, device, channel):
    """The true class logits (n, 4) of churn_str; fixed coefficients."""
    a = (age - 45) / 15
    inc = (np.log(income) - np.log(50)) / 0.5
    v = (visits - 10) / 5
    t = np.log1p(tenure) - 2.5
    z = np.zeros((len(age), 4))
    # stay: long tenure, many visits
    z[:, 0] = 0.8 + 1.6 * t + 1.2 * v - 0.6 * v ** 2
    # downgrade: low income, premium/standard plans, older
    z[:, 1] = -1.6 * inc + 0.8 * a + np.array([-2.0, 0.8, 1.8])[plan]
    # upgrade: high income x many visits, young, basic plan, desktop
    z[:, 2] = (1.2 * inc + 1.2 * inc * (v > 0) - 0.9 * a + np.array([1.2, 0.2, -2.4])[plan]
               + np.array([0.0, 0.8, 0.2])[device])
    # leave: short tenure, few visits, social/store channel, mobile
    z[:, 3] = (-1.8 * t - 1.4 * v + np.array([0.0, -0.2, 1.2, -0.6, 0.8])[channel]
               + np.array([0.7, -0.4, 0.0])[device] + 0.8 * np.sin(2.0 * a))
    return 2.5 * z


def churn_str(seed=303, n=3000):
    rng = np.random.RandomState(seed)
    age = rng.uniform(18, 80, size=n)
    income = np.exp(rng.normal(np.log(50), 0.5, size=n))
    visits = rng.poisson(10, size=n).astype(float)
    tenure = rng.exponential(15, size=n)
    plan = rng.choice(3, size=n, p=[0.45, 0.35, 0.2])
    device = rng.choice(3, size=n, p=[0.5, 0.35, 0.15])
    channel = rng.choice(5, size=n, p=[0.25, 0.25, 0.2, 0.15, 0.15])
    z = churn_logits(age, income, visits, tenure, plan, device, channel)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    u = rng.uniform(size=(n, 1))
    y = np.minimum((u > np.cumsum(p, axis=1)).sum(axis=1), 3)
    bayes = float(p.max(axis=1).mean())
    header = ["age", "plan", "income", "device", "visits", "tenure", "channel", "target"]
    rows = [[fmt(age[i], 1), PLANS[plan[i]], fmt(income[i], 2), DEVICES[device[i]],
             str(int(visits[i])), fmt(tenure[i], 2), CHANNELS[channel[i]], CHURN[y[i]]]
            for i in range(n)]
    counts = {CHURN[k]: int((y == k).sum()) for k in range(4)}
    truth = [CHURN[k] for k in p.argmax(axis=1)]
    return header, rows, ("string target of 4 classes %s; Bayes accuracy (mean of the "
                          "largest true class probability) %.3f" % (counts, bayes)), truth


# ---------------------------------------------------------------- main

def column_kinds(header, rows):
    numeric, categorical = [], []
    for j, name in enumerate(header[:-1]):
        try:
            for r in rows:
                float(r[j])
            numeric.append(name)
        except ValueError:
            categorical.append(name)
    return numeric, categorical


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "data")
    os.makedirs(outdir, exist_ok=True)
    tables = [
        ("iris", "classification") + read_header_csv("iris.csv", IRIS) + (
            "Fisher's iris, datasets/data/iris.csv; class ids 0-2", None),
        ("wine", "classification") + read_header_csv("wine_data.csv", WINE) + (
            "UCI wine, datasets/data/wine_data.csv; class ids 0-2", None),
        ("breast_cancer", "classification") + read_header_csv("breast_cancer.csv", BREAST) + (
            "UCI breast cancer, datasets/data/breast_cancer.csv; 0 malignant, 1 benign", None),
        ("diabetes", "regression") + read_diabetes() + (
            "Efron et al. diabetes, raw unscaled features (datasets/data/diabetes_*.csv.gz)", None),
        ("friedman_str", "regression") + friedman_str(),
        ("shop_str", "regression") + shop_str(),
        ("churn_str", "classification") + churn_str(),
    ]
    manifest = {}
    for k, (name, task, header, rows, note, truth) in enumerate(tables):
        train, test = write_pair(outdir, name, header, rows, SPLIT_SEED + k,
                                 stratify=(task == "classification"))
        numeric, categorical = column_kinds(header, rows)
        entry = {"task": task, "target": "target", "rows": len(rows),
                 "train_rows": len(train), "test_rows": len(test),
                 "numeric": numeric, "categorical": categorical, "note": note}
        oracle = ""
        if truth is not None:
            # the test metric of the true function (generated tables only): the
            # floor of the test MSE, or the ceiling of the accuracy, in expectation
            if task == "regression":
                err = [float(rows[i][-1]) - truth[i] for i in test]
                entry["oracle_test_mse"] = round(float(np.mean(np.square(err))), 4)
                oracle = "; true function's test MSE %.3f" % entry["oracle_test_mse"]
            else:
                hits = [rows[i][-1] == truth[i] for i in test]
                entry["oracle_test_accuracy"] = round(float(np.mean(hits)), 4)
                oracle = "; Bayes rule's test accuracy %.3f" % entry["oracle_test_accuracy"]
        manifest[name] = entry
        size = os.path.getsize(os.path.join(outdir, name + "_train.csv"))
        print("%-14s %-14s %5d rows (%4d train, %3d test), %2d numeric, %d string columns, "
              "train file %3d KB; %s%s" % (name, task, len(rows), len(train), len(test),
                                           len(numeric), len(categorical), (size + 1023) // 1024,
                                           note, oracle))
    with open(os.path.join(outdir, "tables.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=False)
        f.write("\n")


if __name__ == "__main__":
    main()
