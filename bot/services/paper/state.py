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
    _, paper = _built(session, ws, last, settings, tz, now)
    return dataclasses.replace(shown, changed_before=paper) if paper.changed_since_signoff else shown


def _built(
    session: Session, ws: Workspace, period: ReportPeriod, settings: PaperSettings, tz: ZoneInfo, now: datetime
) -> tuple[Digest, Paper]:
    """The period's digest (up to ``now`` while it runs) and its paper."""
    start, end = period.bounds(tz, now)
    built = digest_service.build(session, ws, start=start, end=end, now=now, default_timezone=tz.key)
    return built, paper_for(session, ws, built, period, settings=settings)


def _draft(
    session: Session, ws: Workspace, period: ReportPeriod, settings: PaperSettings, tz: ZoneInfo, now: datetime
) -> Draft:
    built, paper = _built(session, ws, period, settings, tz, now)
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
    period = period_being_written(session, ws, now=now, default_timezone=default_timezone)
    view = narrative_service.write(session, ws, period.start, where, text, author=author, now=now)
    return where, view, period


def sign_off(session: Session, ws: Workspace, *, user_id: str, now: datetime, default_timezone: str) -> Paper:
    """Record that ``user_id`` approves a paper as it stands: the last period to end, unless it is signed off
    and unchanged since (then the one running now); so a changed paper is approved again. The paper,
    signed, is returned."""
    settings = settings_service.get(session, ws)
    tz = meetings.workspace_timezone(session, ws, default_timezone)
    running = containing(now.astimezone(tz).date(), settings)
    built, paper = _built(session, ws, running.previous(settings), settings, tz, now)
    if paper.signoff is not None and not paper.changed_since_signoff:
        built, paper = _built(session, ws, running, settings, tz, now)
    assert paper.period is not None
    fingerprint = signoff_service.fingerprint(built, paper.narrative)
    signed = signoff_service.sign(session, ws, paper.period, user_id=user_id, now=now, fingerprint=fingerprint)
    return dataclasses.replace(paper, signoff=signed, changed_since_signoff=False)
