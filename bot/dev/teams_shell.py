"""`ictbot shell --platform teams`: try the Teams front end from a terminal, with no Microsoft tenant.

The console drives the very same Teams SDK app as production, JWT authentication included: each line
becomes an activity in the shape Teams sends, POSTed to ``/api/messages`` of the real ASGI app with a
token signed by the :class:`bot.dev.teams_standin.TeamsStandIn`, which also plays Entra ID and the Bot
Connector. After each activity the shell prints what Teams would show: messages, Adaptive Cards (as
text, buttons numbered) and the answer to a card's button; the bot's Markdown (a message, a ``TextBlock``,
a fact) styled as Teams renders it, what people typed (a ``RichTextBlock``'s text runs) as it is. The
SDK's and httpx's log lines are kept out of it. Lines are what you would type to the bot
(``help``, ``update NET-01 amber …``); lines starting with ``:`` are console commands (``:help``).
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

from markdown_it import MarkdownIt
from pydantic import SecretStr
from rich.console import Console
from rich.style import Style
from rich.text import Text
from sqlalchemy.orm import Session

from bot.dev.sample import LOCAL_USERS, load_sample
from bot.dev.teams_standin import TeamsStandIn, TeamsUserAccount
from bot.dev.terminal import quiet
from bot.runtime import Runtime
from bot.server import asgi_app
from bot.services import workspaces
from bot.settings import Settings
from models import Workspace, upgrade

with warnings.catch_warnings():  # Starlette asks for a newer httpx; the SDK announces its previews
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

    from handlers.teams.app import ADAPTIVE_CARD, MESSAGES_PATH, PLATFORM, create_teams_app

__all__ = ["LOCAL_TEAMS_USERS", "card_lines", "run_teams_shell", "teams_markdown"]

# The local people of the sample Work Plan, with the Entra object ids a Teams tenant would give them.
ENTRA_IDS = {
    "U0LOCAL01": "a1e40000-0000-4000-8000-000000000001",
    "U0LOCAL02": "bea00000-0000-4000-8000-000000000002",
    "U0LOCAL03": "c4415000-0000-4000-8000-000000000003",
    "U0LOCAL04": "da4a0000-0000-4000-8000-000000000004",
}
LOCAL_TEAMS_USERS = {uid: (name, ENTRA_IDS[uid]) for uid, name in LOCAL_USERS.items()}
# The SDK logs each rejected or processed activity, httpx each call to the stand-in; the shell shows each
# answer itself.
QUIET = dict.fromkeys(("microsoft_teams", "handlers.teams", "httpx"), logging.ERROR)
# The Markdown Teams reads in a message, a TextBlock and a fact: bold, italics, strike-through, code, links
# (lists and line breaks show as the lines they are).
_MARKDOWN = MarkdownIt("zero").enable(["emphasis", "strikethrough", "backticks", "link", "escape"])
_MARKS = {"strong": "bold", "em": "italic", "s": "strike"}
# A text run's properties (handlers.teams.cards.pieces.RUN_STYLES) as terminal styles.
_RUN_STYLES = {("weight", "bolder"): "bold", ("italic", True): "italic", ("strikethrough", True): "strike"}
HELP = """\
Type what you would write to the bot in Teams: help, update NET-01 amber Links delayed, mine, digest, meeting.
  :as N            play local user N (1 Alex Officer, 2 Bea Officer, 3 Chris Chair, 4 Dana Admin)
  :channel         switch between your personal chat with the bot and the governance channel (@mention)
  :click N         press button N of the last card (you are asked for the card's fields first)
  :help            this help            :quit   leave
"""


@dataclass
class _Action:
    title: str
    kind: str  # Action.Submit / Action.Execute
    data: dict[str, Any]
    verb: str
    inputs: list[dict[str, Any]] = field(default_factory=list)  # the card's inputs, asked for on click


def teams_markdown(source: str, style: str | Style = "") -> Text:
    """The bot's Markdown as Teams shows it: ``**bold**``, ``_italic_``, ``~~struck~~``, ``code``, and
    ``[text](url)`` as the text, underlined, with its address after it."""
    out = Text(style=style)
    opened: list[Style] = []  # the marks open at this point, innermost last (Markdown nests them)
    for number, line in enumerate(source.split("\n")):
        if number:
            out.append("\n")
        for token in _MARKDOWN.parseInline(line)[0].children or []:
            mark = token.type.rsplit("_", 1)[0]
            if token.type.endswith("_open") and mark in _MARKS:
                opened.append(Style.parse(_MARKS[mark]))
            elif token.type == "link_open":
                opened.append(Style(underline=True, link=str(token.attrs.get("href", ""))))
            elif token.type.endswith("_close") and opened:
                closed = opened.pop()
                if token.type == "link_close":
                    out.append(f" ({closed.link})", style="dim")
            elif token.type == "code_inline":
                out.append(token.content, style=Style.combine([*opened, Style(color="cyan")]))
            else:  # text, and whatever this subset leaves as text
                out.append(token.content, style=Style.combine([Style.null(), *opened]))
    return out


def _runs(inlines: list[Any]) -> Text:
    """A RichTextBlock's text runs as they are (Teams reads no Markdown in them), in their styles."""
    out = Text()
    for run in inlines:
        if isinstance(run, str):
            out.append(run)
            continue
        styles = [style for (prop, value), style in _RUN_STYLES.items() if run.get(prop) == value]
        out.append(str(run.get("text", "")), style=" ".join(styles))
    return out


def card_lines(card: dict[str, Any]) -> tuple[list[Text], list[_Action]]:
    """An Adaptive Card as lines of styled text, and its buttons in order (numbered from 1 in the text)."""
    lines: list[Text] = []
    actions: list[_Action] = []
    inputs: list[dict[str, Any]] = []

    def element(e: dict[str, Any], depth: int) -> None:
        kind = e.get("type")
        pad = "  " * depth
        if kind == "TextBlock":
            style = "bold" if e.get("weight") == "bolder" else "dim" if e.get("isSubtle") else ""
            text = teams_markdown(str(e.get("text", "")), style)
            lines.extend(Text(pad) + line for line in text.split("\n"))
        elif kind == "RichTextBlock":
            lines.extend(Text(pad) + line for line in _runs(e.get("inlines") or []).split("\n"))
        elif kind == "FactSet":
            for f in e.get("facts", []):
                title, value = teams_markdown(str(f.get("title", "")), "bold"), teams_markdown(str(f.get("value", "")))
                lines.append(Text.assemble(pad, title, ": ", value))
        elif kind in ("Container", "Column"):
            for item in e.get("items", []):
                element(item, depth)
        elif kind == "ColumnSet":
            for column in e.get("columns", []):
                element(column, depth)
        elif kind == "ActionSet":
            for a in e.get("actions", []):
                action(a, pad)
        elif isinstance(kind, str) and kind.startswith("Input."):
            inputs.append(e)
            label = e.get("label") or e.get("placeholder") or e.get("id")
            choices = ", ".join(str(c.get("title")) for c in e.get("choices", []))
            lines.append(Text(f"{pad}[{label}]" + (f" ({choices})" if choices else "")))

    def action(a: dict[str, Any], pad: str) -> None:
        if a.get("type") not in ("Action.Submit", "Action.Execute"):
            return
        data = a.get("data") if isinstance(a.get("data"), dict) else {}
        actions.append(_Action(str(a.get("title", "")), str(a["type"]), dict(data or {}), str(a.get("verb") or "")))
        lines.append(Text(f"{pad}({len(actions)}) {a.get('title', '')}"))

    for e in card.get("body", []):
        element(e, 0)
    for a in card.get("actions", []):
        action(a, "")
    for a in actions:
        a.inputs = list(inputs)
    return lines, actions


class _TeamsShell:
    def __init__(self, *, console: Console, stdin: TextIO, http: TestClient, standin: TeamsStandIn) -> None:
        self.console = console
        self.stdin = stdin
        self.http = http
        self.standin = standin
        self.users = [standin.add_user(name, aad_object_id=aad) for name, aad in LOCAL_TEAMS_USERS.values()]
        self.user: TeamsUserAccount = self.users[0]
        self.in_channel = False
        self.actions: list[_Action] = []

    def run(self) -> int:
        self.post(self.standin.install(self.user))
        while True:
            where = "#ict-governance" if self.in_channel else "chat"
            self.console.print(Text(f"{self.user.name} ({where})> ", style="bold"), end="")
            line = self.stdin.readline()
            if not line:
                return 0
            line = line.strip()
            if not line:
                continue
            if line in (":quit", ":q", ":exit"):
                return 0
            try:
                self.command(line)
            except (ValueError, IndexError) as exc:
                self.console.print(Text(str(exc) or "that did not work", style="red"))

    def command(self, line: str) -> None:
        if line == ":help":
            self.console.print(Text(HELP))
        elif line.startswith(":as"):
            number = int(line.removeprefix(":as").strip() or "0")
            if not 1 <= number <= len(self.users):
                raise ValueError(f"there are {len(self.users)} local users: :as 1 to :as {len(self.users)}")
            self.user = self.users[number - 1]
            self.console.print(Text(f"You are now {self.user.name}.", style="dim"))
            self.post(self.standin.install(self.user))
        elif line == ":channel":
            self.in_channel = not self.in_channel
            where = "the governance channel (your messages @mention the bot)" if self.in_channel else "your chat"
            self.console.print(Text(f"Now in {where}.", style="dim"))
        elif line.startswith(":click"):
            self.click(int(line.removeprefix(":click").strip() or "0"))
        elif line.startswith(":"):
            raise ValueError(f"unknown console command {line.split()[0]}; :help lists them")
        else:
            conversation = self.standin.channel() if self.in_channel else None
            self.post(self.standin.message(self.user, line, conversation=conversation, mention=self.in_channel))

    def click(self, number: int) -> None:
        if not 1 <= number <= len(self.actions):
            raise ValueError("no such button on the last card" if self.actions else "there is no card to click")
        chosen = self.actions[number - 1]
        data = dict(chosen.data)
        for spec in chosen.inputs:
            choices = {str(c.get("title")).lower(): c.get("value") for c in spec.get("choices", [])}
            choices.update({str(c.get("value")).lower(): c.get("value") for c in spec.get("choices", [])})
            label = spec.get("label") or spec.get("id")
            shown = f" [{', '.join(str(c.get('title')) for c in spec.get('choices', []))}]" if choices else ""
            self.console.print(Text(f"{label}{shown}: ", style="cyan"), end="")
            answer = self.stdin.readline().rstrip("\n")
            if answer:
                data[str(spec["id"])] = _choose(choices, answer)
        conversation = self.standin.channel() if self.in_channel else None
        if chosen.kind == "Action.Execute":
            self.post(self.standin.invoke_action(self.user, data, verb=chosen.verb, conversation=conversation))
        else:
            self.post(self.standin.submit(self.user, data, conversation=conversation))

    def post(self, activity: dict[str, Any]) -> None:
        before = len(self.standin.sent())
        token = self.standin.mint(activity["serviceUrl"])
        response = self.http.post(MESSAGES_PATH, json=activity, headers={"Authorization": f"Bearer {token}"})
        if response.status_code >= 400:
            self.console.print(Text(f"The bot answered HTTP {response.status_code}.", style="red"))
        for call in self.standin.sent()[before:]:
            self.show(call.body)
        if activity["type"] == "invoke" and response.content:
            self.show_invoke(response.json())

    def show(self, activity: dict[str, Any]) -> None:
        if activity.get("text"):  # Teams reads a message's text as Markdown
            self.console.print(Text("ictbot: ", style="green") + teams_markdown(str(activity["text"]), "green"))
        for attachment in activity.get("attachments") or []:
            if attachment.get("contentType") == ADAPTIVE_CARD:
                self.show_card(attachment.get("content") or {})

    def show_card(self, card: dict[str, Any]) -> None:
        lines, actions = card_lines(card)
        self.console.print(Text("┌ card", style="green"))
        for line in lines:
            self.console.print(Text("│ ", style="green") + line)
        self.console.print(Text("└" + (" :click N to press a button" if actions else ""), style="green"))
        if actions:
            self.actions = actions

    def show_invoke(self, body: dict[str, Any]) -> None:
        kind, value = body.get("type"), body.get("value")
        if kind == ADAPTIVE_CARD and isinstance(value, dict):
            self.show_card(value)
        elif kind == "application/vnd.microsoft.error" and isinstance(value, dict):
            self.console.print(Text(f"on the card: {value.get('message')}", style="red"))
        elif value:  # a message the card's button answered with: Markdown, as a message
            self.console.print(Text("ictbot: ", style="green") + teams_markdown(str(value), "green"))


def _choose(choices: dict[str, Any], answer: str) -> Any:
    """A choice by its title or value, or by the start of one title (``NET-01`` for ``NET-01 — Council…``)."""
    if not choices:
        return answer
    word = answer.strip().lower()
    if word in choices:
        return choices[word]
    starting = {v for title, v in choices.items() if title.startswith(word)}
    return starting.pop() if len(starting) == 1 else answer


@contextmanager
def _local_workspace(runtime: Runtime, tenant_id: str) -> Iterator[tuple[Session, Workspace]]:
    """One transaction in the local Teams workspace (created on first use)."""
    with runtime.sessions.begin() as session:
        ws = workspaces.get_or_create(session, tenant_id, platform=PLATFORM, name="Local council", now=runtime.now())
        yield session, ws


def run_teams_shell(settings: Settings, *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run the Teams console until ``:quit`` or the end of input; returns the exit code."""
    console = Console(file=stdout, highlight=False)
    upgrade(settings.DATABASE_URL)
    with TeamsStandIn(tenant_name="Local council") as standin:
        env = standin.env()
        app_settings = settings.model_copy(
            update={
                "TEAMS_CLIENT_ID": env["TEAMS_CLIENT_ID"],
                "TEAMS_CLIENT_SECRET": SecretStr(env["TEAMS_CLIENT_SECRET"]),
                "TEAMS_TENANT_ID": env["TEAMS_TENANT_ID"],
                "TEAMS_CLOUD_URL": env["TEAMS_CLOUD_URL"],
            }
        )
        runtime = Runtime.from_settings(app_settings)
        try:
            unit = _local_workspace(runtime, standin.tenant_id)
            count, _ = load_sample(console, unit, now=runtime.now(), people=ENTRA_IDS)
            with quiet(QUIET):  # from the SDK's set-up on: the shell shows what happened itself
                routes = create_teams_app(runtime).routes
                console.print(
                    Text.assemble(
                        ("ictbot shell — Microsoft Teams", "bold"),
                        f"  ·  {count} projects  ·  activities signed and checked as in production  ·  ",
                        (":help", "cyan"),
                    )
                )
                with TestClient(asgi_app(runtime, None, extra_routes=routes)) as http:
                    shell = _TeamsShell(console=console, stdin=stdin or sys.stdin, http=http, standin=standin)
                    return shell.run()
        finally:
            runtime.engine.dispose()
