#!/usr/bin/env bash
# Executes every notebook headless (after notebooks/setup.sh) and fails if any cell
# fails. The executed copies go to a temporary folder (or OUT_DIR), so the committed
# notebooks and their outputs are left as they are.
#
#   bash notebooks/run.sh                      # every notebook, both kernels
#   bash notebooks/run.sh notebooks/gonb/mnist.ipynb   # some of them
#   OUT_DIR=/tmp/nb bash notebooks/run.sh      # keep the executed copies there
#   INPLACE=1 bash notebooks/run.sh            # refresh the committed outputs instead
#
# Prints one line per notebook with its time; exits 1 if any notebook failed,
# after running all of them.
set -uo pipefail
caller=$(pwd)
cd "$(dirname "$0")"
here=$(pwd)

TIMEOUT=${TIMEOUT:-900}     # seconds per cell
GOBIN=$(go env GOBIN)
[ -n "$GOBIN" ] || GOBIN="$(go env GOPATH)/bin"
export PATH="$GOBIN:$PATH"                  # goimports for GoNB
export PYDEVD_DISABLE_FILE_VALIDATION=1     # silence debugpy's frozen-modules warning
JUPYTER=/usr/bin/jupyter                    # Debian's; a pyenv python3 lacks its modules
[ -x "$JUPYTER" ] || JUPYTER=$(command -v jupyter) || { echo "run: jupyter not found: run notebooks/setup.sh" >&2; exit 1; }

if [ $# -gt 0 ]; then
  nbs=()
  for a in "$@"; do
    case "$a" in /*) ;; *) a="$caller/$a" ;; esac
    [ -f "$a" ] || { echo "run: no notebook $a" >&2; exit 1; }
    nbs+=("$a")
  done
else
  mapfile -t nbs < <(ls "$here"/gophernotes/*.ipynb "$here"/gonb/*.ipynb 2>/dev/null)
fi
[ ${#nbs[@]} -gt 0 ] || { echo "run: no notebook found" >&2; exit 1; }

out=${OUT_DIR:-$(mktemp -d)}
mkdir -p "$out"
echo "== notebooks: ${#nbs[@]} to run; executed copies and logs in $out"

# gophernotes builds imported packages as plugins under $GOPATH/src/gomacro.imports;
# remove the folders this run leaves there.
gm="$(go env GOPATH | cut -d: -f1)/src/gomacro.imports"
before=$(ls "$gm" 2>/dev/null | sort)

failed=()
t_all=$(date +%s)
for nb in "${nbs[@]}"; do
  kind=$(basename "$(dirname "$nb")")
  name="$kind/$(basename "$nb")"
  log="$out/${kind}_$(basename "$nb" .ipynb).log"
  mkdir -p "$out/$kind"
  t0=$(date +%s)
  if [ "${INPLACE:-0}" = 1 ]; then
    args=(--inplace)
  else
    args=(--output "$out/$kind/$(basename "$nb")")
  fi
  # The kernel starts in the notebook's own folder (nbconvert's default), which
  # the notebooks rely on to find the library (../..).
  if "$JUPYTER" nbconvert --to notebook --execute "$nb" "${args[@]}" \
       --ExecutePreprocessor.timeout="$TIMEOUT" >"$log" 2>&1; then
    printf '%-36s ok     %4ds\n' "$name" $(( $(date +%s) - t0 ))
  else
    printf '%-36s FAILED %4ds (log: %s)\n' "$name" $(( $(date +%s) - t0 )) "$log"
    grep -v '^go: \(added\|downloading\|finding\|upgraded\)' "$log" | tail -25 | sed 's/^/    /'
    failed+=("$name")
  fi
done

after=$(ls "$gm" 2>/dev/null | sort)
for d in $(comm -13 <(echo "$before") <(echo "$after")); do
  case "$d" in gomacro_pid_*) rm -rf "${gm:?}/$d" ;; esac
done

echo "== notebooks: $(( ${#nbs[@]} - ${#failed[@]} )) of ${#nbs[@]} passed in $(( $(date +%s) - t_all ))s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "== notebooks FAILED: ${failed[*]}"
  exit 1
fi
