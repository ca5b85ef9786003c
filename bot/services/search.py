"""Searching the workspace's progress updates: the typed grammar and the ranked, paged search.

``words [in REF] [from YYYY-MM-DD] [to YYYY-MM-DD]`` (:func:`parse`) is shared by Slack's ``/ict-search``
and Teams' ``search``; :func:`search` asks the full-text index of migration 0014 (:mod:`models.search`)
for the updates whose current revision has every word (stemmed: ``switch`` finds "switching"), best
first. Only the words' letters and digits reach the index, so nothing typed is read as query syntax.
Anyone in the workspace may search: the record is the workspace's own. Nothing here reads the clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, func, literal_column, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import column, table
from sqlalchemy.types import UserDefinedType

from bot.errors import InvalidInput, UnknownProject
from bot.services import meetings, projects
from bot.wording import PLAIN, Text
from models import ProgressUpdate, Project, Rag, UpdateRevision, Workspace
from models.search import CATCH_UP, PENDING, SEARCH_TABLE

__all__ = [
    "MAX_LIMIT",
    "MAX_OFFSET",
    "MAX_TYPED",
    "PAGE",
    "Hit",
    "Query",
    "Results",
    "SearchedUnknownProject",
    "catch_up",
    "find",
    "parse",
    "search",
    "terms_of",
    "usage",
]

PAGE = 10  # results shown at a time
MAX_LIMIT = 50
MAX_OFFSET = 10_000  # how far paging goes: past it, narrow the search
MAX_TYPED = 200  # characters of a search as typed (a "More results" button carries it back)
MAX_TERMS = 16
SNIPPET_WORDS = 24
_TOKENS = re.compile(r'"[^"]*"?|“[^”]*”?|\S+')  # a quoted phrase (closed or not) or a word
_TERM = re.compile(r"[^\W_]+")  # what both indexes take for a word: letters and digits
_KEYWORDS = ("in", "from", "to")


@dataclass(frozen=True, slots=True)
class Query:
    """A search as typed: its words, and the project and days it is limited to."""

    typed: str
    words: str
    ref: str | None = None
    first: date | None = None  # from this day
    last: date | None = None  # to this day, inclusive

    def period(self, tz: tzinfo) -> tuple[datetime | None, datetime | None]:
        """``[start, end)``: from the first day's local midnight to the midnight after the last."""
        start = datetime.combine(self.first, time(0), tzinfo=tz) if self.first else None
        end = datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=tz) if self.last else None
        return start, end


@dataclass(frozen=True, slots=True)
class Hit:
    update_id: int
    project_ref: str
    project_title: str
    rag: Rag
    created_at: datetime
    author: str  # a chat user id
    snippet: str  # plain text from the officer's words: shown literally
    revision: int  # its current revision's number (1: never corrected)


@dataclass(frozen=True, slots=True)
class Results:
    hits: tuple[Hit, ...]
    total: int
    offset: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.hits) < self.total and self.next_offset <= MAX_OFFSET

    @property
    def next_offset(self) -> int:
        return self.offset + len(self.hits)


def usage(cmd: str) -> Text:
    return Text(
        "Usage: `{cmd} words [in REF] [from YYYY-MM-DD] [to YYYY-MM-DD]`, e.g. `{cmd} switch in NET-01 from "
        '2026-01-01`. Put words in quotes to search for "in", "from" or "to" themselves.',
        cmd=cmd,
    ).owning("cmd")


def parse(typed: str, *, cmd: str) -> Query:
    """The words and the ``in``, ``from`` and ``to`` clauses at the end (each at most once; a quoted part is
    always words). ``cmd`` is the platform's name of the command, for the usage line."""
    typed = typed.strip()
    if len(typed) > MAX_TYPED:
        raise InvalidInput(Text(f"Search for at most {MAX_TYPED} characters (that was {len(typed)}). ") + usage(cmd))
    tokens = _TOKENS.findall(typed)
    clauses: dict[str, str] = {}
    while len(tokens) >= 2 and _clause(tokens[-2], tokens[-1]):
        word = tokens[-2].lower()
        if word in clauses:
            raise InvalidInput(Text("Say `" + word + "` once. ") + usage(cmd))
        clauses[word] = tokens[-1]
        tokens = tokens[:-2]
    words = " ".join(t.strip('"“”') for t in tokens).strip()
    if not terms_of(words):
        raise InvalidInput(Text("Say what to search for: some words. ") + usage(cmd))
    first = meetings.parse_date(clauses["from"], "date") if "from" in clauses else None
    last = meetings.parse_date(clauses["to"], "date") if "to" in clauses else None
    if first and last and first > last:
        raise InvalidInput(
            f"The search runs from {first.isoformat()} to {last.isoformat()}, which ends before it starts; swap them."
        )
    return Query(typed, words, projects.normalise_ref(clauses["in"]) if "in" in clauses else None, first, last)


