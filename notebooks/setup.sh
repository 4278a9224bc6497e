#!/usr/bin/env bash
# Installs what the notebooks need, idempotently (a step already done is skipped):
#   1. Jupyter from Debian (nbconvert, nbclient, ipykernel);
#   2. the GoNB kernel v0.11.4 (with goimports v0.52.0);
#   3. the gophernotes kernel v0.7.5, patched to run on Go 1.26 (see
#      notebooks/README.md and NOTEBOOKS.md in the shared design folder).
# Meant to run as root (CI, containers); as another user, the apt step needs sudo
# and is skipped when the Debian packages are already installed.
#
#   bash notebooks/setup.sh            # install what is missing
#   FORCE=1 bash notebooks/setup.sh    # rebuild both kernels
#   WITH_GOPLS=1 bash notebooks/setup.sh   # also gopls (GoNB's autocompletion; optional)
#
# Kernels go to ${JUPYTER_DATA_DIR:-$HOME/.local/share/jupyter}/kernels/{gonb,gophernotes};
# binaries to $(go env GOBIN), or $(go env GOPATH)/bin.
set -euo pipefail

# Every version is pinned here.
GONB_VERSION=v0.11.4
GOIMPORTS_VERSION=v0.52.0     # golang.org/x/tools
GOPLS_VERSION=v0.23.0         # golang.org/x/tools/gopls, only with WITH_GOPLS=1
GOPHERNOTES_VERSION=v0.7.5
GOMACRO_VERSION=v0.0.0-20240506194242-2ff796e3da10   # newer interpreter than gophernotes' own
XTOOLS_VERSION=v0.52.0        # golang.org/x/tools for gophernotes' interpreter
APT_PACKAGES=(jupyter-notebook jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel)

FORCE=${FORCE:-0}
WITH_GOPLS=${WITH_GOPLS:-0}

t_all=$(date +%s)
step_start=0
step() { step_start=$(date +%s); echo "== setup: $*"; }
done_step() { echo "   done in $(( $(date +%s) - step_start ))s"; }

command -v go >/dev/null || { echo "setup: go is not on PATH" >&2; exit 1; }
GOBIN=$(go env GOBIN)
[ -n "$GOBIN" ] || GOBIN="$(go env GOPATH)/bin"
mkdir -p "$GOBIN"
export PATH="$GOBIN:$PATH"
GOMODCACHE=$(go env GOMODCACHE)
JUPYTER_DATA_DIR=${JUPYTER_DATA_DIR:-$HOME/.local/share/jupyter}
export JUPYTER_DATA_DIR
export PYDEVD_DISABLE_FILE_VALIDATION=1   # silence debugpy's frozen-modules warning
echo "== setup: $(go version); binaries in $GOBIN; kernels in $JUPYTER_DATA_DIR/kernels"

# The tool modules are built in a throw-away folder, removed at exit.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# has_mod BINARY MODULE VERSION: BINARY exists and was built with MODULE at VERSION
# (as main module or dependency, per `go version -m`).
has_mod() {
  [ -x "$1" ] && go version -m "$1" 2>/dev/null | awk -v m="$2" -v v="$3" \
    '($1=="mod"||$1=="dep"||$1=="=>") && $2==m && $3==v {found=1} END {exit !found}'
}

# ---------------------------------------------------------------------------
# 1. Jupyter from Debian.
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "== setup: Jupyter: Debian packages already installed, skipped"
else
  step "Jupyter: apt-get install ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
  done_step
fi
# Debian's jupyter; a pyenv python3 first on PATH would lack its modules.
JUPYTER=/usr/bin/jupyter
[ -x "$JUPYTER" ] || JUPYTER=$(command -v jupyter)
dpkg-query -W -f='   ${Package} ${Version}\n' "${APT_PACKAGES[@]}"

# ---------------------------------------------------------------------------
# 2. GoNB. `go install MOD@VERSION` is refused by the proxy for this module (its
# version list answers 403), so it is built from a small tool module.
gonb_kernel="$JUPYTER_DATA_DIR/kernels/gonb/kernel.json"
if [ "$FORCE" != 1 ] && has_mod "$GOBIN/gonb" github.com/janpfeifer/gonb "$GONB_VERSION" \
   && has_mod "$GOBIN/goimports" golang.org/x/tools "$GOIMPORTS_VERSION" \
   && [ -f "$gonb_kernel" ] && grep -q "\"$GOBIN/gonb\"" "$gonb_kernel"; then
  echo "== setup: GoNB $GONB_VERSION: binary and kernel already installed, skipped"
else
  step "GoNB $GONB_VERSION (tool module in $work/tools-gonb), goimports $GOIMPORTS_VERSION"
  mkdir -p "$work/tools-gonb"
  (
    cd "$work/tools-gonb"
    go mod init tools-gonb >/dev/null 2>&1
    go mod download "github.com/janpfeifer/gonb@$GONB_VERSION"
    cp "$GOMODCACHE/github.com/janpfeifer/gonb@$GONB_VERSION/go.sum" . && chmod u+w go.sum
    go get "github.com/janpfeifer/gonb@$GONB_VERSION"
    GOBIN="$GOBIN" go install github.com/janpfeifer/gonb
  )
  GOBIN="$GOBIN" go install "golang.org/x/tools/cmd/goimports@$GOIMPORTS_VERSION"
  # gopls is optional (autocompletion and hover in the browser).
  deps="--force_deps"
  if [ "$WITH_GOPLS" = 1 ]; then
    GOBIN="$GOBIN" go install "golang.org/x/tools/gopls@$GOPLS_VERSION"
    deps=""
  fi
  "$GOBIN/gonb" --install $deps 2>&1 | sed 's/^/   /'
  done_step
