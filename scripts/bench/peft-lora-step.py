"""Reference timing for `thanora bench`: one LoRA training step with what users pick instead, transformers + PEFT
+ torch.optim.AdamW on a Hugging Face folder: LoRA r on every linear module but the head (PEFT's "all-linear"),
alpha 2r, dropout 0, SDPA attention, random tokens, loss on every position.

    .venv-py/bin/python scripts/bench/peft-lora-step.py HF_FOLDER --batch 2 --seq 128 --rank 16 --threads 2 --steps 3

Prints one JSON line: median and min ms per step (after one warm-up step), set-up seconds (load → ready for the
first step) and the process's peak RSS.
"""
import argparse, json, resource, statistics, time
import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

ap = argparse.ArgumentParser()
ap.add_argument("folder")
ap.add_argument("--batch", type=int, default=2)
ap.add_argument("--seq", type=int, default=128)
ap.add_argument("--rank", type=int, default=16)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--steps", type=int, default=3)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
started = time.perf_counter()
model = AutoModelForCausalLM.from_pretrained(a.folder, attn_implementation="sdpa")
model.config.use_cache = False
model = get_peft_model(model, LoraConfig(r=a.rank, lora_alpha=2 * a.rank, target_modules="all-linear", lora_dropout=0.0))
model.train()
optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
ids = torch.randint(0, model.config.vocab_size, (a.batch, a.seq))
mask = torch.ones_like(ids)
setup = time.perf_counter() - started
times = []
for step in range(a.steps + 1):
    t = time.perf_counter()
    loss = model(input_ids=ids, attention_mask=mask, labels=ids).loss
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step >= 1:
        times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"threads": a.threads, "stepMs": statistics.median(times), "minMs": min(times), "setupS": setup,
                  "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "torch": torch.__version__}))
