"""Checks run off the event loop, a few at a time.

A check is CPU work: run on the event loop, one long text would stall every other request,
``/healthz`` included. Each check runs in a worker thread instead, and at most ``at_once``
run together; the rest wait their turn without holding a thread, so the threads that serve
every other route stay free. :data:`CHECKS_AT_ONCE` by default: as many as there are cores,
between 2 and 4.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import TypeVar

import anyio
from anyio import to_thread

_T = TypeVar("_T")
CHECKS_AT_ONCE = max(2, min(4, os.cpu_count() or 2))


class CheckSlots:
    def __init__(self, at_once: int | None = None):
        self.at_once = at_once or CHECKS_AT_ONCE
        # A limiter belongs to the event loop it was made in (a test client may start several).
        self._limiter: tuple[asyncio.AbstractEventLoop, anyio.CapacityLimiter] | None = None

    def _current(self) -> anyio.CapacityLimiter:
        loop = asyncio.get_running_loop()
        if self._limiter is None or self._limiter[0] is not loop:
            self._limiter = (loop, anyio.CapacityLimiter(self.at_once))
        return self._limiter[1]

    async def run(self, work: Callable[[], _T]) -> _T:
        """``work()`` in a worker thread, once one of the ``at_once`` places is free."""
        return await to_thread.run_sync(work, limiter=self._current())