fi
# GoNB runs goimports (and gopls) from PATH: put $GOBIN in front of the PATH the
# kernel inherits (Jupyter expands ${PATH} in a kernel spec's env).
/usr/bin/python3 - "$gonb_kernel" "$GOBIN" <<'PY'
import json, sys
path, gobin = sys.argv[1], sys.argv[2]
with open(path) as f:
    spec = json.load(f)
env = spec.setdefault("env", {})
want = gobin + ":${PATH}"
if env.get("PATH") != want:
    env["PATH"] = want
    with open(path, "w") as f:
        json.dump(spec, f, indent=1)
        f.write("\n")
    print("   GoNB kernel spec: PATH=" + want)
PY

# ---------------------------------------------------------------------------
# 3. gophernotes, patched for Go 1.26: a newer gomacro and x/tools, and its
# display.JSONer proxy's JSON method returning map[string]interface{} (the
# newer interpreter's signature) instead of string.
gn_kernel_dir="$JUPYTER_DATA_DIR/kernels/gophernotes"
# Built from a copy of the module, the binary's own version reads "(devel)": a
# stamp beside the kernel spec records what was built.
gn_stamp="$gn_kernel_dir/installed"
gn_want="gophernotes $GOPHERNOTES_VERSION gomacro $GOMACRO_VERSION x/tools $XTOOLS_VERSION JSONer-patch"
if [ "$FORCE" != 1 ] && has_mod "$GOBIN/gophernotes" github.com/cosmos72/gomacro "$GOMACRO_VERSION" \
   && has_mod "$GOBIN/gophernotes" golang.org/x/tools "$XTOOLS_VERSION" \
   && [ "$(cat "$gn_stamp" 2>/dev/null)" = "$gn_want" ]; then
  echo "== setup: gophernotes $GOPHERNOTES_VERSION (gomacro $GOMACRO_VERSION): binary already installed, skipped"
else
  step "gophernotes $GOPHERNOTES_VERSION patched (gomacro $GOMACRO_VERSION, x/tools $XTOOLS_VERSION)"
  (
    cd "$work"
    go mod download "github.com/gopherdata/gophernotes@$GOPHERNOTES_VERSION"
    cp -r "$GOMODCACHE/github.com/gopherdata/gophernotes@$GOPHERNOTES_VERSION" gophernotes
    chmod -R u+w gophernotes
    cd gophernotes
    sed -i -e 's/JSON_  func(interface{}) string/JSON_  func(interface{}) map[string]interface{}/' \
           -e 's/func (P \*proxy_JSONer) JSON() string {/func (P *proxy_JSONer) JSON() map[string]interface{} {/' x_package.go
    grep -q 'func (P \*proxy_JSONer) JSON() map\[string\]interface{} {' x_package.go \
      || { echo "setup: the gophernotes patch did not apply" >&2; exit 1; }
    GONOSUMDB=github.com/cosmos72/gomacro go get \
      "github.com/cosmos72/gomacro@$GOMACRO_VERSION" "golang.org/x/tools@$XTOOLS_VERSION"
    GOBIN="$GOBIN" go install .
  )
  mkdir -p "$gn_kernel_dir" && echo "$gn_want" >"$gn_stamp"
  done_step
fi
# The kernel spec is rewritten every time (cheap), so that a changed Go or proxy
# setting is picked up. gophernotes builds the packages a cell imports as a plugin,
# in a module that `go get`s them, with a replace line for a package imported by
# its folder (the library). GOPROXY "<first proxy>|off": the dependencies come from
# the proxy, and the proxy's refusal (403) to look up github.com/gokeras/gokeras
# itself falls through to "off", after which the replace line is used; with the
# default "<proxy>,direct" that 403 fails the import.
goproxy_first=$(go env GOPROXY | sed 's/[,|].*//')
case "$goproxy_first" in
  off) gn_goproxy="off" ;;
  "") gn_goproxy="direct|off" ;;
  *) gn_goproxy="$goproxy_first|off" ;;
esac
mkdir -p "$gn_kernel_dir"
cat >"$gn_kernel_dir/kernel.json" <<EOF
{
  "argv": ["$GOBIN/gophernotes", "{connection_file}"],
  "display_name": "Go (gophernotes)",
  "language": "go",
  "name": "gophernotes",
  "env": {
    "GODEBUG": "gotypesalias=0",
    "ASSUME_NO_MOVING_GC_UNSAFE_RISK_IT_WITH": "go1.26",
    "GOPROXY": "$gn_goproxy",
    "PATH": "$GOBIN:\${PATH}"
  }
}
EOF
gn_logo="$GOMODCACHE/github.com/gopherdata/gophernotes@$GOPHERNOTES_VERSION/kernel"
for f in logo-32x32.png logo-64x64.png; do
  if [ -f "$gn_logo/$f" ] && [ ! -f "$gn_kernel_dir/$f" ]; then
    cp "$gn_logo/$f" "$gn_kernel_dir/" && chmod u+w "$gn_kernel_dir/$f"
  fi
done
echo "== setup: gophernotes kernel spec written to $gn_kernel_dir/kernel.json (GOPROXY=$gn_goproxy)"

echo "== setup: kernels:"
"$JUPYTER" kernelspec list 2>&1 | sed 's/^/   /'
echo "== setup: done in $(( $(date +%s) - t_all ))s"
