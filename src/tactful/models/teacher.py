"""The teacher: all-MiniLM-L6-v2 fine-tuned on every category, int8 ONNX, run with onnxruntime.

Written by ``python -m tactful.training.teacher`` into ``models/artifacts/``: ``teacher.onnx``
(input ids and attention mask in, one logit per category out) and ``teacher.json`` (the
categories, per-category thresholds chosen on the dev slice, the file's sha256). The file is
checked against that sha256 before it is used. It reads text as
:func:`tactful.models.features.mask_identity` leaves it (identity terms as ``[MASK]``), through
the BERT uncased WordPiece tokenizer that ships beside it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tactful.core.hashing import sha256_file
from tactful.errors import TactfulError

TEACHER_FILE = "teacher.onnx"
TEACHER_META = "teacher.json"
# all-MiniLM-L6-v2's tokenizer (BERT uncased WordPiece, Apache-2.0), shipped with tactful.
TOKENIZER = (
    "tactful.models",
    "artifacts/minilm-tokenizer.json",
    "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
)
MAX_TOKENS = 64  # 99% of real tweets fit; a longer post is judged on its first 64 tokens


class TeacherUnavailable(TactfulError):
    """The teacher model file is missing, unreadable or not the one trained."""


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


@cache
def tokenizer(max_tokens: int = MAX_TOKENS) -> Any:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(verified_file(*TOKENIZER)))
    tok.no_padding()
    tok.enable_truncation(max_tokens)
    return tok


class Teacher:
    """Per-category logits for texts already prepared (normalised, identity terms masked)."""

    def __init__(self, path: Path, *, expected_sha256: str | None, threads: int = 1):
        import onnxruntime as ort

        if not path.is_file():
            raise TeacherUnavailable(f"{path} is missing; reinstall tactful or run `make train`")
        if expected_sha256 is not None:
            actual = sha256_file(path)
            if actual != expected_sha256:
                raise TeacherUnavailable(
                    f"{path.name} has sha256 {actual[:12]}…, expected {expected_sha256[:12]}… "
                    f"(from {TEACHER_META}); reinstall tactful or run `make train`"
                )
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = tokenizer(MAX_TOKENS)

    @property
    def n_outputs(self) -> int:
        shape = self.session.get_outputs()[0].shape
        return int(shape[-1]) if isinstance(shape[-1], int) else 0

    def logits(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One row of logits per text, each text run on its own.

        The int8 model quantises its activations with one scale per run (dynamic
        quantisation), so a text scored in a batch gets a scale that depends on the other
        texts: up to 2 logits apart, and about 1 decision in 90 flipped, on real tweets. Run
        alone, a post gets the same answer whether it is checked as a draft or among a
        million in an audit, for about a fifth less throughput than batches of 32."""
        out = np.zeros((len(texts), self.n_outputs), dtype=np.float32)
        for row, encoding in enumerate(self.tokenizer.encode_batch(list(texts))):
            ids = np.asarray([encoding.ids], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
            out[row] = self.session.run(None, feed)[0][0]
        return out
