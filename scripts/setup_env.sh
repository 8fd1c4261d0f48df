#!/usr/bin/env bash
# Create .venv and install LaMP Studio with its test tools. Safe to run again: it only does what is missing.
# torch is installed first and pinned (constraints.txt) so nothing later pulls a multi-GB CUDA build:
# on machines with a local CPU wheel of torch 2.13.0 (pip's find-links) pip takes that file; elsewhere set
# TORCH_INDEX_URL (e.g. the PyTorch CPU index) to choose where torch comes from.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
fi
if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  echo "setup: installing torch (CPU)"
  "$VENV/bin/python" -m pip install -q ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} "torch==$(sed -n 's/^torch==//p' constraints.txt)"
fi
stamp="$VENV/.lamp-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  echo "setup: installing LaMP Studio and its dependencies"
  "$VENV/bin/python" -m pip install -q -c constraints.txt -e '.[dev]'
  touch "$stamp"
fi