def _clause(keyword: str, value: str) -> bool:
    """``in REF``, or ``from``/``to`` and something that starts like a date (``to fibre`` is words)."""
    word = keyword.lower()
    if word not in _KEYWORDS or value[:1] in ('"', "“"):
        return False
    return word == "in" or value[:1].isdigit()


class SearchedUnknownProject(UnknownProject):
    """``in REF`` naming no project: said so, with how to search for the word "in" itself."""

    def __init__(self, ref: str, suggestions: list[str]) -> None:
        super().__init__(ref, suggestions)
        self.text = self.text + Text(' To search for "in" itself, put the words in quotes.')
        self.message = PLAIN(self.text)
        self.args = (self.message,)


def terms_of(words: str) -> list[str]:
    """The words as the index is asked for them: runs of letters and digits, in lower case, at most
    :data:`MAX_TERMS` (quotes, ``*``, ``-``, ``:``, brackets and the rest are not searched for)."""
    return list(dict.fromkeys(t.casefold() for t in _TERM.findall(words)))[:MAX_TERMS]


def find(
    session: Session, ws: Workspace, typed: str, *, cmd: str, default_timezone: str, offset: int = 0, limit: int = PAGE
) -> tuple[Query, Results]:
    """A search as typed after the command, in the workspace's time zone (its meetings', else the default)."""
    query = parse(typed, cmd=cmd)
    start, end = query.period(meetings.workspace_timezone(session, ws, default_timezone))
    found = search(session, ws.id, query.words, ref=query.ref, start=start, end=end, offset=offset, limit=limit)
    return query, found


