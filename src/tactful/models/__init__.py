"""Offline models for what words alone can't catch: a fast linear tier over hashed n-grams,
distilled from a fine-tuned MiniLM teacher (int8 ONNX) that reads the posts the fast tier is
unsure of. See MODEL_CARD.md."""
