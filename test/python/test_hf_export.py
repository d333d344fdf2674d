"""A whole run from a Hugging Face folder, checked with transformers: `thanora import --experiment` → `thanora
train` (method thanora) → `thanora merge`, then the merged Hugging Face folder (<run>/merged/hf) loads in
transformers and reproduces the merged ONNX model's logits (onnxruntime) within 1e-5 relative (max |Δ| / max
|ref|) in float32, and within 3e-3 for a float16 import; the run's PEFT export, loaded with peft.PeftModel on
the original folder, gives the same logits. Cases: the tiny transformers fixtures in
test/fixtures/hf (weights referenced in place, so the export links the merge's patched safetensors) and the
bfloat16 checkpoint of test/fixtures/hf-import (weights converted at import, so the export streams a new
model.safetensors).

    .venv-py/bin/python -m unittest discover -s test/python -p 'test_*.py'

Needs Node with the compiled project (`npm ci`) and a Python environment with torch, transformers and
onnxruntime (scripts/python-env.sh or shared/tools/python-env.sh).
"""
import json, os, shutil, tempfile, unittest, warnings

warnings.filterwarnings("ignore")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import peft
import torch
import transformers

from suite_support import FIXTURES, onnx_logits, padded_batch, rel, thanora, train_and_merge

TOKENIZER = os.path.join(FIXTURES, "hf", "train_assets", "tokenizer.json")
torch.set_num_threads(1)


def run_from_hf(hf_base, work, dtype="float32"):
    """import → train → merge; returns the merged folder."""
    src = os.path.join(work, "hf")
    shutil.copytree(hf_base, src)
    shutil.copy(TOKENIZER, os.path.join(src, "tokenizer.json"))
    exp = os.path.join(work, "exp")
    thanora("import", src, "--experiment", exp, "--dtype", dtype)
    cfg_file = os.path.join(exp, "thanora.json")
    cfg = json.load(open(cfg_file))
    cfg["training"].update(steps=8, warmupSteps=1, evalEvery=0, checkpointEvery=0, lr=0.01)
    cfg["lora"].update(r=4, alpha=8)
    cfg["device"] = "cpu"
    json.dump(cfg, open(cfg_file, "w"))
    return train_and_merge(cfg_file)


class MergedHuggingFaceFolder(unittest.TestCase):
    def check(self, hf_base, cls_name, dtype="float32", tol=1e-5, expect_weights=None, check_peft=True):
        with tempfile.TemporaryDirectory() as work:
            merged = run_from_hf(hf_base, work, dtype)
            report = json.load(open(os.path.join(merged, "merge-report.json")))
            self.assertTrue(report["pass"])
            hf_dir = report["outputs"]["huggingFace"]
            self.assertEqual(hf_dir, os.path.join(merged, "hf"))
            if expect_weights:
                self.assertEqual(sorted(f for f in os.listdir(hf_dir) if f.endswith(".safetensors")), expect_weights)
            model = getattr(transformers, cls_name).from_pretrained(hf_dir, dtype=torch.float32).eval()
            tok = transformers.PreTrainedTokenizerFast.from_pretrained(hf_dir)
            self.assertGreater(len(tok), 100)
            ids, am = padded_batch(min(model.config.vocab_size, len(tok)), 10, (0, 2, 4))
            with torch.no_grad():
                hf = model(input_ids=ids, attention_mask=am).logits.double().numpy()
            ours = onnx_logits(os.path.join(merged, "model.onnx"), ids, am)
            base = onnx_logits(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(merged))), "model", "model.onnx"), ids, am)
            if hf.ndim == 3:  # padded positions are not compared: they attend only to what padding allows
                keep = am.numpy().astype(bool)
                hf, ours, base = hf[keep], ours[keep], base[keep]
            self.assertLess(rel(ours, hf), tol, f"merged ONNX vs transformers on {hf_dir}")
            self.assertGreater(rel(base, hf), 10 * tol, "training must have changed the model")
            if not check_peft:
                return
            # The PEFT export of the same run loads against the original Hugging Face folder.
            original = getattr(transformers, cls_name).from_pretrained(os.path.join(work, "hf"), dtype=torch.float32)
            peft_model = peft.PeftModel.from_pretrained(original, merged).eval()
            with torch.no_grad():
                adapted = peft_model(input_ids=ids, attention_mask=am).logits.double().numpy()
            if adapted.ndim == 3:
                adapted = adapted[keep]
            self.assertLess(rel(adapted, ours), max(tol, 1e-5), f"PEFT adapter on the original folder vs merged ONNX")

    def test_llama_linked_safetensors(self):
        self.check(os.path.join(FIXTURES, "hf", "hf-llama-ts", "hf_base"), "LlamaForCausalLM", expect_weights=["model.safetensors"])

    def test_qwen2_tied_head(self):
        self.check(os.path.join(FIXTURES, "hf", "hf-qwen2-ts", "hf_base"), "Qwen2ForCausalLM")

    def test_phi3_fused(self):
        self.check(os.path.join(FIXTURES, "hf", "hf-phi3-ts", "hf_base"), "Phi3ForCausalLM")

    def test_gpt2_conv1d(self):
        self.check(os.path.join(FIXTURES, "hf", "hf-gpt2-ts", "hf_base"), "GPT2LMHeadModel")

    def test_bert_classifier(self):
        self.check(os.path.join(FIXTURES, "hf", "hf-bert-cls-ts", "hf_base"), "BertForSequenceClassification", check_peft=False)

    def test_roberta_classifier(self):
        # The head is a module with two linear layers (classifier.dense, classifier.out_proj): exported as PEFT's
        # SEQ_CLS modules_to_save entry "classifier".
        self.check(os.path.join(FIXTURES, "hf-import", "roberta-cls", "hf_base"), "RobertaForSequenceClassification")

    # The PEFT export of a classification run: task_type SEQ_CLS and the trained classifier as modules_to_save.
    def test_bert_classifier_peft_export(self):
        self.check(os.path.join(FIXTURES, "hf", "hf-bert-cls-ts", "hf_base"), "BertForSequenceClassification")

    def test_sharded(self):
        shards = sorted(f for f in os.listdir(os.path.join(FIXTURES, "hf-import", "llama-sharded", "hf_base")) if f.endswith(".safetensors"))
        self.check(os.path.join(FIXTURES, "hf-import", "llama-sharded", "hf_base"), "LlamaForCausalLM", expect_weights=shards)

    def test_bfloat16_checkpoint_written_as_float32(self):
        self.check(os.path.join(FIXTURES, "hf-import", "qwen2-bf16", "hf_base"), "Qwen2ForCausalLM", expect_weights=["model.safetensors"])

    def test_float16_import(self):
        self.check(os.path.join(FIXTURES, "hf", "hf-llama-ts", "hf_base"), "LlamaForCausalLM", dtype="float16", tol=3e-3)


if __name__ == "__main__":
    unittest.main()
