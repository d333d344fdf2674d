"""What the Python suites share: the project root, running the `thanora` CLI, the relative difference the
suites' tolerances are stated in, train → merge, a padded batch and an ONNX model's logits."""
import os, subprocess

import numpy as np
import onnxruntime as ort
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "test", "fixtures")


def thanora(*args):
    """Runs `node bin/thanora.js ARGS…`; returns its stdout, or fails the test with its output."""
    out = subprocess.run(["node", os.path.join(ROOT, "bin", "thanora.js"), *args], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise AssertionError(f"thanora {' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return out.stdout


def rel(a, b):
    """max |a − b| / max |b|, in float64."""
    a = np.asarray(a, dtype=np.float64); b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))


def train_and_merge(experiment_file):
    """`thanora train` then `thanora merge` on the newest run of the experiment; returns the merged folder."""
    thanora("train", experiment_file)
    runs = os.path.join(os.path.dirname(experiment_file), "runs")
    run = os.path.join(runs, sorted(os.listdir(runs))[-1])
    thanora("merge", run)
    return os.path.join(run, "merged")


def padded_batch(vocab, width, pads, seed=5):
    """Token ids [len(pads), width] drawn from 3..vocab−1 with row i's last pads[i] positions padding (id 0,
    attention mask 0); returns (input_ids, attention_mask)."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(3, vocab, (len(pads), width), generator=g)
    am = torch.ones_like(ids)
    for row, pad in enumerate(pads):
        if pad:
            am[row, -pad:] = 0
    return ids.masked_fill(am == 0, 0), am


def onnx_logits(model_file, ids, am):
    """The model's `logits` on the CPU provider, as float64."""
    so = ort.SessionOptions(); so.intra_op_num_threads = 1; so.log_severity_level = 3
    s = ort.InferenceSession(model_file, so, providers=["CPUExecutionProvider"])
    return s.run(["logits"], {"input_ids": ids.numpy(), "attention_mask": am.numpy()})[0].astype(np.float64)
