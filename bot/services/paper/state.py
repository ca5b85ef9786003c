"""Where a period's paper stands: the :class:`Paper` a report is rendered with, and the :class:`Draft`
that ``/ict-report`` shows (which sections have narrative, who has not updated, sign-off)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.services import digest as digest_service
from bot.services import meetings
from bot.services import strategy as strategy_service
from bot.services.digest import Digest, ProjectEntry
from bot.services.paper import narrative as narrative_service
from bot.services.paper import settings as settings_service
from bot.services.paper import signoff as signoff_service
from bot.services.paper.narrative import POSITION, NarrativeView, Section
from bot.services.paper.periods import ReportPeriod, containing
from bot.services.paper.settings import PaperSettings
from bot.services.paper.signoff import SignoffView
from models import Workspace

__all__ = [
    "Draft",
    "Paper",
    "SectionState",
    "draft",
    "draft_period",
    "paper_for",
    "period_being_written",
    "sign_off",
    "write_narrative",
]


@dataclass(frozen=True, slots=True)
class Paper:
    """What a committee report prints around its digest."""

    settings: PaperSettings = field(default_factory=PaperSettings)
    period: ReportPeriod | None = None  # None: the report's dates are not one of the report periods
    narrative: Mapping[str, NarrativeView] = field(default_factory=dict)
    signoff: SignoffView | None = None
    changed_since_signoff: bool = False
    meeting: date | None = None  # the committee's meeting, printed on the paper
    item: str = ""  # the agenda item number

    def paragraphs(self, key: str | None) -> list[str]:
        """The narrative paragraphs of a section (a priority's code, or ``position``); none without."""
        view = self.narrative.get(key) if key is not None else None
        return narrative_service.paragraphs(view.text) if view is not None else []


@dataclass(frozen=True, slots=True)
class SectionState:
    section: Section
    narrative: NarrativeView | None


@dataclass(frozen=True, slots=True)
class Draft:
    period: ReportPeriod
    digest: Digest  # of the period, up to now while it runs
    sections: tuple[SectionState, ...]  # the overall position, then each priority in order
    paper: Paper
    has_ended: bool
    # The period before, when it was signed off and its data has changed since: it needs approving again.
    changed_before: Paper | None = None

    @property
    def missing(self) -> tuple[ProjectEntry, ...]:
        return self.digest.missing


def draft_period(session: Session, ws: Workspace, settings: PaperSettings, today: date) -> ReportPeriod:
    """The period a paper is being written for: the last one to end, until it is signed off; then the
    one running now."""
    running = containing(today, settings)
    last = running.previous(settings)
    return last if signoff_service.latest(session, ws, last.start) is None else running


def period_being_written(session: Session, ws: Workspace, *, now: datetime, default_timezone: str) -> ReportPeriod:
    """:func:`draft_period` on the workspace's settings, for the day ``now`` is in the workspace's time zone."""
    tz = meetings.workspace_timezone(session, ws, default_timezone)
    return draft_period(session, ws, settings_service.get(session, ws), now.astimezone(tz).date())


def paper_for(
    session: Session,
    ws: Workspace,
    digest: Digest,
    period: ReportPeriod | None,
    *,
    settings: PaperSettings | None = None,
    meeting: date | None = None,
    item: str = "",
) -> Paper:
    """The paper for ``digest``: the workspace's settings, and the narrative and sign-off of ``period``."""
    settings = settings or settings_service.get(session, ws)
    if period is None:
        return Paper(settings=settings, meeting=meeting, item=item)
    narrative = narrative_service.current(session, ws, period.start)
    signed = signoff_service.latest(session, ws, period.start)
    changed = signed is not None and signed.fingerprint != signoff_service.fingerprint(digest, narrative)
    return Paper(settings, period, narrative, signed, changed, meeting, item)


def draft(session: Session, ws: Workspace, *, now: datetime, default_timezone: str) -> Draft:
    """The draft paper of the period being written (:func:`draft_period`)."""
    settings = settings_service.get(session, ws)
    tz = meetings.workspace_timezone(session, ws, default_timezone)
    today = now.astimezone(tz).date()
    period = draft_period(session, ws, settings, today)
    shown = _draft(session, ws, period, settings, tz, now)
    last = containing(today, settings).previous(settings)
    if period == last:
        return shown
    start, end = last.bounds(tz, now)
    before = digest_service.build(session, ws, start=start, end=end, now=now, default_timezone=tz.key)
    paper = paper_for(session, ws, before, last, settings=settings)
    return dataclasses.replace(shown, changed_before=paper) if paper.changed_since_signoff else shown


def _draft(
    session: Session, ws: Workspace, period: ReportPeriod, settings: PaperSettings, tz: ZoneInfo, now: datetime
) -> Draft:
    start, end = period.bounds(tz, now)
    built = digest_service.build(session, ws, start=start, end=end, now=now, default_timezone=tz.key)
    paper = paper_for(session, ws, built, period, settings=settings)
    active = strategy_service.active(session, ws)
    sections = [Section(POSITION, "the overall position")] + [Section(p.code, p.name) for p in active.priorities]
    states = tuple(SectionState(s, paper.narrative.get(s.key)) for s in sections)
    return Draft(period, built, states, paper, period.has_ended(now.astimezone(tz).date()))


def write_narrative(
    session: Session, ws: Workspace, word: str, text: str, *, author: str, now: datetime, default_timezone: str
) -> tuple[Section, NarrativeView, ReportPeriod]:
    """Write a section's narrative (``word``: a priority's code or name, or ``position``) for the period
    being written; the caller has checked that ``author`` is a chair or an admin."""
    where = narrative_service.section(session, ws, word)
    settings = settings_service.get(session, ws)
    tz = meetings.workspace_timezone(session, ws, default_timezone)
    period = draft_period(session, ws, settings, now.astimezone(tz).date())
    view = narrative_service.write(session, ws, period.start, where, text, author=author, now=now)
    return where, view, period


def sign_off(session: Session, ws: Workspace, *, user_id: str, now: datetime, default_timezone: str) -> Paper:
    """Record that ``user_id`` approves a paper as it stands: the period before again when its data has
    changed since it was signed off, else the period being written. The paper, signed, is returned."""
    shown = draft(session, ws, now=now, default_timezone=default_timezone)
    settings = shown.paper.settings
    tz = meetings.workspace_timezone(session, ws, default_timezone)
    period = shown.changed_before.period if shown.changed_before is not None else shown.period
    assert period is not None
    start, end = period.bounds(tz, now)
    built = digest_service.build(session, ws, start=start, end=end, now=now, default_timezone=tz.key)
    narrative = narrative_service.current(session, ws, period.start)
    print_ = signoff_service.fingerprint(built, narrative)
    signoff_service.sign(session, ws, period, user_id=user_id, now=now, fingerprint=print_)
    return paper_for(session, ws, built, period, settings=settings)
