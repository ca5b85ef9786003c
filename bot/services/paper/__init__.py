"""The committee paper around a digest: report settings (:mod:`.settings`), report periods
(:mod:`.periods`), the chair's narrative (:mod:`.narrative`) and sign-off (:mod:`.signoff`), put
together here as a :class:`Paper` for the renderers and a :class:`Draft` for ``/ict-report``.
Plain values in and out; ``now`` is passed in; no platform is named here.
"""

from bot.services.paper.narrative import MAX_TEXT, POSITION, NarrativeView, Section, paragraphs, section
from bot.services.paper.periods import ReportPeriod, containing, long_date
from bot.services.paper.settings import Author, Contact, Implication, PaperSettings, parse_yaml, to_yaml
from bot.services.paper.signoff import SignoffView
from bot.services.paper.state import (
    Draft,
    Paper,
    SectionState,
    draft,
    draft_period,
    paper_for,
    period_being_written,
    sign_off,
    write_narrative,
)

__all__ = [
    "MAX_TEXT",
    "POSITION",
    "Author",
    "Contact",
    "Draft",
    "Implication",
    "NarrativeView",
    "Paper",
    "PaperSettings",
    "ReportPeriod",
    "Section",
    "SectionState",
    "SignoffView",
    "containing",
    "draft",
    "draft_period",
    "long_date",
    "paper_for",
    "paragraphs",
    "parse_yaml",
    "period_being_written",
    "section",
    "sign_off",
    "to_yaml",
    "write_narrative",
]
