#!/usr/bin/env bash
# Executes the notebooks top to bottom, headless, with the tslab kernel; fails on the first cell error.
#
#   scripts/run-notebooks.sh [--fast] [--in-place] [--out DIR] [NOTEBOOK.ipynb ...]
#
#   --fast       sets DELTA_FAST=1 (small data, few epochs); DELTA_FAST from the environment works too.
#   --in-place   writes the executed notebooks back over the inputs (to commit their outputs); without it
#                they go to --out DIR (default: a fresh temporary folder, printed at the end).
#   NOTEBOOK...  default: every notebooks/NN-*.ipynb, in name order.
#
# Environment: DELTA_FIGURES (png | interactive; default here png: static images that GitHub shows),
# NOTEBOOK_CELL_TIMEOUT (seconds per cell, default 3600), SKIP_BUILD=1 (do not run `npm run build` first).
# Needs: jupyter-nbconvert, python3-nbclient, jupyter-client (Debian), this checkout's tslab (`npm ci`; the
# script gives Jupyter a private kernelspec for it, so no machine-wide registration is needed), chromium for png figures.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

in_place=0
out_dir=""
notebooks=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --fast) export DELTA_FAST=1; shift ;;
    --in-place) in_place=1; shift ;;
    --out) out_dir="${2:?--out needs a folder}"; shift 2 ;;
    # The header comment, however long it grows: every '#' line after the shebang, up to the first other line.
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) echo "run-notebooks: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) notebooks+=("$1"); shift ;;
  esac
done
if [[ ${#notebooks[@]} -eq 0 ]]; then
  shopt -s nullglob
  notebooks=(notebooks/[0-9][0-9]-*.ipynb)
  shopt -u nullglob
  if [[ ${#notebooks[@]} -eq 0 ]]; then
    echo "run-notebooks: no notebooks/NN-*.ipynb found" >&2
    exit 1
  fi
fi

if ! command -v jupyter >/dev/null 2>&1; then
  echo "run-notebooks: jupyter not found. Debian: apt-get install -y jupyter-nbconvert python3-nbclient jupyter-client" >&2
  exit 1
fi
# The notebooks run on this checkout's tslab, whatever kernel another checkout registered for the machine (a
# global kernelspec may point at a tslab that no longer exists): a private kernelspec, first on JUPYTER_PATH.
if [[ ! -x "$root/node_modules/.bin/tslab" ]]; then
  echo "run-notebooks: $root/node_modules/.bin/tslab is missing. Run: npm ci" >&2
  exit 1
fi
kernel_home="$(mktemp -d)"
trap 'rm -rf "$kernel_home"' EXIT
mkdir -p "$kernel_home/kernels/tslab"
printf '{"argv": ["%s", "kernel", "--config-path", "{connection_file}"], "display_name": "TypeScript", "language": "typescript"}\n' \
  "$root/node_modules/.bin/tslab" >"$kernel_home/kernels/tslab/kernel.json"
export JUPYTER_PATH="$kernel_home${JUPYTER_PATH:+:$JUPYTER_PATH}"
# Notebooks import the built package by name ('delta-sparsity'), in any folder of the repository: tslab's
# type-checker finds it through the stub <root>/node_modules/delta-sparsity (written by npm install; again here).
for nb in "${notebooks[@]}"; do
  if [[ ! -f "$nb" ]]; then echo "run-notebooks: no such notebook: $nb" >&2; exit 1; fi
done
node scripts/link-package.js

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  npm run build --silent
fi

export DELTA_FIGURES="${DELTA_FIGURES:-png}"
timeout="${NOTEBOOK_CELL_TIMEOUT:-3600}"
if [[ $in_place -eq 0 ]]; then
  out_dir="${out_dir:-$(mktemp -d "${TMPDIR:-/tmp}/delta-notebooks.XXXXXX")}"
  mkdir -p "$out_dir"
fi

echo "run-notebooks: DELTA_FAST=${DELTA_FAST:-0} DELTA_FIGURES=$DELTA_FIGURES, ${#notebooks[@]} notebook(s)" >&2
for nb in "${notebooks[@]}"; do
  start=$(date +%s)
  args=(--to notebook --execute
    --ExecutePreprocessor.kernel_name=tslab
    "--ExecutePreprocessor.timeout=$timeout"
    --ExecutePreprocessor.startup_timeout=120)
  if [[ $in_place -eq 1 ]]; then
    args+=(--inplace)
  else
    args+=(--output-dir "$out_dir")
  fi
  # nbconvert runs the kernel in the notebook's folder and exits non-zero on the first cell error.
  if ! jupyter nbconvert "${args[@]}" "$nb"; then
    echo "run-notebooks: FAILED $nb" >&2
    # tslab reports a failed cell with an empty error message (its text goes to the cell's stderr), so
    # re-run with errors allowed and print every cell's stderr to show what went wrong.
    diag="$(mktemp -d "${TMPDIR:-/tmp}/delta-notebooks-diag.XXXXXX")"
    jupyter nbconvert --to notebook --execute --allow-errors --ExecutePreprocessor.kernel_name=tslab \
      "--ExecutePreprocessor.timeout=$timeout" --output-dir "$diag" "$nb" >/dev/null 2>&1 || true
    python3 - "$diag/$(basename "$nb")" <<'PY' >&2 || true
import json, sys
nb = json.load(open(sys.argv[1]))
for i, cell in enumerate(nb['cells']):
    for out in cell.get('outputs', []):
        if out.get('name') == 'stderr' or out.get('output_type') == 'error':
            text = out.get('text') or '\n'.join(out.get('traceback', []))
            print(f'--- cell {i} stderr ---\n' + ''.join(text).rstrip())
PY
    rm -rf "$diag"
    exit 1
  fi
  echo "run-notebooks: ok $nb ($(( $(date +%s) - start )) s)" >&2
done
if [[ $in_place -eq 0 ]]; then
  echo "run-notebooks: executed notebooks in $out_dir" >&2
fi
