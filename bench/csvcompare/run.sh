#!/usr/bin/env bash
# demo csv against scikit-learn on the tables of bench/csvcompare; see README.md there.
#
#   bench/csvcompare/run.sh
#   TABLES="iris churn_str" DEMO_FLAGS="-epochs 200 -hidden 128,64" bench/csvcompare/run.sh
#   SEEDS="1 2 3" bench/csvcompare/run.sh        # mean of three demo csv seeds per table
#
# It regenerates nothing: the tables and scikit-learn's numbers are read from
# sklearn.json (written by sklearn_side.py) and the CSV files it names. It builds
# cmd/demo once into a temporary folder, then for each table runs, from the
# repository root,
#
#   demo csv -file DATA/NAME_train.csv -test DATA/NAME_test.csv -target target \
#            -task TASK -json -verbose 0 $DEMO_FLAGS [-seed S]
#
# takes the test metric (test.mse for regression, test.accuracy for
# classification) from the JSON line on the last line of its stdout, and prints
# a markdown table beside scikit-learn's MLP and HGB. The bar: test MSE <= 1.10 x
# scikit-learn's best; accuracy >= best - 0.01. A table whose run fails (no -test
# flag yet, a crash, no JSON line) gets a line saying why, and the others go on.
#
# Environment:
#   TABLES      tables to run, space or comma separated (default: all in sklearn.json)
#   DEMO_FLAGS  more flags for demo csv, after the ones above (so -verbose can be overridden)
#   SEEDS       demo csv seeds, space separated; each table runs once per seed with
#               -seed S and the mean counts (default: one run, demo csv's own seed)
#   DEMO        a demo binary to use instead of building cmd/demo
#   SKLEARN     the scikit-learn results (default: bench/csvcompare/sklearn.json)
#   DATA        the folder of the CSV files (default: the one sklearn.json names)
#   OUT         where each run's stdout and stderr are kept (default: a temporary folder)
#   TIMEOUT     seconds one demo csv run may take (default 1800)
#   PYTHON      python 3 to parse JSON with, standard library only (default python3)
#
# Exit status: 0 when every table ran and is within the bar, 1 when all ran but
# some are outside it, 2 when some run failed (or the build did).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SKLEARN=${SKLEARN:-$here/sklearn.json}
PYTHON=${PYTHON:-python3}
TIMEOUT=${TIMEOUT:-1800}
DEMO_FLAGS=${DEMO_FLAGS:-}
SEEDS=${SEEDS:-}
TABLES=${TABLES:-}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/csvcompare.XXXXXX")}
mkdir -p "$OUT"

if [ ! -f "$SKLEARN" ]; then
	echo "run.sh: $SKLEARN is missing; make it with: /usr/bin/python3 bench/csvcompare/make_tables.py && /usr/bin/python3 bench/csvcompare/sklearn_side.py" >&2
	exit 2
fi

# "name task target train test" per selected table, in sklearn.json's order.
plan=$("$PYTHON" - "$SKLEARN" "$TABLES" "${DATA:-}" "$root" <<'PY'
import json, os, sys
path, tables, data, root = sys.argv[1:5]
res = {k: v for k, v in json.load(open(path)).items() if not k.startswith("_")}
want = [t for t in tables.replace(",", " ").split() if t]
bad = [t for t in want if t not in res]
if bad:
    sys.exit("run.sh: TABLES names %s, not in %s (have: %s)" % (", ".join(bad), path, " ".join(res)))
for name, r in res.items():
    if want and name not in want:
        continue
    train, test = (os.path.join(root, r[k]) for k in ("train", "test"))
    if data:
        train, test = (os.path.join(data, name + s) for s in ("_train.csv", "_test.csv"))
    for f in (train, test):
        if not os.path.isfile(f):
            sys.exit("run.sh: %s is missing; regenerate with make_tables.py" % f)
    print(name, r["task"], r["target"], train, test)
PY
) || exit 2
if [ -z "$plan" ]; then
	echo "run.sh: no tables in $SKLEARN" >&2
	exit 2
fi

if [ -z "${DEMO:-}" ]; then
	bindir=$(mktemp -d "${TMPDIR:-/tmp}/csvcompare-bin.XXXXXX")
	trap 'rm -rf "$bindir"' EXIT
	DEMO="$bindir/demo"
	echo "building cmd/demo into $DEMO ..." >&2
	if ! (cd "$root" && go build -o "$DEMO" ./cmd/demo); then
		echo "run.sh: go build ./cmd/demo failed" >&2
		exit 2
	fi
fi

runs="$OUT/runs.tsv" # name, seed, exit status, stdout file, stderr file, seconds
: >"$runs"
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
while read -r name task target train test; do
	for seed in ${SEEDS:-default}; do
		seedflag=()
		tag=$name
		if [ "$seed" != default ]; then
			seedflag=(-seed "$seed")
			tag=$name.seed$seed
		fi
		echo "demo csv on $name ($task${seedflag:+, seed $seed}) ..." >&2
		start=$(date +%s.%N)
		rc=0
		# shellcheck disable=SC2086 # DEMO_FLAGS is split on purpose
		(cd "$root" && timeout "$TIMEOUT" "$DEMO" csv -file "$train" -test "$test" -target "$target" \
			-task "$task" -json -verbose 0 $DEMO_FLAGS "${seedflag[@]}") \
			>"$OUT/$tag.out" 2>"$OUT/$tag.err" </dev/null || rc=$?
		secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$seed" "$rc" "$OUT/$tag.out" "$OUT/$tag.err" "$secs" >>"$runs"
	done
