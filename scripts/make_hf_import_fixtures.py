"""Oracle fixtures for the Hugging Face importer (`thanora import`): tiny random models of real `transformers`
classes saved with save_pretrained, and their logits computed by transformers in float64 on batches with
padding. They cover what test/fixtures/hf lacks: Qwen3, Gemma, Gemma 2, Llama 3 / linear / YaRN / dynamic
rope scaling, attention and MLP biases, Phi-3 longrope with partial rotary and a sliding window, Qwen2
sliding-window layers, GPT-2 and BERT variants, a sharded checkpoint, float16 and bfloat16 checkpoints.
It also records chat templates rendered by transformers' apply_chat_template.

    /work/main/.venv-py/bin/python scripts/make_hf_import_fixtures.py [OUT] [--only name,...]

OUT defaults to test/fixtures/hf-import. One folder per case:
  hf_base/                     save_pretrained output (config.json + model.safetensors, or shards + index)
  batches.json                 {"batches": {name: {"input_ids", "attention_mask"}}}; right padding in some
                               rows; "left" batches pad on the left (their fully masked rows are NaN in
                               transformers' sdpa output and are left out of the comparison)
  expected_logits.safetensors  per batch: transformers' logits of the model in float64 (stored float32);
                               `<batch>.fp16` where the checkpoint is float16: transformers' own float16 logits
  meta.json                    the class, what the case exercises, attention implementation, versions
and chat-templates/ with templates.json and rendered.json.
"""
import argparse, json, os, shutil, sys, warnings

warnings.filterwarnings("ignore")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch
import transformers
from safetensors.torch import save_file

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))

BASE = dict(vocab_size=256, hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, max_position_embeddings=64, pad_token_id=0, bos_token_id=1, eos_token_id=2)

