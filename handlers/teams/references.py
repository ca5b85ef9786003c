"""Conversation references: where the bot can reach a person or a channel in Teams without being spoken to.

Written at install (``conversationUpdate``) and refreshed at every contact (Teams may move a tenant to
another service URL); read by proactive delivery. A person is known by their identity (see
:func:`handlers.teams.app.identity_of`); a channel by its conversation id (the governance channel's id is the
digest channel a meeting series names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from models import ReferenceKind, TeamsConversationRef, Workspace
from models.db import insert_missing

__all__ = ["Where", "find", "remember", "set_personal_conversation"]


@dataclass(frozen=True, slots=True)
class Where:
    """What an activity says about where it came from."""

    service_url: str
    bot_id: str
    tenant_id: str


def find(session: Session, workspace_id: int, kind: ReferenceKind, subject_id: str) -> TeamsConversationRef | None:
    return session.scalar(
        select(TeamsConversationRef).where(
            TeamsConversationRef.workspace_id == workspace_id,
            TeamsConversationRef.kind == kind,
            TeamsConversationRef.subject_id == subject_id,
        )
    )


def remember(
    session: Session,
    ws: Workspace,
    kind: ReferenceKind,
    subject_id: str,
    where: Where,
    *,
    now: datetime,
    account_id: str | None = None,
    conversation_id: str | None = None,
) -> TeamsConversationRef:
    """Insert or refresh the reference; a known personal conversation is kept when this contact has none."""
    ref = find(session, ws.id, kind, subject_id)
    if ref is None:
        row = {
            "workspace_id": ws.id,
            "kind": kind,
            "subject_id": subject_id,
            "account_id": account_id,
            "conversation_id": conversation_id,
            "service_url": where.service_url,
            "bot_id": where.bot_id,
            "tenant_id": where.tenant_id,
            "updated_at": now,
        }
        # Two first contacts at once: one inserts the row, the other refreshes it below.
        inserted = insert_missing(session, TeamsConversationRef, [row], key=("workspace_id", "kind", "subject_id"))
        ref = find(session, ws.id, kind, subject_id)
        if ref is None:
            raise RuntimeError(f"the {kind} reference {subject_id} was neither inserted nor found")
        if inserted:
            return ref
    ref.service_url = where.service_url
    ref.bot_id = where.bot_id
    ref.tenant_id = where.tenant_id
    ref.account_id = account_id or ref.account_id
    ref.conversation_id = conversation_id or ref.conversation_id
    ref.updated_at = now
    return ref


def set_personal_conversation(session: Session, ref_id: int, conversation_id: str, *, now: datetime) -> None:
    """Record the 1:1 conversation the bot started with a person it had only met in a channel."""
    ref = session.get_one(TeamsConversationRef, ref_id)
    ref.conversation_id = conversation_id
    ref.updated_at = now


def forget_conversation(session: Session, workspace_id: int, conversation_id: str) -> int:
    """The app was removed from a conversation: a channel's reference goes, and so does the reference of
    the person whose personal chat it was (a later send to them then fails for good, saying why, instead
    of knocking at a chat the bot has left). Returns how many references went."""
    gone = session.execute(
        delete(TeamsConversationRef).where(
            TeamsConversationRef.workspace_id == workspace_id,
            or_(
                (TeamsConversationRef.kind == ReferenceKind.CHANNEL)
                & (TeamsConversationRef.subject_id == conversation_id),
                (TeamsConversationRef.kind == ReferenceKind.USER)
                & (TeamsConversationRef.conversation_id == conversation_id),
            ),
        )
    )
    return int(getattr(gone, "rowcount", 0) or 0)
