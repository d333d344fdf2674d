#!/usr/bin/env bash
# The exported training job against our engine (test/python/test_export_job.py): `thanora export-job`, train.py
# under accelerate on 1 and 2 CPU processes, `thanora train`, import-run, merge, PEFT. Needs the compiled project
# (`npm run test:job` compiles first) and a Python with torch, transformers, peft, accelerate and safetensors:
# $THANORA_PYTHON, else .venv-py/bin/python (scripts/python-env.sh makes it).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${THANORA_PYTHON:-.venv-py/bin/python}
if ! "$python" -c 'import torch, transformers, peft, accelerate, safetensors, onnxruntime' 2>/dev/null; then
  echo "test:job: $python cannot import torch, transformers, peft, accelerate, safetensors and onnxruntime (test/python/suite_support.py); run scripts/python-env.sh or set THANORA_PYTHON" >&2
  exit 1
fi
exec nice -n 10 "$python" -m unittest discover -v -s test/python -p 'test_export_job.py'
