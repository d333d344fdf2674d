"""ThanoRA training job: continues the run exported by `thanora export-job` with transformers + PEFT + torch.

Launch (see README.md):  accelerate launch --config_file accelerate/ddp.yaml train.py
Reads job.json, data/, residual.safetensors and checkpoints/step-00000000 (the local HASI initialization), and
writes metrics.jsonl, status.json and checkpoints/step-N in the ThanoRA run-folder format, so the synced folder is
a run: `thanora import-run`, `thanora merge`, `thanora train --resume` read it.
Same rules and records as the engine: xoshiro128** mixer streams derived from the seed, HF causal-LM loss (mean over counted
tokens), L = L_task + λ·L_SPR, AdamW (torch), warmup + cosine/linear/constant, global-norm clipping, gradient
accumulation as one batch of all micro-batch rows; the subspace-angle diagnostics at the engine's cadence.
"""
import argparse, contextlib, json, math, os, time
import torch
from safetensors.torch import load_file, save_file

MASK32 = 0xFFFFFFFF


# ---- the engine's seeded streams (src/core/data/rng.ts), bit for bit ----
def _imul(a, b):
    return (a * b) & MASK32


def splitmix32(x):
    t = (x + 0x9E3779B9) & MASK32
    t = _imul(t ^ (t >> 16), 0x21F0AAAD)
    t = _imul(t ^ (t >> 15), 0x735A2D97)
    return (t ^ (t >> 15)) & MASK32


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & MASK32


def _hash_label(label):
    text = f"#{label}" if isinstance(label, int) else label
    h = 0x811C9DC5
    for unit in text.encode("utf-16-le")[::2]:  # UTF-16 code units (ASCII labels)
        h = _imul(h ^ unit, 0x01000193)
    return h


class Rng:
    def __init__(self, words):
        self.s = list(words)

    @staticmethod
    def from_seed(seed):
        words, x = [], seed
        for _ in range(4):
            x = splitmix32(x)
            words.append(x)
        if not any(words):
            words[0] = 1
        return Rng(words)

    @staticmethod
    def derive(seed, *labels):
        h = splitmix32(seed)
        for label in labels:
            h = splitmix32(h ^ _hash_label(label))
        return Rng.from_seed(h)

    def next_uint32(self):
        s0, s1, s2, s3 = self.s
        result = _imul(_rotl(_imul(s1, 5), 7), 9)
        t = (s1 << 9) & MASK32
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
        s3 = _rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def next_float(self):
        high = self.next_uint32() >> 5
        low = self.next_uint32() >> 6
        return (high * 67108864 + low) / 9007199254740992

    def next_int(self, n):
        limit = 0x100000000 - (0x100000000 % n)
        u = self.next_uint32()
        while u >= limit:
            u = self.next_uint32()
        return u % n

    def pick_weighted(self, weights):
        x = self.next_float() * sum(weights)
        for i, w in enumerate(weights):
            x -= w
            if x < 0:
                return i
        return max(i for i, w in enumerate(weights) if w > 0)

    def permutation(self, n):
        order = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.next_int(i + 1)
            order[i], order[j] = order[j], order[i]
        return order


class TaskMixer:
    """src/core/data/task-mixer.ts: each row draws a task, then the task's next example in its epoch's order."""

    def __init__(self, sizes, weights, mode, seed):
        self.sizes, self.seed = sizes, seed
        mass = [w * n if mode == "proportional" else w for n, w in zip(sizes, weights)]
        self.probabilities = [m / sum(mass) for m in mass]
        self.draws = Rng.derive(seed, "mix")
        self.streams = [{"epoch": 0, "cursor": 0, "order": self._order(t, 0)} for t in range(len(sizes))]

    def _order(self, task, epoch):
        return Rng.derive(self.seed, "order", task, epoch).permutation(self.sizes[task])

    def next(self, rows):
        drawn = []
        for _ in range(rows):
            task = self.draws.pick_weighted(self.probabilities)
            s = self.streams[task]
            if s["cursor"] == len(s["order"]):
                s["epoch"] += 1; s["cursor"] = 0; s["order"] = self._order(task, s["epoch"])
            drawn.append((task, s["order"][s["cursor"]])); s["cursor"] += 1
        return drawn

    def get_state(self):
        return {"draws": {"algorithm": "xoshiro128**", "words": list(self.draws.s)}, "streams": [{"epoch": s["epoch"], "cursor": s["cursor"]} for s in self.streams]}

    def set_state(self, state):
        self.draws = Rng(state["draws"]["words"])
        self.streams = [{"epoch": s["epoch"], "cursor": s["cursor"], "order": self._order(t, s["epoch"])} for t, s in enumerate(state["streams"])]


