#!/usr/bin/env bash
# test/fixtures/job-run/: the run files of a real exported job (test/browser/dashboard.browser.test.ts imports it
# with `thanora import-run` and draws it). The experiment of test/support/hf-job-experiment.ts, made longer (40
# steps, an eval every 10 on the train examples, which the tiny model can learn), exported with
# `thanora export-job` and run by train.py on 2 gloo processes; job.json, config.json, metrics.jsonl and status.json
# are kept (the checkpoints are not: the dashboard does not read them).
# Use: scripts/make-job-run-fixture.sh   (needs the compiled project and $THANORA_PYTHON or .venv-py)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${THANORA_PYTHON:-.venv-py/bin/python}
python="$(cd "$(dirname "$python")" && pwd)/$(basename "$python")"  # absolute, the venv link kept
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
experiment=$(node -e "console.log(require('./out/test/support/hf-job-experiment.js').writeHfJobExperiment('$work/exp'))")
"$python" - "$experiment" <<'PY'
import json, sys
file = sys.argv[1]
config = json.load(open(file))
config["training"].update({"steps": 40, "evalEvery": 10, "checkpointEvery": 0, "lr": 0.02, "warmupSteps": 4, "gradClip": 1.0})
for task in config["tasks"]:
    task["eval"] = task["train"]
json.dump(config, open(file, "w"), indent=2)
PY
node bin/thanora.js export-job "$experiment" --target accelerate --out "$work/job-run" --hf-model "$PWD/test/fixtures/hf/hf-llama-ts/hf_base"
(cd "$work/job-run" && ACCELERATE_USE_CPU=true OMP_NUM_THREADS=1 nice "$python" -m accelerate.commands.launch --multi_gpu --num_processes 2 train.py)
rm -rf test/fixtures/job-run
mkdir -p test/fixtures/job-run
# The temporary experiment folder and this checkout are this machine's paths: the fixture names them /path/to/….
for f in job.json config.json metrics.jsonl status.json; do sed -e "s|$work/exp|/path/to/experiment|g" -e "s|$PWD/|/path/to/thanora-studio/|g" "$work/job-run/$f" > "test/fixtures/job-run/$f"; done
echo "test/fixtures/job-run: $(grep -c '"type": "step"' test/fixtures/job-run/metrics.jsonl) steps, $(grep -c '"type": "eval"' test/fixtures/job-run/metrics.jsonl) evals"
