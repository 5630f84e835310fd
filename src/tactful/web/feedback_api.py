"""Feedback over HTTP: the composer's "This is wrong" on a finding, the account's feedback,
and undoing it. The same store code as ``tactful feedback``; the next check sees the change."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import Field

from tactful.web.api import MAX_PAGE, build_post, page
from tactful.web.schemas import Offset, PostIn, RowId
from tactful.web.state import app_state

router = APIRouter(prefix="/api", tags=["feedback"])


class FeedbackIn(PostIn):
    """The post as it was checked (the body of ``POST /api/check``, on a stored account), the
    finding's rule and words, and why it is wrong."""

    rule_id: str = Field(min_length=1, max_length=80, description="The finding's rule id.")
    words: str | None = Field(
        None, max_length=10_000, description="The words it points at (where there are several)."
    )
    reason: str = Field(min_length=1, max_length=2000, description="Why the finding is wrong.")
    whole_rule: bool = Field(False, description="Hide the rule on this account whatever the words.")
    confirm_exact: bool = Field(
        False, description="Needed for a blocking finding that rests on exact evidence."
    )


@router.post("/feedback", status_code=201, summary="Mark a finding as wrong for an account")
def mark_wrong(body: FeedbackIn, request: Request) -> dict[str, Any]:
    """The post is checked again as it would be on the account; the finding of ``rule_id``
    (on ``words``) is recorded with the reason and hidden on later checks of that account
    wherever the same words come back. Exact evidence at block needs ``confirm_exact`` and
    cannot be hidden for the whole rule."""
    from tactful.core.feedback import pick_finding
    from tactful.errors import InputError
    from tactful.store.feedback import mark_wrong as record

    if not body.account:
        raise InputError("feedback is kept per account: choose a stored account first")
    state = app_state(request)
    report = state.checker().check(build_post(body, state))
    finding = pick_finding(report, body.rule_id, body.words)
    with state.write() as s:
        saved = record(
            s,
            report,
            finding,
            reason=body.reason,
            actor=state.actor,
            scope="rule" if body.whole_rule else "words",
            confirm_exact=body.confirm_exact,
        )
    return saved.to_dict()


@router.get("/feedback", summary="Findings marked wrong (paginated, optionally one account's)")
def list_feedback(
    request: Request,
    account: str | None = Query(None, max_length=80),
    offset: Offset = 0,
    limit: int = Query(50, ge=1, le=MAX_PAGE),
) -> dict[str, Any]:
    from tactful.store.feedback import list_feedback as list_all

    with app_state(request).store.session() as s:
        return page([f.to_dict() for f in list_all(s, account)], offset, limit)


@router.delete("/feedback/{feedback_id}", summary="Remove feedback: the finding shows again")
def remove(feedback_id: RowId, request: Request) -> dict[str, Any]:
    from tactful.store.feedback import remove_feedback

    with app_state(request).write() as s:
        gone = remove_feedback(s, feedback_id)
    return gone.to_dict()