def collate(examples, pad_id, padding, seq_length):
    """src/core/data/collate.ts: right padding; labels −100 on padding."""
    length = seq_length if padding == "fixed" else max(len(e["input_ids"]) for e, _ in examples)
    ids = torch.full((len(examples), length), pad_id, dtype=torch.long)
    mask = torch.zeros((len(examples), length), dtype=torch.long)
    labels = torch.full((len(examples), length), -100, dtype=torch.long)
    tasks = torch.tensor([t for _, t in examples], dtype=torch.long)
    for row, (e, _) in enumerate(examples):
        n = len(e["input_ids"])
        ids[row, :n] = torch.tensor(e["input_ids"]); mask[row, :n] = 1; labels[row, :n] = torch.tensor(e["labels"])
    return ids, mask, labels, tasks


def lr_at(t, tr):
    """src/core/optim/lr-schedule.ts, t = the optimizer's step count after the update."""
    peak, total, warm = tr["lr"], tr["totalSteps"], tr["warmupSteps"]
    if t <= warm:
        return peak if warm == 0 else peak * t / warm
    if tr["schedule"] == "constant":
        return peak
    p = 1.0 if total == warm else min(1.0, (t - warm) / (total - warm))
    return peak * (0.5 * (1 + math.cos(math.pi * p)) if tr["schedule"] == "cosine" else 1 - p)


# ---- SPR (docs/thanora-method.md §2) ----
# L_SPR = (1/M) Σ_modules Σ_{i<j} ‖Â_i Â_jᵀ‖² + ‖B̂_iᵀ B̂_j‖²; Â rows / (‖row‖ + 1e-8), B̂ columns likewise.
def overlap(rows, sizes):
    """Σ_{i<j} ‖X̂_i X̂_jᵀ‖_F² over row blocks of X [Σ r_t, d]."""
    hat = rows / (rows.norm(dim=1, keepdim=True) + 1e-8)
    blocks = torch.split(hat, sizes, dim=0)
    total = hat.new_zeros(())
    for i in range(len(blocks)):
        for j in range(i + 1, len(blocks)):
            total = total + (blocks[i] @ blocks[j].T).pow(2).sum()
    return total


class GatheredSpr:
    """Each side's term is taken from the weight while it is gathered (a forward pre-hook on lora_A / lora_B, so
    it is the full tensor under FSDP and ZeRO-3 too). Its value and gradient g are computed there; the loss gets
    value + ⟨w, g⟩ − ⟨w, g⟩.detach(), whose backward needs only g, not w (which may be resharded by then)."""

    def __init__(self, model, spec):
        self.terms, self.count = [], len(spec["modules"])
        sides = spec["spr"]["sides"]
        for m in spec["modules"]:
            sizes = m["taskRanks"]
            if len(sizes) < 2:
                continue
            layer = model.get_submodule("base_model.model." + m["peftName"])
            if sides in ("both", "A"):
                layer.lora_A["default"].register_forward_pre_hook(self._hook(lambda w, s=sizes: overlap(w[: sum(s)], s)))
            if sides in ("both", "B"):
                layer.lora_B["default"].register_forward_pre_hook(self._hook(lambda w, s=sizes: overlap(w[:, : sum(s)].T, s)))

    def _hook(self, side):
        def hook(module, _inputs):
            if not torch.is_grad_enabled():
                return  # an eval forward: no loss to add to
            w = module.weight
            with torch.enable_grad():
                free = w.detach().clone().requires_grad_(True)
                value = side(free)
                (g,) = torch.autograd.grad(value, free)
            self.terms.append(value.detach() + (w * g).sum() - (w.detach() * g).sum())
        return hook

    def take(self):
        """L_SPR of the forward just run (its gradient flows into the weights)."""
        terms, self.terms = self.terms, []
        return torch.stack(terms).sum() / self.count


# ---- subspace diagnostics (docs/thanora-method.md §5; src/core/method/adapter-diagnostics.ts) ----
# Per module and task pair: principal angles θ_k = arccos σ_k(Q_iᵀ Q_j) between span(A_iᵀ) and span(A_jᵀ), and
# between span(B_i) and span(B_j), mean and min in degrees (null for a block that spans nothing); per layer the
# means over its modules; Roy–Vetterli effective rank exp(−Σ p ln p), p = σ / Σσ, of each block B_k A_k and of
# B A, from σ(R_B R_Aᵀ) (B_k = Q_B R_B, A_kᵀ = Q_A R_A), so d_out × d_in is never formed. float64.
def _column_basis(x):
    if x.shape[1] == 0:
        return x
    u, s, _ = torch.linalg.svd(x, full_matrices=False)
    rank = 0
    while rank < s.numel() and s[rank] > 1e-10 * s[0] and s[rank] > 0:
        rank += 1
    return u[:, :rank]