done <<<"$plan"
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

echo "demo csv vs scikit-learn ($(date -u +%Y-%m-%d); $(nproc) CPUs; $(go version 2>/dev/null | cut -d' ' -f3-);" \
	"load average $load_before before, $load_after after)."
echo "demo csv flags: -json -verbose 0 ${DEMO_FLAGS:-(none more)}${SEEDS:+; seeds $SEEDS (mean)}. Raw output: $OUT"
echo
"$PYTHON" - "$SKLEARN" "$runs" "$TIMEOUT" <<'PY'
import json, sys

sk_path, runs_path, timeout = sys.argv[1:4]
sk = json.load(open(sk_path))
meta = sk.get("_meta", {})


def last_json(text):
    """The last stdout line that is a JSON object with a "test" member."""
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and "test" in obj:
                return obj
    return None


def why_failed(rc, err):
    """One line saying why a run gave no metric."""
    if "flag provided but not defined: -test" in err:
        return "demo csv has no -test flag yet (exit %d)" % rc
    if rc in (124, 137):
        return "timed out after %s s (exit %d)" % (timeout, rc)
    lines = [l.strip() for l in err.splitlines() if l.strip() and not l.startswith("usage:")]
    msg = lines[0] if lines else "no message on stderr"
    if len(msg) > 140:
        msg = msg[:137] + "..."
    return "exit %d: %s" % (rc, msg)


order, runs = [], {}
for line in open(runs_path):
    name, seed, rc, out, err, secs = line.rstrip("\n").split("\t")
    if name not in runs:
        order.append(name)
        runs[name] = []
    runs[name].append((seed, int(rc), out, err, float(secs or 0)))

rows, notes = [], []
n_ok = n_bar = n_fail = 0
for name in order:
    r = sk[name]
    metric = r["metric"]            # "mse" or "accuracy"
    vals, epochs, secs, fails = [], [], [], []
    for seed, rc, out, err, wall in runs[name]:
        label = name if seed == "default" else "%s (seed %s)" % (name, seed)
        stdout = open(out, errors="replace").read()
        stderr = open(err, errors="replace").read()
        if rc != 0:
            fails.append("%s: %s" % (label, why_failed(rc, stderr)))
            continue
        obj = last_json(stdout)
        if obj is None:
            fails.append("%s: exit 0 but no JSON line with \"test\" on stdout (see %s)" % (label, out))
            continue
        test = obj.get("test") or {}
        if not isinstance(test.get(metric), (int, float)):
            fails.append("%s: the JSON line's \"test\" has no %s (has: %s)"
                         % (label, metric, ", ".join(sorted(test)) or "nothing"))
            continue
        vals.append(float(test[metric]))
        if isinstance(obj.get("epochs"), (int, float)):
            epochs.append(obj["epochs"])
        secs.append(float(obj["seconds"]) if isinstance(obj.get("seconds"), (int, float)) else wall)
    notes.extend(fails)
    fmt = (lambda v: "%.4f" % v) if metric == "accuracy" else (lambda v: "%.4g" % v)
    best = r["best"]
    cells = [name, r["task"], "test " + metric, fmt(r["mlp"]), fmt(r["hgb"]),
             "%s (%s)" % (fmt(best), r.get("best_model", "?"))]
    if fails or not vals:
        n_fail += 1
        cells += ["failed", "", "", "", ""]
    else:
        n_ok += 1
        g = sum(vals) / len(vals)
        gcell = fmt(g)
        if len(vals) > 1:
            gcell += " (%s to %s)" % (fmt(min(vals)), fmt(max(vals)))
        if metric == "accuracy":
            ratio = "%+.1f pts" % (100 * (g - best))
            ok = g >= best - 0.01 - 1e-9
        else:
            ratio = "%.3fx" % (g / best) if best > 0 else "n/a"
            ok = g <= 1.10 * best + 1e-12
        n_bar += ok
        ep = ("%g" % (sum(epochs) / len(epochs))) if epochs else "?"
        cells += [gcell, ratio, "yes" if ok else "no", "%.2f" % (sum(secs) / len(secs)), ep]
    rows.append(cells)

head = ["table", "task", "metric", "scikit-learn MLP", "scikit-learn HGB", "best",
        "gokeras", "ratio", "within bar", "gokeras s", "epochs"]
print("| " + " | ".join(head) + " |")
print("|" + "|".join(["---"] * 3 + ["---:"] * 5 + ["---"] + ["---:"] * 2) + "|")
for c in rows:
    print("| " + " | ".join(c) + " |")
print()
print("Bar: test MSE <= 1.10 x best (ratio = gokeras / best); accuracy >= best - 1 point "
      "(ratio = gokeras - best, in points). scikit-learn %s, random_state %s; MLP hidden %s."
      % (meta.get("sklearn", "?"), meta.get("mlp_params", {}).get("random_state", "?"),
         meta.get("mlp_params", {}).get("hidden_layer_sizes", "?")))
print("%d of %d tables within the bar; %d failed to run." % (n_bar, len(rows), n_fail))
if notes:
    print()
    print("Failed runs:")
    for n in notes:
        print("- " + n)
sys.exit(2 if n_fail else (0 if n_bar == len(rows) else 1))
PY