CASES = {
    "qwen3": dict(cls="Qwen3ForCausalLM", config="Qwen3Config", why="q/k norms, head_dim 24 != hidden/heads, sliding layer 1",
                  cfg=dict(BASE, head_dim=24, tie_word_embeddings=True, use_sliding_window=True, sliding_window=5, max_window_layers=1)),
    "gemma": dict(cls="GemmaForCausalLM", config="GemmaConfig", why="embed scale, (1+w) RMSNorm, GELU tanh, head_dim 32, MQA",
                  cfg=dict(BASE, num_key_value_heads=1, head_dim=32, hidden_act="gelu_pytorch_tanh")),
    "gemma2": dict(cls="Gemma2ForCausalLM", config="Gemma2Config", why="sandwich norms, softcaps, query_pre_attn_scalar, alternating windows",
                   cfg=dict(BASE, head_dim=16, sliding_window=5, query_pre_attn_scalar=24, attn_logit_softcapping=3.0,
                            final_logit_softcapping=2.0), attn="eager"),
    "llama3-rope": dict(cls="LlamaForCausalLM", config="LlamaConfig", why="Llama 3 rope scaling, attention and MLP biases, 8 heads of 8",
                        cfg=dict(BASE, num_attention_heads=8, num_key_value_heads=4, attention_bias=True, mlp_bias=True, tie_word_embeddings=True,
                                 rope_parameters=dict(rope_type="llama3", rope_theta=500000.0, factor=8.0, low_freq_factor=1.0,
                                                      high_freq_factor=4.0, original_max_position_embeddings=16))),
    "llama-linear-rope": dict(cls="LlamaForCausalLM", config="LlamaConfig", why="linear rope scaling, legacy rope_scaling + rope_theta fields",
                              cfg=dict(BASE, tie_word_embeddings=True), legacy_rope=dict(rope_scaling={"type": "linear", "factor": 2.0}, rope_theta=20000.0)),
    "llama-yarn": dict(cls="LlamaForCausalLM", config="LlamaConfig", why="YaRN rope scaling (attention factor on cos/sin)",
                       cfg=dict(BASE, tie_word_embeddings=True, rope_parameters=dict(rope_type="yarn", rope_theta=10000.0, factor=4.0,
                                                                                     original_max_position_embeddings=16))),
    "llama-dynamic": dict(cls="LlamaForCausalLM", config="LlamaConfig", why="dynamic NTK rope: the long batch exceeds max_position_embeddings",
                          cfg=dict(BASE, max_position_embeddings=16, tie_word_embeddings=True,
                                   rope_parameters=dict(rope_type="dynamic", rope_theta=10000.0, factor=2.0)), long_seq=20),
    "phi3-longrope": dict(cls="Phi3ForCausalLM", config="Phi3Config", why="longrope (short and long batches), partial rotary 0.5, sliding window 6",
                          cfg=dict(BASE, max_position_embeddings=64, original_max_position_embeddings=16, sliding_window=6,
                                   rope_parameters=dict(rope_type="longrope", rope_theta=10000.0, partial_rotary_factor=0.5,
                                                        short_factor=[1.0, 1.1, 1.3, 1.7], long_factor=[1.0, 2.0, 4.0, 8.0])), long_seq=20),
    "qwen2-sliding": dict(cls="Qwen2ForCausalLM", config="Qwen2Config", why="sliding-window layer from max_window_layers, q/k/v biases",
                          cfg=dict(BASE, use_sliding_window=True, sliding_window=4, max_window_layers=1)),
    "mistral-gqa": dict(cls="MistralForCausalLM", config="MistralConfig", why="MQA, head_dim 8 != hidden/heads, window 3",
                        cfg=dict(BASE, num_attention_heads=8, num_key_value_heads=1, head_dim=8, sliding_window=3)),
    "gpt2-variants": dict(cls="GPT2LMHeadModel", config="GPT2Config", why="scale by inverse layer index, exact GELU, n_inner",
                          cfg=dict(vocab_size=256, n_positions=32, n_embd=64, n_layer=2, n_head=4, n_inner=80, activation_function="gelu",
                                   scale_attn_by_inverse_layer_idx=True, bos_token_id=1, eos_token_id=2)),
    "bert-cls-2": dict(cls="BertForSequenceClassification", config="BertConfig", why="two labels, one token type, relu",
                       cfg=dict(vocab_size=256, hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=80,
                                max_position_embeddings=32, type_vocab_size=1, hidden_act="relu", num_labels=2, pad_token_id=0), kind="cls"),
    "roberta-cls": dict(cls="RobertaForSequenceClassification", config="RobertaConfig", why="positions from the ids (pad 1), classification head without pooler",
                        cfg=dict(vocab_size=256, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=80,
                                 max_position_embeddings=40, type_vocab_size=1, num_labels=3, pad_token_id=1, bos_token_id=0, eos_token_id=2), kind="cls"),
    "xlm-roberta-cls": dict(cls="XLMRobertaForSequenceClassification", config="XLMRobertaConfig", why="XLM-R: RoBERTa layout, GELU tanh",
                            cfg=dict(vocab_size=256, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=80, hidden_act="gelu_new",
                                     max_position_embeddings=40, type_vocab_size=1, num_labels=2, pad_token_id=1, bos_token_id=0, eos_token_id=2), kind="cls"),
    "llama-sharded": dict(cls="LlamaForCausalLM", config="LlamaConfig", why="sharded checkpoint (model.safetensors.index.json)",
                          cfg=dict(BASE, tie_word_embeddings=False), shard="60KB"),
    "llama-fp16": dict(cls="LlamaForCausalLM", config="LlamaConfig", why="float16 checkpoint", cfg=dict(BASE, tie_word_embeddings=False), save_dtype="float16"),
    "qwen2-bf16": dict(cls="Qwen2ForCausalLM", config="Qwen2Config", why="bfloat16 checkpoint", cfg=dict(BASE, tie_word_embeddings=True), save_dtype="bfloat16"),
}


def batches(spec, vocab, seed):
    g = torch.Generator().manual_seed(seed + 100)
    out = {}
    if spec.get("kind") == "cls":
        ids = torch.randint(3, vocab, (4, 9), generator=g); am = torch.ones_like(ids)
        am[-1, -3:] = 0; am[1, -2:] = 0; ids[am == 0] = spec["cfg"].get("pad_token_id", 0)
        out["right"] = (ids, am)
        return out
    ids = torch.randint(3, vocab, (3, 12), generator=g); am = torch.ones_like(ids)
    am[-1, -3:] = 0; am[1, -1:] = 0; ids[am == 0] = 0
    out["right"] = (ids, am)
    ids = torch.randint(3, vocab, (2, 10), generator=g); am = torch.ones_like(ids)
    am[1, :4] = 0; ids[am == 0] = 0
    out["left"] = (ids, am)
    if spec.get("long_seq"):
        ids = torch.randint(3, vocab, (2, spec["long_seq"]), generator=g); am = torch.ones_like(ids)
        am[1, -2:] = 0; ids[am == 0] = 0
        out["long"] = (ids, am)
    return out


def build(name, spec, seed):
    cfg_kwargs = dict(spec["cfg"])
    cfg = getattr(transformers, spec["config"])(**cfg_kwargs)
    cfg.use_cache = False
    if spec.get("attn"):
        cfg._attn_implementation = spec["attn"]
    torch.manual_seed(seed)
    model = getattr(transformers, spec["cls"])(cfg).eval()
    # HF's init leaves biases at 0 and norm weights at 1 (Gemma: 0); move every 1-D parameter, as training would.
    g = torch.Generator().manual_seed(seed + 7)
    with torch.no_grad():
        for _, p in model.named_parameters():
            if p.ndim == 1:
                p.add_(torch.randn(p.shape, generator=g) * 0.2)
            else:
                p.mul_(3.0)  # larger weights: attention far from uniform, every rotary frequency matters
    return model


