"""Reproducible training and evaluation of tactful's models (needs the ``train`` extra)."""
