"""Client names from the contacts list sharpen two rules: a sentence that names a client and
shares inside information is ``work.confidential``; one that tells a story at the client's
expense is ``work.client_story`` ("Acme's new CFO told us..." with Acme a client).

The cue words are data (``clients.yml``). Where the models scored the post, a client's name
also raises their score for the sentence: the name is what makes it identifiable.
"""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

import regex

from tactful.core.data import DataModel, Source, Text
from tactful.core.findings import Finding, Severity, Suggestion
from tactful.core.post import Post
from tactful.core.text import sentences
from tactful.detectors.base import DetectContext

MODEL_FLOOR = 0.3  # a model score this high plus a client's name is enough
RULES = {
    "confidential": (
        "work.confidential",
        "post names client {client} and shares what looks like inside information ({cue})",
        "Details a client shares in a meeting are theirs to announce. Naming the client makes "
        "the leak traceable to you and can breach your contract or an NDA.",
        "Leave out the client's name and the details until they are public",
    ),
    "story": (
        "work.client_story",
        "post tells a story about client {client} that they would not like to read ({cue})",
        "Clients read what you post. A story at a named client's expense tells every other "
        "client what you would say about them.",
        "Tell the lesson without the client: no name, no details that identify them",
    ),
}


class ClientCuesFile(DataModel):
    """``detectors/clients.yml``: the cue words of each group in :data:`RULES`."""

    confidential: tuple[Text, ...]
    story: tuple[Text, ...]


@cache
def _cues() -> dict[str, Any]:
    data = Source.package("tactful.detectors", "clients.yml").load(ClientCuesFile)
    out = {}
    for group in RULES:
        words: tuple[str, ...] = getattr(data, group)
        alts = "|".join(
            regex.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)
        )
        out[group] = regex.compile(rf"(?<!\w)(?:{alts})(?!\w)", regex.I)
    return out


@cache
def _names_pattern(names: tuple[str, ...]) -> regex.Pattern[str]:
    alts = "|".join(regex.escape(n) for n in names)
    return regex.compile(rf"(?<!\w)(?:{alts})(?:['’]s)?(?!\w)")


class ClientsDetector:
    """Inside information, and stories at a client's expense, in a sentence that names a client
    from the contacts list (with a store)."""

    name = "clients"
    rule_ids: ClassVar[tuple[str, ...]] = tuple(rule_id for rule_id, *_ in RULES.values())
    # A client's name raises what the rules and models scored for the sentence.
    after: ClassVar[tuple[str, ...]] = ("lexicon", "classifier")

    def detect(self, post: Post, ctx: DetectContext) -> list[Finding]:
        snapshot = ctx.store
        if snapshot is None or post.inbound:
            return []
        clients = snapshot.client_names()
        if not clients:
            return []
        names = _names_pattern(tuple(n for n, _ in clients))
        text = post.text
        out: list[Finding] = []
        spans = sentences(text)
        for i, (s, e) in enumerate(spans):
            hit = names.search(text, s, e)
            if hit is None:
                continue
            client = hit.group().removesuffix("'s").removesuffix("’s")
            # A short post often names the client in one sentence and says the rest in the
            # next ("Guess who called at 11pm again? Acme."): look one sentence either side.
            ws, we = spans[max(0, i - 1)][0], spans[min(len(spans) - 1, i + 1)][1]
            for group, (rule_id, message, why, fix) in RULES.items():
                cue = _cues()[group].search(text, s, e) or _cues()[group].search(text, ws, we)
                model = ctx.scores.get(rule_id, 0.0)
                if cue is None and model < MODEL_FLOOR:
                    continue
                found = [(hit.start(), hit.end())]
                if cue is not None:
                    found.append((cue.start(), cue.end()))
                score = 0.9 if cue is not None else min(1.0, model + 0.4)
                cue_text = f"“{cue.group()}”" if cue is not None else "the model's reading"
                out.append(
                    Finding(
                        rule_id=rule_id,
                        severity=Severity.BLOCK if group == "confidential" else Severity.WARN,
                        spans=tuple(sorted(set(found))),
                        score=score,
                        message="This " + message.format(client=client, cue=cue_text),
                        explanation=why,
                        suggestions=(
                            Suggestion("rewrite", fix),
                            Suggestion("remove", f"Remove the sentence naming {client}"),
                        ),
                        detector=self.name,
                        check=f"client:{group}",
                        matched=client,
                    )
                )
                ctx.add_score(rule_id, score)
        return out