def save_base(model, spec, d):
    base = os.path.join(d, "hf_base")
    dtype = spec.get("save_dtype")
    m = model.to(getattr(torch, dtype)) if dtype else model
    kwargs = {"max_shard_size": spec["shard"]} if spec.get("shard") else {}
    m.save_pretrained(base, safe_serialization=True, **kwargs)
    if spec.get("legacy_rope"):
        # transformers 5 writes rope_parameters; 4.x checkpoints on the Hub carry rope_scaling + rope_theta.
        path = os.path.join(base, "config.json")
        c = json.load(open(path))
        c.pop("rope_parameters", None)
        c.update(spec["legacy_rope"])
        json.dump(c, open(path, "w"), indent=2)
    return base


def make_case(name, out_root, seed):
    spec = CASES[name]
    d = os.path.join(out_root, name)
    shutil.rmtree(d, ignore_errors=True); os.makedirs(d)
    model = build(name, spec, seed)
    base = save_base(model, spec, d)
    # The oracle is the saved folder as transformers loads it, in float64.
    kwargs = {"attn_implementation": spec["attn"]} if spec.get("attn") else {}
    ref = getattr(transformers, spec["cls"]).from_pretrained(base, dtype=torch.float64, **kwargs).eval()
    vocab = ref.config.vocab_size
    bs = batches(spec, vocab, seed)
    expected, meta_extra = {}, {}
    with torch.no_grad():
        for bname, (ids, am) in bs.items():
            expected[bname] = ref(input_ids=ids, attention_mask=am).logits.to(torch.float32).contiguous()
        if spec.get("save_dtype") == "float16":
            half = getattr(transformers, spec["cls"]).from_pretrained(base, dtype=torch.float16).eval()
            for bname, (ids, am) in bs.items():
                expected[f"{bname}.fp16"] = half(input_ids=ids, attention_mask=am).logits.to(torch.float32).contiguous()
        if name == "gemma2":
            # transformers' default sdpa path skips attn_logit_softcapping; record how far that is from eager.
            sdpa = getattr(transformers, spec["cls"]).from_pretrained(base, dtype=torch.float64, attn_implementation="sdpa").eval()
            ids, am = bs["right"]
            diff = (sdpa(input_ids=ids, attention_mask=am).logits - ref(input_ids=ids, attention_mask=am).logits).abs().max().item()
            meta_extra["sdpa_vs_eager_max_abs"] = diff
    save_file(expected, os.path.join(d, "expected_logits.safetensors"))
    json.dump({"batches": {k: {"input_ids": v[0].tolist(), "attention_mask": v[1].tolist()} for k, v in bs.items()}},
              open(os.path.join(d, "batches.json"), "w"))
    meta = dict(name=name, model_class=spec["cls"], exercises=spec["why"], seed=seed,
                attn_implementation=ref.config._attn_implementation, checkpoint_dtype=spec.get("save_dtype", "float32"),
                torch=torch.__version__, transformers=transformers.__version__, **meta_extra)
    json.dump(meta, open(os.path.join(d, "meta.json"), "w"), indent=1)
    size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(d) for f in fs)
    print(f"{name}: {spec['why']}; {size / 1e6:.2f} MB", flush=True)


