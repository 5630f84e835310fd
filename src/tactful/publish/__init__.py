"""Scheduling and publishing: the outbox in the store, the check gate, the worker that
claims due posts, and one connector per network."""