def _angles(x, y):
    qx, qy = _column_basis(x), _column_basis(y)
    if qx.shape[1] == 0 or qy.shape[1] == 0:
        return math.nan, math.nan
    theta = torch.rad2deg(torch.arccos(torch.linalg.svdvals(qx.T @ qy).clamp(-1, 1)))
    return theta.mean().item(), theta.min().item()


def _effective_rank(b, a):
    if b.shape[1] == 0 or b.shape[0] < b.shape[1] or a.shape[1] < a.shape[0]:
        s = torch.linalg.svdvals(b @ a)
    else:
        s = torch.linalg.svdvals(torch.linalg.qr(b).R @ torch.linalg.qr(a.T).R.T)
    total = s.abs().sum()
    if total == 0:
        return 0.0
    p = s.abs() / total
    p = p[p > 0]
    return math.exp(-(p * p.log()).sum().item())


def _finite_mean(values):
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else math.nan


def _null_nan(v):
    return None if isinstance(v, float) and math.isnan(v) else v


def angles_event(step, spec, weights):
    """The engine's AnglesEvent from {peftName: (A [r, d_in], B [d_out, r])} in float64."""
    modules = []
    for m in spec["modules"]:
        a, b = weights[m["peftName"]]
        offsets = [sum(m["taskRanks"][:t]) for t in range(len(m["taskRanks"]))]
        blocks = [(o, r) for o, r in zip(offsets, m["taskRanks"])]
        pairs = []
        for i in range(len(blocks)):
            for j in range(i + 1, len(blocks)):
                (oi, ri), (oj, rj) = blocks[i], blocks[j]
                mean_a, min_a = _angles(a[oi:oi + ri].T, a[oj:oj + rj].T)
                mean_b, min_b = _angles(b[:, oi:oi + ri], b[:, oj:oj + rj])
                pairs.append({"pair": [i, j], "meanA": mean_a, "minA": min_a, "meanB": mean_b, "minB": min_b})
        coop_offset, coop = sum(m["taskRanks"]), m["cooperativeRank"]
        ranks = {"tasks": [_effective_rank(b[:, o:o + r], a[o:o + r]) for o, r in blocks],
                 "cooperative": _effective_rank(b[:, coop_offset:coop_offset + coop], a[coop_offset:coop_offset + coop]) if coop > 0 else None,
                 "delta": _effective_rank(b, a)}
        modules.append({"module": m["peftName"], "layer": m["layer"], "pairs": pairs, "effectiveRank": ranks})
    layers = {}
    for m in modules:
        if m["layer"] >= 0:
            layers.setdefault(m["layer"], []).append(m)
    layer_rows = []
    for layer, group in layers.items():
        keys = list(dict.fromkeys(tuple(p["pair"]) for g in group for p in g["pairs"]))
        rows = []
        for key in keys:
            same = [p for g in group for p in g["pairs"] if tuple(p["pair"]) == key]
            rows.append({"pair": list(key), **{f: _finite_mean([p[f] for p in same]) for f in ("meanA", "minA", "meanB", "minB")}})
        layer_rows.append({"layer": layer, "pairs": rows})
    for row in [p for m in modules for p in m["pairs"]] + [p for l in layer_rows for p in l["pairs"]]:
        for f in ("meanA", "minA", "meanB", "minB"):
            row[f] = _null_nan(row[f])
    return {"type": "angles", "step": step, "modules": modules, "layers": layer_rows}


def angles_interval(total_steps):
    """About 20 points per run, as the engine (training-run.ts anglesInterval); JS Math.round rounds .5 up."""
    return max(1, math.floor(total_steps / 20 + 0.5))


def whole(t):
    """The whole tensor on every process: FSDP2's shards (a DTensor) gathered (collective), anything else as it is."""
    return t.full_tensor() if hasattr(t, "full_tensor") else t


def adapter_weights(model, spec):
    """{peftName: (A, B)} float64 on the CPU, whole (every process calls it); `model` is the unwrapped PEFT model."""
    out = {}
    with torch.no_grad():
        for m in spec["modules"]:
            layer = model.get_submodule("base_model.model." + m["peftName"])
            a, b = (whole(layer.lora_A["default"].weight), whole(layer.lora_B["default"].weight))
            out[m["peftName"]] = (a.detach().double().cpu().clone(), b.detach().double().cpu().clone())
    return out