# Chat templates as the models' tokenizer_config.json files carry them (authored from those files).
TEMPLATES = {
    "llama3": dict(bos="<|begin_of_text|>", eos="<|eot_id|>", template=(
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + "
        "'<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}"
        "{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}")),
    "qwen2": dict(bos=None, eos="<|im_end|>", template=(
        "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}"
        "{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")),
    "qwen2.5": dict(bos=None, eos="<|im_end|>", template=(
        "{%- if tools %}\n    {{- '<|im_start|>system\\n' }}\n    {%- if messages[0]['role'] == 'system' %}\n        {{- messages[0]['content'] }}\n"
        "    {%- else %}\n        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}\n    {%- endif %}\n"
        "    {{- \"\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>\" }}\n"
        "    {%- for tool in tools %}\n        {{- \"\\n\" }}\n        {{- tool | tojson }}\n    {%- endfor %}\n"
        "    {{- \"\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\\"name\\\": <function-name>, \\\"arguments\\\": <args-json-object>}\\n</tool_call><|im_end|>\\n\" }}\n"
        "{%- else %}\n    {%- if messages[0]['role'] == 'system' %}\n        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n"
        "    {%- else %}\n        {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}\n    {%- endif %}\n{%- endif %}\n"
        "{%- for message in messages %}\n    {%- if (message.role == \"user\") or (message.role == \"system\" and not loop.first) or (message.role == \"assistant\" and not message.tool_calls) %}\n"
        "        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n    {%- elif message.role == \"assistant\" %}\n"
        "        {{- '<|im_start|>' + message.role }}\n        {%- if message.content %}\n            {{- '\\n' + message.content }}\n        {%- endif %}\n"
        "        {%- for tool_call in message.tool_calls %}\n            {%- if tool_call.function is defined %}\n                {%- set tool_call = tool_call.function %}\n            {%- endif %}\n"
        "            {{- '\\n<tool_call>\\n{\"name\": \"' }}\n            {{- tool_call.name }}\n            {{- '\", \"arguments\": ' }}\n            {{- tool_call.arguments | tojson }}\n"
        "            {{- '}\\n</tool_call>' }}\n        {%- endfor %}\n        {{- '<|im_end|>\\n' }}\n    {%- elif message.role == \"tool\" %}\n"
        "        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != \"tool\") %}\n            {{- '<|im_start|>user' }}\n        {%- endif %}\n"
        "        {{- '\\n<tool_response>\\n' }}\n        {{- message.content }}\n        {{- '\\n</tool_response>' }}\n"
        "        {%- if loop.last or (messages[loop.index0 + 1].role != \"tool\") %}\n            {{- '<|im_end|>\\n' }}\n        {%- endif %}\n    {%- endif %}\n{%- endfor %}\n"
        "{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n{%- endif %}\n")),
    "gemma": dict(bos="<bos>", eos="<eos>", template=(
        "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}"
        "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
        "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}"
        "{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}")),
    "phi3": dict(bos="<s>", eos="<|endoftext|>", template=(
        "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}"
        "{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'assistant' %}"
        "{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}")),
}

CONVERSATIONS = [
    [{"role": "user", "content": "reverse: stone"}, {"role": "assistant", "content": "enots"}],
    [{"role": "system", "content": "You reverse words."}, {"role": "user", "content": " reverse: apple \n"},
     {"role": "assistant", "content": "elppa"}, {"role": "user", "content": "and tiger?"}, {"role": "assistant", "content": "regit "}],
    [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello! How can I help?"}, {"role": "user", "content": "Count: 1 2 3"}],
]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
                                            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]


def make_chat_templates(out_root):
    from transformers import PreTrainedTokenizerFast
    d = os.path.join(out_root, "chat-templates")
    shutil.rmtree(d, ignore_errors=True); os.makedirs(d)
    tok_file = os.path.join(HERE, "..", "test", "fixtures", "hf", "train_assets", "tokenizer.json")
    rendered = []
    for name, t in TEMPLATES.items():
        tok = PreTrainedTokenizerFast(tokenizer_file=tok_file, bos_token=t["bos"], eos_token=t["eos"])
        tok.chat_template = t["template"]
        for i, conv in enumerate(CONVERSATIONS):
            for gen in (False, True):
                for tools in ([None, TOOLS] if name == "qwen2.5" else [None]):
                    try:
                        text = tok.apply_chat_template(conv, tokenize=False, add_generation_prompt=gen, tools=tools)
                        entry = dict(template=name, conversation=i, add_generation_prompt=gen, text=text)
                    except Exception as e:  # a template that refuses the conversation (Gemma: system role)
                        entry = dict(template=name, conversation=i, add_generation_prompt=gen, error=str(e))
                    if tools:
                        entry["tools"] = True
                    rendered.append(entry)
    json.dump({k: {"bos_token": v["bos"], "eos_token": v["eos"], "chat_template": v["template"]} for k, v in TEMPLATES.items()},
              open(os.path.join(d, "templates.json"), "w"), indent=1)
    json.dump({"conversations": CONVERSATIONS, "tools": TOOLS, "rendered": rendered, "transformers": transformers.__version__},
              open(os.path.join(d, "rendered.json"), "w"), indent=1)
    print(f"chat templates: {len(rendered)} renderings of {len(TEMPLATES)} templates", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?", default=os.path.join(HERE, "..", "test", "fixtures", "hf-import"))
    ap.add_argument("--only", default="")
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    names = [n for n in a.only.split(",") if n] or list(CASES) + ["chat-templates"]
    for n in names:
        if n == "chat-templates":
            make_chat_templates(a.out)
        else:
            make_case(n, a.out, a.seed)


if __name__ == "__main__":
    main()
