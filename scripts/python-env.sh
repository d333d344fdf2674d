#!/usr/bin/env bash
# The Python environment for oracles, the PEFT/transformers suites and reference timings (never for the product):
# torch (CPU), transformers, peft, accelerate, onnx, onnxruntime, onnxscript and safetensors, installed offline
# from the wheel folders pip is configured with on this kind of machine (`pip config list`).
# Use: scripts/python-env.sh [VENV_DIR]   (default .venv-py; prints the venv's python last)
set -euo pipefail
venv=${1:-.venv-py}
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import torch, transformers, peft, accelerate, onnx, onnxruntime, safetensors' 2>/dev/null; then
  echo "$venv/bin/python"
  exit 0
fi
conf=$(pip config list 2>/dev/null || true)
index=$(printf '%s\n' "$conf" | sed -n "s/^global.extra-index-url='\(.*\)'$/\1/p" | awk '{print $1}')
links=$(printf '%s\n' "$conf" | sed -n "s/^global.find-links='\(.*\)'$/\1/p")
[ -n "$index" ] || { echo "python-env: pip has no local wheel index configured on this machine (pip config list)" >&2; exit 1; }
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check --index-url "$index" ${links:+--find-links "$links"} \
  torch transformers peft accelerate onnx onnxruntime onnxscript safetensors numpy >&2
echo "$venv/bin/python"