def search(
    session: Session,
    workspace_id: int,
    query: str,
    *,
    ref: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    offset: int = 0,
    limit: int = PAGE,
) -> Results:
    """The updates of ``workspace_id`` whose current revision has every word of ``query``, best first (then
    newest), ``limit`` of them from ``offset``; only ``ref``'s if given, and posted in ``[start, end)``."""
    terms = terms_of(query)
    if not terms:
        raise InvalidInput("Say what to search for: some words.")
    catch_up(session)
    offset, limit = max(0, min(offset, MAX_OFFSET)), max(1, min(limit, MAX_LIMIT))
    where = [ProgressUpdate.workspace_id == workspace_id]
    if ref is not None:
        where.append(ProgressUpdate.project_id == _project_id(session, workspace_id, ref))
    if start is not None:
        where.append(ProgressUpdate.created_at >= start)
    if end is not None:
        where.append(ProgressUpdate.created_at < end)
    index = _Postgres(terms) if session.get_bind().dialect.name == "postgresql" else _Sqlite(terms)
    matching = index.matching().join(ProgressUpdate, ProgressUpdate.id == index.update_id).where(*where)
    total = int(session.scalar(select(func.count()).select_from(matching.subquery())) or 0)
    ranked = matching.order_by(index.order(), ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
    page = [(int(row[0]), int(row[1])) for row in session.execute(ranked.offset(offset).limit(limit))]
    if not page:
        return Results((), total, offset)
    snippets = index.snippets(session, page)
    rows = session.execute(
        select(
            ProgressUpdate.id,
            Project.ref,
            Project.title,
            UpdateRevision.rag,
            ProgressUpdate.created_at,
            ProgressUpdate.author_user_id,
            UpdateRevision.number,
        )
        .join(Project, Project.id == ProgressUpdate.project_id)
        .join(UpdateRevision, UpdateRevision.update_id == ProgressUpdate.id)
        .where(ProgressUpdate.workspace_id == workspace_id, UpdateRevision.id.in_([r for _, r in page]))
    ).all()
    by_id = {row[0]: row for row in rows}
    hits = tuple(
        Hit(u, *by_id[u][1:6], snippet=snippets.get(u, ""), revision=by_id[u][6]) for u, _ in page if u in by_id
    )
    return Results(hits, total, offset)


def catch_up(session: Session) -> int:
    """SQLite: index the revisions queued since the last time (migration 0018), in the session's transaction,
    so that what follows reads an index with every update in it; the number of updates indexed. Only a
    queue with something in it takes the write lock. PostgreSQL indexes each revision as it is stored: 0."""
    if session.get_bind().dialect.name != "sqlite":
        return 0
    pending = int(session.scalar(text(f"SELECT count(*) FROM {PENDING}")) or 0)  # noqa: S608
    if pending:
        for statement in CATCH_UP:
            session.execute(text(statement))
    return pending


def _project_id(session: Session, workspace_id: int, ref: str) -> int:
    found = session.scalar(
        select(Project.id).where(Project.workspace_id == workspace_id, Project.ref == projects.normalise_ref(ref))
    )
    if found is None:
        ws = session.get(Workspace, workspace_id)
        hint = projects.suggestions(session, ws, ref) if ws is not None else []
        raise SearchedUnknownProject(projects.normalise_ref(ref), hint)
    return int(found)


def _plain(snippet: str) -> str:
    return " ".join(snippet.split())


class _TsQuery(UserDefinedType[str]):
    cache_ok = True

    def get_col_spec(self, **_kw: object) -> str:
        return "tsquery"


class _Postgres:
    """``update_search.document @@ plainto_tsquery('english', …)``, ranked by ``ts_rank``."""

    table = table(SEARCH_TABLE, column("update_id", Integer), column("revision_id", Integer), column("document"))

    def __init__(self, terms: list[str]) -> None:
        self.words = " ".join(terms)
        self.tsquery = func.plainto_tsquery(literal_column("'english'::regconfig"), self.words, type_=_TsQuery())
        self.update_id = self.table.c.update_id

    def matching(self) -> Select[int, int]:
        s = self.table.c
        return select(s.update_id, s.revision_id).where(s.document.op("@@")(self.tsquery))

    def order(self) -> ColumnElement[Any]:
        return func.ts_rank(self.table.c.document, self.tsquery).desc()

    def snippets(self, session: Session, page: list[tuple[int, int]]) -> dict[int, str]:
        """Cut from the officer's own text in Python: ``ts_headline`` drops what its parser takes for markup
        (``<at>``, entities), and a snippet must be the text as typed. PostgreSQL stems each word of it, so
        the words that matched are found as the index found them."""
        r = UpdateRevision
        rows = session.execute(
            select(r.update_id, r.progress, r.next_steps, r.risks).where(r.id.in_([rev for _, rev in page]))
        ).all()
        words = sorted({w.casefold() for row in rows for field in row[1:] for w in _TERM.findall(field)})
        stemmed = text(
            "SELECT w, tsvector_to_array(to_tsvector('english', w)) FROM unnest(CAST(:words AS text[])) AS w"
        )
        lexemes = {w: set(found) for w, found in session.execute(stemmed, {"words": words})}
        english: ColumnElement[Any] = literal_column("'english'::regconfig")
        wanted = set(session.scalar(select(func.tsvector_to_array(func.to_tsvector(english, self.words)))) or [])

        def matches(word: str) -> bool:
            return bool(lexemes.get(word.casefold(), set()) & wanted)

        return {u: _window([progress, next_steps, risks], matches) for u, progress, next_steps, risks in rows}


def _window(fields: list[str], matches: Callable[[str], bool]) -> str:
    """About :data:`SNIPPET_WORDS` words of the first field with a matching word, from a few words before
    it, as typed (white space aside), with an ellipsis where text was left out."""
    for field in fields:
        words = list(_TERM.finditer(field))
        hit = next((i for i, w in enumerate(words) if matches(w.group())), None)
        if hit is None:
            continue
        first = max(0, min(hit - 4, len(words) - SNIPPET_WORDS))
        last = min(len(words), first + SNIPPET_WORDS) - 1
        start = 0 if first == 0 else words[first].start()
        end = len(field) if last == len(words) - 1 else words[last].end()
        return ("…" if start else "") + _plain(field[start:end]) + ("…" if end < len(field) else "")
    return ""


class _Sqlite:
    """``update_search MATCH '"word" "word"'`` (each term quoted: a string, never FTS5 syntax), ranked by bm25."""

    table = table(SEARCH_TABLE, column("rowid", Integer), column("revision_id", Integer))

    def __init__(self, terms: list[str]) -> None:
        self.match = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
        self.update_id = self.table.c.rowid

    def matching(self) -> Select[int, int]:
        s = self.table.c
        return select(s.rowid, s.revision_id).where(text(f"{SEARCH_TABLE} MATCH :match").bindparams(match=self.match))

    def order(self) -> ColumnElement[Any]:
        return literal_column(f"bm25({SEARCH_TABLE})").asc()

    def snippets(self, session: Session, page: list[tuple[int, int]]) -> dict[int, str]:
        snippet: ColumnElement[Any] = literal_column(f"snippet({SEARCH_TABLE}, -1, '', '', '…', {SNIPPET_WORDS})")
        rows = session.execute(
            select(self.table.c.rowid, snippet)
            .where(text(f"{SEARCH_TABLE} MATCH :match").bindparams(match=self.match))
            .where(self.table.c.rowid.in_([u for u, _ in page]))
        ).all()
        return {u: _plain(s) for u, s in rows}
