"""One process of test_export_job.SprUnderFsdp2 (started by torchrun, gloo): train.py's model (base + residual + the
step-0 adapter) with each decoder layer and the root sharded by FSDP2 (torch's fully_shard, which accelerate applies
for accelerate/fsdp.yaml), train.py's GatheredSpr, one forward and backward of L = L_task + λ·L_SPR on one batch
(the same on every process), the global gradient norm clipped to 1, one AdamW step; then train.py's gathering
helpers. Rank 0 writes to argv[2] as JSON: the losses, L_SPR, the norm, each LoRA weight's gradient (whole), the
weights after the step (adapter_weights) and AdamW's moments (adam_slots).
argv[1] "unsharded": the same in one process without FSDP (the reference); "no-spr": that without the SPR term.
"""
import importlib.util, json, os, sys

import torch
import torch.distributed as dist
import transformers
from peft import LoraConfig, get_peft_model, set_peft_model_state_dict
from safetensors.torch import load_file

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def main(mode, out_file, job, hf_model):
    sys.dont_write_bytecode = True
    spec_ = importlib.util.spec_from_file_location("exported_train", os.path.join(job, "train.py"))
    train = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(train)
    spec = json.load(open(os.path.join(job, "job.json")))
    torch.manual_seed(0)
    model = transformers.LlamaForCausalLM.from_pretrained(hf_model, dtype=torch.float32)
    with torch.no_grad():
        for key, delta in load_file(os.path.join(job, "residual.safetensors")).items():
            model.get_parameter(key).add_(delta)
    model = get_peft_model(model, LoraConfig(r=spec["lora"]["r"], lora_alpha=spec["lora"]["alpha"], target_modules=[m["peftName"] for m in spec["modules"]], lora_dropout=0.0, bias="none"))
    set_peft_model_state_dict(model, load_file(os.path.join(job, spec["initCheckpoint"], "adapter_model.safetensors")))
    spr = train.GatheredSpr(model, spec)
    lam = 0.0 if mode == "no-spr" else spec["spr"]["lambda"]
    if mode == "fsdp":
        dist.init_process_group("gloo")
        from torch.distributed.fsdp import fully_shard
        for layer in model.base_model.model.model.layers:
            fully_shard(layer)
        fully_shard(model)
    examples = [json.loads(line) for line in open(os.path.join(job, spec["tasks"][0]["file"]))][:4]
    ids, mask, labels, _ = train.collate([(e, 0) for e in examples], spec["training"]["padId"], "longest", 32)
    logits = model(input_ids=ids, attention_mask=mask).logits.float()
    task_loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1), ignore_index=-100)
    term = spr.take()
    (task_loss + lam * term).backward()
    trained = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    grads = {n: train.whole(p.grad).reshape(-1).tolist() for n, p in trained}
    # What accelerate's clip_grad_norm_ calls for parameters on one device mesh.
    norm = float(train.whole(torch.nn.utils.clip_grad_norm_([p for _, p in trained], 1.0)))
    optimizer = torch.optim.AdamW([p for _, p in trained], lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1, foreach=False)
    optimizer.step()
    slots, steps = train.adam_slots(model, optimizer)
    weights = {k: [a.reshape(-1).tolist(), b.reshape(-1).tolist()] for k, (a, b) in train.adapter_weights(model, spec).items()}
    if mode != "fsdp" or dist.get_rank() == 0:
        with open(out_file, "w") as f:
            json.dump({"taskLoss": task_loss.item(), "spr": term.item(), "gradNorm": norm, "grads": grads, "weights": weights,
                       "slots": {k: v.tolist() for k, v in slots.items()}, "adamSteps": steps,
                       "shardedLora": sum(1 for _, p in trained if hasattr(p, "full_tensor")), "world": dist.get_world_size() if mode == "fsdp" else 1}, f)
    if mode == "fsdp":
        dist.destroy_process_group()


if __name__ == "__main__":
    main(*sys.argv[1:5])