def adam_slots(model, optimizer):
    """AdamW's moments keyed like the engine's (`<module>.lora_A.weight/m`, `/v`), whole, and its step count, so that
    `thanora train --resume` continues a checkpoint. Every process calls it, in the optimizer's parameter order (FSDP2
    gathers each moment); `model` is the unwrapped PEFT model, `optimizer` the torch one."""
    names = {id(p): n for n, p in model.named_parameters()}
    slots, steps = {}, 0
    for group in optimizer.param_groups:
        for p in group["params"]:
            state = optimizer.state.get(p)
            if not state:
                continue
            n = names[id(p)].replace("base_model.model.", "").replace(".default.weight", ".weight")
            for key, slot in (("exp_avg", "m"), ("exp_avg_sq", "v")):
                slots[f"{n}/{slot}"] = whole(state[key]).detach().float().cpu().reshape(-1).contiguous()
            steps = int(state["step"])
    return slots, steps


# ---- eval (src/core/train/evaluate.ts) and the best checkpoint (src/core/train/best-checkpoint.ts) ----
def _completion_start(labels):
    """Where the completion starts: the first position i > 0 whose label counts."""
    return next((i for i in range(1, len(labels)) if labels[i] != -100), len(labels))


def _right_padded(rows, pad_id, device):
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r); mask[i, :len(r)] = 1
    return ids.to(device), mask.to(device)


def greedy_generate(model, prompts, max_new_tokens, eos_id, pad_id, batch_size, device):
    """src/core/generate/greedy-generate.ts: no key/value cache, right-padded rows re-run each step; the argmax (first
    of equal maxima) at each row's last real position; a row stops after emitting eos_id (kept)."""
    out = []
    for start in range(0, len(prompts), batch_size):
        rows = [list(p) for p in prompts[start:start + batch_size]]
        generated, done = [[] for _ in rows], [False] * len(rows)
        for _ in range(max_new_tokens):
            if all(done):
                break
            ids, mask = _right_padded(rows, pad_id, device)
            logits = model(input_ids=ids, attention_mask=mask).logits.float()
            for i, r in enumerate(rows):
                if done[i]:
                    continue
                nxt = int(torch.argmax(logits[i, len(r) - 1]))
                r.append(nxt); generated[i].append(nxt)
                done[i] = nxt == eos_id
        out.extend(generated)
    return out


@torch.no_grad()
def evaluate_tasks(model, names, evals, tr, device):
    """Per task: mean loss over counted completion tokens (logits[t] predict labels[t+1], float64 log-softmax of the
    float32 logits) and exact match of the greedy completion; tasks without eval examples are left out."""
    results = []
    bs, pad = tr["evalBatchSize"], tr["padId"]
    for name, examples in zip(names, evals):
        if not examples:
            continue
        loss_sum, counted = 0.0, 0
        for start in range(0, len(examples), bs):
            chunk = examples[start:start + bs]
            ids, mask = _right_padded([e["input_ids"] for e in chunk], pad, device)
            logp = torch.log_softmax(model(input_ids=ids, attention_mask=mask).logits.float().double(), dim=-1)
            for i, e in enumerate(chunk):
                target = torch.tensor(e["labels"][1:], dtype=torch.long, device=device)
                keep = target != -100
                rows = logp[i, : len(target)][keep]
                loss_sum -= rows.gather(1, target[keep].unsqueeze(1)).sum().item()
                counted += int(keep.sum())
        starts = [_completion_start(e["labels"]) for e in examples]
        prompts = [e["input_ids"][:k] for e, k in zip(examples, starts)]
        wants = [e["input_ids"][k:] for e, k in zip(examples, starts)]
        generated = greedy_generate(model, prompts, max(len(w) for w in wants), tr["eosId"], pad, bs, device)
        correct = sum(1 for g, w in zip(generated, wants) if g[:len(w)] == w)
        results.append({"task": name, "loss": loss_sum / counted if counted else math.nan, "accuracy": correct / len(examples), "examples": len(examples)})
    return results


def best_metric_value(metric, tasks):
    """"mean-accuracy" | "mean-loss": the mean over the tasks; "accuracy:<task>" | "loss:<task>": that task's."""
    quantity, _, task = metric.partition(":")
    quantity = quantity.replace("mean-", "")
    value = lambda t: t["loss"] if quantity == "loss" else t["accuracy"]
    if not task:
        return sum(value(t) for t in tasks) / len(tasks)
    found = [t for t in tasks if t["task"] == task]
    if not found:
        raise SystemExit(f'training.best.metric "{metric}": the eval has no task "{task}" (tasks: {", ".join(t["task"] for t in tasks)})')
    return value(found[0])


