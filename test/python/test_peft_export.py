"""The project's PEFT exports, loaded by real PEFT: `thanora train` (method thanora) on a fixture's ONNX export,
`thanora merge`, then `peft.PeftModel.from_pretrained(<the fixture's transformers model>, <run>/merged)`:

- loads with no warning from PEFT or transformers (any warning fails the test);
- adapts exactly the modules the run trained (its merge report) and, for a classifier, wraps the head in
  modules_to_save with the trained weights;
- gives the merged ONNX model's logits (onnxruntime) within 1e-5 relative (max |Δ| / max |ref|, float32; padded
  positions of a causal LM are not compared), while the base model is more than 10× that away (the run changed it).

Cases: a causal LM (hf-llama-ts, LlamaForCausalLM) and a sequence classifier whose head PEFT trains as
modules_to_save (hf-bert-cls-mts-ts, BertForSequenceClassification).

    npm run test:peft        (THANORA_PYTHON picks the interpreter; default .venv-py/bin/python)

Needs Node with the compiled project and a Python environment with torch, transformers, peft and onnxruntime
(scripts/python-env.sh).
"""
import json, logging, os, tempfile, unittest, warnings

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "warning")

import peft
import torch
import transformers

from suite_support import FIXTURES, onnx_logits, padded_batch, rel, train_and_merge

HF = os.path.join(FIXTURES, "hf")
ASSETS = os.path.join(HF, "train_assets")
TOL = 1e-5
torch.set_num_threads(1)


def classification_tasks(work):
    """Two small text classification tasks (3 and 2 classes) in the fixture tokenizer's alphabet."""
    words = ["mouse", "dragon", "island", "zebra", "apple", "water", "stone", "river"]
    tasks = []
    for name, classes, shift in (("three", 3, 0), ("two", 2, 5)):
        f = os.path.join(work, f"{name}.jsonl")
        with open(f, "w") as out:
            for k in range(24):
                out.write(json.dumps({"text": f"{words[k % 8]} {words[(3 * k + shift) % 8]}", "label": (k + shift) % classes}) + "\n")
        tasks.append({"name": name, "train": f, "eval": f, "format": "classification"})
    return tasks


def train_and_merge_fixture(work, fixture, tasks, targets):
    exp = os.path.join(work, "thanora.json")
    config = {
        "baseModel": os.path.join(HF, fixture, "model.onnx"),
        "tokenizer": os.path.join(ASSETS, "tokenizer.json"),
        "tasks": tasks,
        "lora": {"targets": targets, "r": 4, "alpha": 8},
        "method": {"name": "thanora", "previewSamples": 8},
        "training": {"steps": 6, "batchSize": 4, "seqLength": 24, "lr": 0.01, "warmupSteps": 1, "evalEvery": 0, "checkpointEvery": 0, "seed": 3},
        "device": "cpu", "threads": 1, "output": "runs",
    }
    with open(exp, "w") as f:
        json.dump(config, f)
    return train_and_merge(exp)


class WarningsSeen(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(f"{record.name}: {record.getMessage()}")


def load_peft(model_class, hf_base, adapter_dir):
    """PeftModel.from_pretrained, failing on any Python warning or warning-level log record."""
    base = getattr(transformers, model_class).from_pretrained(hf_base, dtype=torch.float32)
    seen = WarningsSeen()
    loggers = [logging.getLogger(n) for n in ("peft", "transformers", "")]
    for lg in loggers:
        lg.addHandler(seen)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = peft.PeftModel.from_pretrained(base, adapter_dir).eval()
    finally:
        for lg in loggers:
            lg.removeHandler(seen)
    problems = [f"{w.category.__name__}: {w.message}" for w in caught] + seen.records
    if problems:
        raise AssertionError("PEFT warned while loading the export:\n" + "\n".join(problems))
    return model


class PeftLoadsTheExport(unittest.TestCase):
    def check(self, fixture, model_class, tasks, targets, head=None):
        hf_base = os.path.join(HF, fixture, "hf_base")
        with tempfile.TemporaryDirectory() as work:
            merged = train_and_merge_fixture(work, fixture, tasks(work) if callable(tasks) else tasks, targets)
            with open(os.path.join(merged, "merge-report.json")) as f:
                report = json.load(f)
            self.assertTrue(report["pass"], report["verification"])
            model = load_peft(model_class, hf_base, merged)

            adapted = sorted(n.removeprefix("base_model.model.") for n, m in model.named_modules() if isinstance(m, peft.tuners.lora.LoraLayer))
            self.assertEqual(adapted, sorted(m["name"] for m in report["modules"]), "PEFT adapts exactly the trained modules")
            if head:
                wrapped = [n for n, m in model.named_modules() if type(m).__name__ == "ModulesToSaveWrapper"]
                self.assertEqual([n.removeprefix("base_model.model.") for n in wrapped], [head])
                trained = model.get_submodule(f"base_model.model.{head}").modules_to_save["default"].weight
                original = getattr(transformers, model_class).from_pretrained(hf_base, dtype=torch.float32).get_submodule(head).weight
                self.assertGreater(float((trained - original).abs().max().detach()), 1e-4, "the head was trained and loaded")

            ids, am = padded_batch(model.config.vocab_size, 12, (0, 2, 5))
            with torch.no_grad():
                ours_peft = model(input_ids=ids, attention_mask=am).logits.double().numpy()
            merged_onnx = onnx_logits(os.path.join(merged, "model.onnx"), ids, am)
            base_onnx = onnx_logits(os.path.join(HF, fixture, "model.onnx"), ids, am)
            if ours_peft.ndim == 3:  # padded positions attend only to what padding allows: not compared
                keep = am.numpy().astype(bool)
                ours_peft, merged_onnx, base_onnx = ours_peft[keep], merged_onnx[keep], base_onnx[keep]
            self.assertLess(rel(merged_onnx, ours_peft), TOL, "merged ONNX vs PEFT on the transformers base")
            self.assertGreater(rel(base_onnx, ours_peft), 10 * TOL, "the run must have changed the model")

    def test_causal_lm_llama(self):
        tasks = [{"name": n, "train": os.path.join(ASSETS, "data", f"{n}.train.jsonl"), "eval": os.path.join(ASSETS, "data", f"{n}.eval.jsonl")} for n in ("upper", "reverse")]
        self.check("hf-llama-ts", "LlamaForCausalLM", tasks, ["q_proj", "v_proj", "down_proj"])

    def test_sequence_classifier_bert_with_head(self):
        self.check("hf-bert-cls-mts-ts", "BertForSequenceClassification", classification_tasks, ["query", "value"], head="classifier")


if __name__ == "__main__":
    unittest.main()
