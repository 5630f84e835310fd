"""Which categories apply to a post, by who wrote it: one rule for training and run time.

An inbound message (someone writing to your page) is judged only on the inbound
categories; a reply on everything authored plus the engagement categories; any other post
on the authored categories.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def context_categories(categories: Sequence[str], *, inbound: bool, reply: bool) -> tuple[str, ...]:
    if inbound:
        return tuple(c for c in categories if c.startswith("inbound."))
    if reply:
        return tuple(c for c in categories if not c.startswith("inbound."))
    return tuple(c for c in categories if not c.startswith(("inbound.", "engagement.")))


def context_mask(categories: Sequence[str], *, inbound: bool, reply: bool) -> npt.NDArray[np.bool_]:
    allowed = set(context_categories(categories, inbound=inbound, reply=reply))
    return np.array([c in allowed for c in categories])
