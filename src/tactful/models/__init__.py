"""Offline models for what words alone can't catch: a fast linear tier over hashed n-grams and
a MiniLM tier (int8 ONNX) that runs where the fast tier is unsure. See MODEL_CARD.md."""