def _to_fixed4(x):
    """JavaScript's x.toFixed(4) for x ≥ 0: the exact binary value rounded half up (Python's format rounds half even)."""
    from decimal import ROUND_HALF_UP, Decimal
    return str(Decimal(x).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


class BestTracker:
    """The step-0 eval is the reference, not a candidate; a new best is strictly better (a tie keeps the earlier step);
    patience > 0 evals without a new best end the run early."""

    def __init__(self, setting):
        self.setting, self.record = setting, None

    def on_eval(self, step, tasks):
        """(improved, early-stop message or None)."""
        if step == 0:
            return False, None
        metric = self.setting["metric"]
        value = best_metric_value(metric, tasks)
        if self.record is None or (value < self.record["value"] if metric.startswith(("loss", "mean-loss")) else value > self.record["value"]):
            self.record = {"metric": metric, "value": value, "step": step, "checkpoint": os.path.join("checkpoints", f"step-{step:08d}"), "evalsSince": 0}
            return True, None
        self.record = {**self.record, "evalsSince": self.record["evalsSince"] + 1}
        b, patience = self.record, self.setting["patience"]
        if patience > 0 and b["evalsSince"] >= patience:
            return False, f"early stop: {b['metric']} did not improve for {b['evalsSince']} evals (best {_to_fixed4(b['value'])} at step {b['step']})"
        return False, None


# ---- divergence warnings (src/core/train/divergence-monitor.ts) ----
# uniform: the run was clearly better than guessing (best ≤ 0.9·ln K, best = its lowest step or mean eval loss) and
# the mean task loss of the last 10 steps lost 90% of that advantage: mean ≥ ln K − 0.1·(ln K − best).
# rising-eval: the mean eval loss over tasks rose at each of the last 2 evals. Each rule once per run.
class DivergenceMonitor:
    WINDOW = 10

    def __init__(self):
        self.classes, self.recent, self.best, self.evals, self.reported = None, [], math.inf, [], set()

    def on_step(self, step, task_loss):
        self.best = min(self.best, task_loss)
        self.recent = (self.recent + [task_loss])[-self.WINDOW:]
        if len(self.recent) < self.WINDOW:
            return None
        mean, uniform = sum(self.recent) / len(self.recent), math.log(self.classes)
        if self.best > 0.9 * uniform or mean < uniform - 0.1 * (uniform - self.best):
            return None
        return self._once("uniform", step, f"the mean loss of the last {self.WINDOW} steps is {_to_fixed4(mean)}, back at the loss of predicting all "
                          f"{self.classes} classes alike (ln {self.classes} = {_to_fixed4(uniform)}) after reaching {_to_fixed4(self.best)}")

    def on_eval(self, step, task_losses):
        finite = [v for v in task_losses if v is not None and math.isfinite(v)]
        if not finite:
            return None
        mean = sum(finite) / len(finite)
        self.best = min(self.best, mean)
        self.evals.append(mean)
        last = self.evals[-3:]
        if len(last) <= 2 or not all(b > a for a, b in zip(last, last[1:])):
            return None
        return self._once("rising-eval", step, f"the mean eval loss rose at each of the last 2 evals: {' → '.join(_to_fixed4(v) for v in last)}")

    def _once(self, rule, step, what):
        if rule in self.reported:
            return None
        self.reported.add(rule)
        return {"type": "warning", "step": step, "rule": rule, "message": f"training may have diverged at step {step}: {what}; lower training.lr or raise warmupSteps"}


def main():
    from accelerate import Accelerator
    from peft import LoraConfig, get_peft_model, set_peft_model_state_dict
    import transformers

    ap = argparse.ArgumentParser()
    ap.add_argument("--job", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--hf-model", help="the Hugging Face model folder on this machine (default: job.json's hfModel)")
    args = ap.parse_args()
    job = args.job
    spec = json.load(open(os.path.join(job, "job.json")))
    tr = spec["training"]
    torch.manual_seed(tr["seed"])
    acc = Accelerator()
    rank, world = acc.process_index, acc.num_processes
    if rank == 0:
        print(f"train.py: {world} process(es), {acc.distributed_type.name}", flush=True)
    if acc.distributed_type.name == "DEEPSPEED":
        # accelerate's DeepSpeed wrapper steps the engine inside backward(), scales the loss by 1/gradient_accumulation_steps
        # and clips by the DeepSpeed config, none of which matches this loop's accumulation, schedule and clipping.
        raise SystemExit("train.py does not run under DeepSpeed yet: use accelerate/ddp.yaml (replicated adapters) or accelerate/fsdp.yaml (sharded base)")
    if acc.distributed_type.name == "FSDP" and not getattr(acc, "is_fsdp2", False):
        # FSDP1 flattens each wrapped layer's parameters: the optimizer's moments are shards of flat buffers that
        # adam_slots cannot put back together, and torch runs FSDP1 on accelerators only, so it is untested here.
        raise SystemExit("train.py runs FSDP as FSDP2 only: set fsdp_version: 2 in the accelerate config (see accelerate/fsdp.yaml)")
    if os.environ.get("WORLD_SIZE", str(world)) != str(world):
        # e.g. `accelerate launch --multi_gpu` on a CPU machine: each process would train alone and write the same files.
        raise SystemExit(f"torchrun started {os.environ['WORLD_SIZE']} processes but accelerate sees {world}: on a machine without GPUs set ACCELERATE_USE_CPU=true")
    if tr["batchSize"] < world:
        raise SystemExit(f"batchSize {tr['batchSize']} < {world} processes: every process needs a row of each micro-batch")

    model = getattr(transformers, spec["hfClassName"]).from_pretrained(args.hf_model or spec["hfModel"], dtype=torch.float32)
    if spec["residual"]:
        # W' = W + (W' − W): the frozen base the local init subtracted its task blocks from. The deltas are
        # [d_out, d_in] (nn.Linear); transformers' Conv1D (GPT-2) stores its weight as [d_in, d_out].
        from transformers.pytorch_utils import Conv1D
        deltas = load_file(os.path.join(job, "residual.safetensors"))
        with torch.no_grad():
            for m in spec["modules"]:
                delta = deltas[m["weightKey"]]
                p = model.get_parameter(m["weightKey"])
                p.add_(delta.T if isinstance(model.get_submodule(m["peftName"]), Conv1D) else delta)
    names = [m["peftName"] for m in spec["modules"]]
    model = get_peft_model(model, LoraConfig(r=spec["lora"]["r"], lora_alpha=spec["lora"]["alpha"], target_modules=names, lora_dropout=0.0, bias="none"))
    init_dir = os.path.join(job, spec["initCheckpoint"])
    set_peft_model_state_dict(model, load_file(os.path.join(init_dir, "adapter_model.safetensors")))
    spr = GatheredSpr(model, spec) if spec["spr"] else None
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=tr["lr"], betas=(0.9, 0.999), eps=1e-8, weight_decay=tr["weightDecay"], foreach=False)
    model, optimizer = acc.prepare(model, optimizer)

    read_lines = lambda name: [json.loads(line) for line in open(os.path.join(job, name))]
    data = [read_lines(t["file"]) for t in spec["tasks"]]
    evals = [read_lines(t["evalFile"]) for t in spec["tasks"]]
    mixer = TaskMixer([len(d) for d in data], [t["weight"] for t in spec["tasks"]], tr["mixing"], tr["seed"])
    mixer.set_state(json.load(open(os.path.join(init_dir, "trainer_state.json")))["mixer"])
    run = RunWriter(job, spec) if rank == 0 else None
    T = len(spec["tasks"])
    best = BestTracker(tr["best"])
    divergence = DivergenceMonitor()
    diverged = None  # the warning that stops the run under training.onDivergence "stop"

    def watch(warning):
        nonlocal diverged
        if warning:
            if run:
                run.event(warning)
            if tr["onDivergence"] == "stop" and diverged is None:
                diverged = warning

    # Under FSDP every process must take part in each forward (it gathers the layer); under DDP the module itself.
    eval_model = model if acc.distributed_type.name == "FSDP" else acc.unwrap_model(model)

    def evaluate(step):
        """The engine's eval, run alike by every process; rank 0's result decides, so all agree on best and stop."""
        from accelerate.utils import broadcast_object_list
        model.eval()
        tasks = evaluate_tasks(eval_model, [t["name"] for t in spec["tasks"]], evals, tr, acc.device)
        model.train()
        tasks = broadcast_object_list([tasks])[0] if world > 1 else tasks
        if run:
            run.event({"type": "eval", "step": step, "tasks": [{**t, "loss": _null_nan(t["loss"])} for t in tasks]})
        watch(divergence.on_eval(step, [t["loss"] for t in tasks]))
        # A diverged eval under onDivergence "stop" gets no checkpoint, so it cannot be the best.
        return (False, None) if diverged else best.on_eval(step, tasks)

    def checkpoint(step, is_best):
        state = acc.get_state_dict(model)  # gathers shards (FSDP full state dict)
        slots = adam_slots(acc.unwrap_model(model), optimizer.optimizer)
        if run:
            run.checkpoint(step, state, slots, mixer.get_state(), is_best, best.record)

    # The engine's cadence (training-run.ts train): angles at step 0, every angles_interval steps and at the end (only
    # with task pairs to compare); eval at step 0 and every evalEvery steps when evalEvery > 0, and at the end; a
    # checkpoint every checkpointEvery steps, after an eval that is a new best, and at the end; an early stop
    # (training.best.patience) ends the run right after its eval, with a checkpoint of that step.
    every_angles = angles_interval(tr["totalSteps"]) if any(len(m["taskRanks"]) >= 2 for m in spec["modules"]) else 0
    every = lambda n, step: n > 0 and step % n == 0

    def angles(step):
        weights = adapter_weights(acc.unwrap_model(model), spec)
        if run:
            run.event(angles_event(step, spec, weights))

    done, best_pending, early_stop = 0, False, None
    try:
        if every_angles:
            angles(0)
        if tr["evalEvery"] > 0:
            best_pending, early_stop = evaluate(0)
        for step in range(1, tr["totalSteps"] + 1):
            if diverged:
                break
            lr = lr_at(step, tr)
            t0 = time.time()
            micro = [collate([(data[t][i], t) for t, i in mixer.next(tr["batchSize"])], tr["padId"], tr["padding"], tr["seqLength"]) for _ in range(tr["gradAccumulation"])]
            counts = [(lab[:, 1:] != -100).sum().item() for _, _, lab, _ in micro]
            total = sum(counts)
            if total == 0:
                raise SystemExit(f"step {step}: no micro-batch has a counted label (all −100)")
            sums = torch.zeros(T, dtype=torch.float64); per_count = torch.zeros(T, dtype=torch.float64)
            spr_value = None
            for k, (ids, mask, labels, tasks) in enumerate(micro):
                ids, mask, labels, tasks = (x[rank::world].to(acc.device) for x in (ids, mask, labels, tasks))
                with acc.no_sync(model) if k < len(micro) - 1 else contextlib.nullcontext():
                    logits = model(input_ids=ids, attention_mask=mask).logits.float()
                    divergence.classes = logits.shape[-1]
                    # HF convention: logits[:, :-1] predict labels[:, 1:]; −100 not counted.
                    target = labels[:, 1:]
                    token_loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=-100, reduction="none").view(target.shape)
                    counted = (target != -100)
                    local_sum = token_loss.sum()
                    # DDP averages gradients over the processes: world·Σ_local/N averages to Σ_all/N.
                    loss = local_sum * world / total
                    if spr:
                        term = spr.take()
                        spr_value = term.item()
                        loss = loss + spec["spr"]["lambda"] * term * counts[k] / total
                    acc.backward(loss)
                row_tasks = tasks.view(-1, 1).expand_as(target)
                for t in range(T):
                    sel = counted & (row_tasks == t)
                    sums[t] += token_loss.detach()[sel].double().sum().cpu(); per_count[t] += sel.sum().item()
            sums, per_count = acc.reduce(sums.to(acc.device), "sum").cpu(), acc.reduce(per_count.to(acc.device), "sum").cpu()
            task_loss = (sums.sum() / total).item()
            # Global norm over all trained parameters (clipped when gradClip > 0; max_norm = ∞ only measures it). All
            # of model.parameters(), so that under FSDP accelerate takes the sharded norm (frozen ones have no grad).
            grad_norm = float(whole(acc.clip_grad_norm_(model.parameters(), tr["gradClip"] if tr["gradClip"] > 0 else math.inf)))
            if not math.isfinite(grad_norm):
                raise SystemExit(f"step {step}: the gradient norm is {grad_norm}; training diverged — lower training.lr")
            for group in optimizer.param_groups:
                group["lr"] = lr
            optimizer.step(); optimizer.zero_grad(set_to_none=True)
            done = step
            if run:
                present = {t for *_, tasks in micro for t in tasks.tolist()}
                loss_value = task_loss + (spec["spr"]["lambda"] * spr_value if spr else 0.0)
                ms = (time.time() - t0) * 1000
                tokens = sum(int(m.sum()) for _, m, _, _ in micro)
                run.event({"type": "step", "step": step, "time": _now(), "loss": loss_value, "taskLoss": task_loss,
                           "perTaskLoss": [(sums[t] / per_count[t]).item() if t in present and per_count[t] > 0 else None for t in range(T)],
                           "sprLoss": spr_value, "lr": lr, "gradNorm": grad_norm, "tokensPerSecond": tokens / (ms / 1000), "stepMs": ms})
            watch(divergence.on_step(step, task_loss))
            if every(every_angles, step):
                angles(step)
            if every(tr["evalEvery"], step) and step < tr["totalSteps"]:
                best_pending, early_stop = evaluate(step)
            if early_stop:
                break
            if (every(tr["checkpointEvery"], step) or best_pending) and step < tr["totalSteps"] and not diverged:
                checkpoint(step, best_pending)
                best_pending = False
            acc.wait_for_everyone()
        if not diverged:
            if not early_stop:
                if every_angles and not every(every_angles, done):
                    angles(done)
                best_pending, early_stop = evaluate(done)
            checkpoint(done, best_pending)
    except BaseException as e:
        # As the engine records a failure: an end event and status.json say "failed" and why (import-run shows it).
        if run:
            run.end("failed", done, str(e) if isinstance(e, SystemExit) else f"{type(e).__name__}: {e}")
        raise
    if run:
        # Diverged: the weights after the warning are not checkpointed; the last checkpoint precedes it.
        run.end("diverged", done, diverged["message"]) if diverged else run.end("finished", done, early_stop=early_stop)


def _now():
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


class RunWriter:
    """metrics.jsonl and status.json (src/protocol/run-events.ts) and checkpoints/step-N, written by rank 0."""

    def __init__(self, job, spec):
        self.job, self.spec, self.last = job, spec, spec["initCheckpoint"]
        self.best = None  # the BestTracker's record as of the last checkpoint (status.json "best")
        tr = spec["training"]
        self.event({"type": "start", "time": _now(), "runId": spec["runId"], "method": spec["method"], "label": spec["label"],
                    "tasks": [t["name"] for t in spec["tasks"]], "modules": [m["peftName"] for m in spec["modules"]],
                    "layers": [m["layer"] for m in spec["modules"]], "totalSteps": tr["totalSteps"], "rank": spec["lora"]["r"],
                    "provider": "cuda" if torch.cuda.is_available() else "cpu", "fromStep": 0})
        if spec.get("allocation"):
            self.event({"type": "allocation", "step": 0, "modules": spec["allocation"]})
        self.status("running", 0)

    def _atomic(self, name, text):
        tmp = f"{name}.tmp-{os.getpid()}-0"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, name)

    def event(self, e):
        with open(os.path.join(self.job, "metrics.jsonl"), "a") as f:
            f.write(json.dumps(e) + "\n")

    def status(self, state, step, error=None):
        self._atomic(os.path.join(self.job, "status.json"), json.dumps({"state": state, "runId": self.spec["runId"], "step": step,
                     "totalSteps": self.spec["training"]["totalSteps"], "lastCheckpoint": self.last,
                     **({"best": self.best} if self.best and state != "failed" else {}), "updated": _now(), **({"error": error} if error else {})}))

    def checkpoint(self, step, state, adam, mixer_state, is_best, best_record):
        """`state`: the model's whole state dict; `adam`: adam_slots(); both gathered by every process."""
        import shutil
        init = os.path.join(self.job, self.spec["initCheckpoint"])
        name = f"step-{step:08d}"
        final = os.path.join(self.job, "checkpoints", name)
        tmp = f"{final}.tmp-{os.getpid()}-0"
        os.makedirs(tmp)
        adapter = {}
        for m in self.spec["modules"]:
            for side in ("A", "B"):
                key = f"base_model.model.{m['peftName']}.lora_{side}.weight"
                adapter[key] = state[f"base_model.model.{m['peftName']}.lora_{side}.default.weight"].detach().float().cpu().contiguous()
        slots, steps = adam
        save_file(adapter, os.path.join(tmp, "adapter_model.safetensors"), metadata={"format": "pt"})
        save_file(slots, os.path.join(tmp, "optimizer.safetensors"), metadata={"adamw.step": str(steps)})
        if os.path.exists(os.path.join(init, "init_adapter.safetensors")):
            shutil.copyfile(os.path.join(init, "init_adapter.safetensors"), os.path.join(tmp, "init_adapter.safetensors"))
        # The run record (method, blocks, module map, step) lives in thanora_adapter.json beside PEFT's own config.
        record = json.load(open(os.path.join(init, "thanora_adapter.json")))
        record["thanora"]["step"] = step
        # extra.best: the best so far, so that `thanora train --resume` continues it (best-checkpoint.ts).
        json.dump({"step": step, "totalSteps": self.spec["training"]["totalSteps"], "rng": None, "mixer": mixer_state,
                   "extra": {"best": best_record} if best_record else {}}, open(os.path.join(tmp, "trainer_state.json"), "w"))
        json.dump(record, open(os.path.join(tmp, "thanora_adapter.json"), "w"), indent=2)
        shutil.copyfile(os.path.join(init, "adapter_config.json"), os.path.join(tmp, "adapter_config.json"))
        if os.path.exists(final):
            shutil.rmtree(final)
        os.rename(tmp, final)
        self.last, self.best = os.path.join("checkpoints", name), best_record
        self.event({"type": "checkpoint", "step": step, "path": self.last, **({"best": True} if is_best else {})})
        self.status("running", step)

    def end(self, state, step, error=None, early_stop=None):
        self.event({"type": "end", "step": step, "time": _now(), "state": state, **({"error": error} if error else {}),
                    **({"earlyStop": early_stop} if early_stop else {})})
        self.status(state, step, error)


if __name__ == "__main__":
    main()
