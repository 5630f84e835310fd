"""Detectors: each reads a post and returns findings. See :mod:`tactful.detectors.base`."""
