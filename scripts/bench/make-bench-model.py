"""The benchmark models of `thanora bench`: a transformers model with a real model's shape and random weights
(seed 0), saved as a Hugging Face folder (OUT/hf) for the transformers + PEFT reference timing and, unless
--hf-only, exported to ONNX (OUT/model.onnx with its weights as external data) for the engine.

    .venv-py/bin/python scripts/bench/make-bench-model.py OUT --preset qwen2-0.5b|qwen2-1.5b|llama-bench [--hf-only]

The TorchScript exporter (opset 17) runs on a two-input subclass: transformers 5's forward() has a
`logits_to_keep` parameter that the exporter would turn into an input, and the logits would then cover one
position only. llama-bench has the shape of test/fixtures/bench-llama (d 256, 4 layers, 8 heads, FFN 688).
"""
import argparse, os, time
import torch
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

PRESETS = {
    "qwen2-0.5b": (Qwen2Config, Qwen2ForCausalLM, dict(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                   num_attention_heads=14, num_key_value_heads=2, tie_word_embeddings=True, rope_theta=1000000.0, rms_norm_eps=1e-6)),
    "qwen2-1.5b": (Qwen2Config, Qwen2ForCausalLM, dict(vocab_size=151936, hidden_size=1536, intermediate_size=8960, num_hidden_layers=28,
                   num_attention_heads=12, num_key_value_heads=2, tie_word_embeddings=True, rope_theta=1000000.0, rms_norm_eps=1e-6)),
    "llama-bench": (LlamaConfig, LlamaForCausalLM, dict(vocab_size=512, hidden_size=256, intermediate_size=688, num_hidden_layers=4,
                    num_attention_heads=8, num_key_value_heads=8, tie_word_embeddings=False)),
}

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--preset", required=True, choices=PRESETS)
ap.add_argument("--hf-only", action="store_true")
a = ap.parse_args()
config_class, model_class, shape = PRESETS[a.preset]
cfg = config_class(max_position_embeddings=4096, use_cache=False, attn_implementation="eager", **shape)


class TwoInputs(model_class):
    def forward(self, input_ids, attention_mask):
        return super().forward(input_ids=input_ids, attention_mask=attention_mask, use_cache=False).logits


torch.manual_seed(0)
model = TwoInputs(cfg).eval()
os.makedirs(a.out, exist_ok=True)
model.save_pretrained(os.path.join(a.out, "hf"))
started = time.time()
if not a.hf_only:
    ids = torch.randint(0, cfg.vocab_size, (1, 16))
    # Written under a temp name and renamed last, so a killed export never leaves a model.onnx behind.
    tmp = os.path.join(a.out, "export.tmp")
    os.makedirs(tmp, exist_ok=True)
    torch.onnx.export(model, (ids, torch.ones_like(ids)), os.path.join(tmp, "model.onnx"), input_names=["input_ids", "attention_mask"],
                      output_names=["logits"], opset_version=17, dynamo=False, external_data=True,
                      dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "seq"}})
    for f in os.listdir(tmp):
        if f != "model.onnx":
            os.replace(os.path.join(tmp, f), os.path.join(a.out, f))
    os.replace(os.path.join(tmp, "model.onnx"), os.path.join(a.out, "model.onnx"))
    os.rmdir(tmp)
params = sum(p.numel() for p in model.parameters())
print(f"{a.preset}: {params / 1e6:.0f}M parameters -> {a.out} ({time.time() - started:.0f} s)", flush=True)
