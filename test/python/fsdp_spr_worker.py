"""One process of test_export_job.SprUnderFsdp (started by torchrun, gloo): train.py's model setup with each decoder
layer and the root sharded by FSDP2 (torch's fully_shard, what accelerate/fsdp.yaml's fsdp_version 2 applies),
train.py's GatheredSpr, one forward and backward of L = L_task + λ·L_SPR on one batch; rank 0 writes the loss,
L_SPR and the gradient of every LoRA weight, gathered whole (DTensor.full_tensor), to argv[2] as JSON.
With argv[1] == "unsharded" it runs the same without FSDP, in one process: the reference.
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
    (task_loss + spec["spr"]["lambda"] * term).backward()
    grads = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            g = p.grad.full_tensor() if hasattr(p.grad, "full_tensor") else p.grad
            grads[name] = g.reshape(-1).tolist()
    sharded = [n for n, p in model.named_parameters() if p.requires_grad and hasattr(p, "full_tensor")]
    if mode == "unsharded" or dist.get_rank() == 0:
        with open(out_file, "w") as f:
            json.dump({"taskLoss": task_loss.item(), "spr": term.item(), "grads": grads, "shardedLora": len(sharded),
                       "world": dist.get_world_size() if mode == "fsdp" else 1}, f)
    if mode == "fsdp":
        dist.destroy_process_group()


if __name__ == "__main__":
    main(*sys.argv[1:5])
