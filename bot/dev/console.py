"""The console of ``ictbot shell``: each line typed is sent to the Bolt app as Slack would send it, and
what Slack would have received (replies, messages, modals) is printed; a modal the bot opens is filled
in at the prompt, field by field, and submitted as Slack would submit it.

Lines starting with ``/`` are slash commands; lines starting with ``:`` are console commands
(``:help``, ``:as``, ``:home``, ``:shortcut``, ``:click``, ``:time``, ``:quit``). In a command whose
manifest entry escapes mentions, and in a ``:shortcut``'s message, ``@Name`` and ``#channel`` become
what Slack sends (``<@U…>``, ``<#C…|name>``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from slack_bolt import BoltResponse

from bot.dev.forms import ModalForm, show_errors
from bot.dev.local import LocalSlack
from bot.dev.standin import Call, SlackStandIn
from bot.dev.terminal import CANCEL, QUIT, Lines, mrkdwn_text, option_label, plain, rich_text, text_object
from bot.dev.timeshift import ShellClock, moments, parse_moment, shown
from bot.runtime import Runtime
from bot.scheduling.reconciler import Reconciler, TickReport
from bot.services import meetings, projects, role_commands, roles
from bot.services.reminders import CHAIR_STAGE
from bot.settings import SLACK_USER_ID
from handlers.slack.shortcuts.log_as_update import LOG_AS_UPDATE

__all__ = ["ESCAPING_COMMANDS", "EXAMPLE", "SlackConsole", "slack_mentions"]

log = logging.getLogger(__name__)

LOCAL_CHANNEL_ID = "C0GOVERN"  # the channel LocalSlack sends commands from
LOCAL_CHANNELS = {LOCAL_CHANNEL_ID: "ict-governance"}
EXAMPLE = "/ict-update NET-01 amber Links delayed by the supplier"
# The commands whose text Slack escapes (``should_escape: true`` in manifest.yml): only in these does a
# mention typed as @Name arrive as <@U…>, and a channel as <#C…|name>.
ESCAPING_COMMANDS = frozenset({"/ict-project", "/ict-meeting", "/ict-role", "/ict-risk", "/ict-issue", "/ict-action"})
# Web API calls that only read or prepare (a person sees nothing of them): not shown.
UNSEEN_CALLS = frozenset(
    {
        "auth.test",
        "users.info",
        "users.list",
        "users.lookupByEmail",
        "conversations.open",
        "conversations.history",
        "usergroups.users.list",
        "files.getUploadURLExternal",
        "upload_url",  # the file's bytes, sent to the URL files.getUploadURLExternal gave
    }
)
_AT = re.compile(r"(?<![^\s(])([@#])(?=[\w])")


def slack_mentions(text: str, users: Mapping[str, str], channels: Mapping[str, str]) -> str:
    """``text`` with each ``@Name`` (a person's full name or, when only one person has it, first name; any
    case) as ``<@U…>`` and each ``#name`` of a known channel as ``<#C…|name>``, as Slack sends a mention
    picked while typing. An ``@word`` or ``#word`` that names nobody stays as typed."""
    people = sorted(((name.casefold(), uid) for uid, name in users.items()), key=lambda p: -len(p[0]))
    firsts: dict[str, list[str]] = {}
    for uid, name in users.items():
        firsts.setdefault(name.split()[0].casefold(), []).append(uid)
    places = sorted(((name.casefold(), cid) for cid, name in channels.items()), key=lambda p: -len(p[0]))
    out: list[str] = []
    pos = 0
    for m in _AT.finditer(text):
        if m.start() < pos:
            continue
        rest = text[m.end() :]
        folded = rest.casefold()
        found: tuple[int, str] | None = None
        if m[1] == "@":
            for name, uid in people:
                if folded.startswith(name) and _ends_word(rest, len(name)):
                    found = (len(name), f"<@{uid}>")
                    break
            else:
                word = re.match(r"[\w'-]+", rest)
                if word and len(firsts.get(word[0].casefold(), [])) == 1:
                    found = (len(word[0]), f"<@{firsts[word[0].casefold()][0]}>")
        else:
            for name, cid in places:
                if folded.startswith(name) and _ends_word(rest, len(name)):
                    found = (len(name), f"<#{cid}|{channels[cid]}>")
                    break
        if found is None:
            continue
        out.append(text[pos : m.start()])
        out.append(found[1])
        pos = m.end() + found[0]
    out.append(text[pos:])
    return "".join(out)


def _ends_word(text: str, at: int) -> bool:
    return at >= len(text) or not (text[at].isalnum() or text[at] in "_-")


@dataclass(frozen=True, slots=True)
class _Button:
    label: str
    action_id: str
    value: str
    block_id: str
    on_home: bool = False  # on the App Home tab: pressed from a view, with no channel
    channel: str = LOCAL_CHANNEL_ID  # the conversation of the message it is on
    recipient: str = ""  # the person a direct message went to: only they can press its buttons


# -- the console -------------------------------------------------------------------------------------


@dataclass
class SlackConsole:
    console: Console
    lines: Lines
    slack: LocalSlack
    standin: SlackStandIn
    user_id: str
    runtime: Runtime | None = None  # the bot's runtime (for who is who, and the calendar), on the shell's clock
    clock: ShellClock | None = None  # the clock ``:time`` moves
    reconciler: Reconciler | None = None  # the product's reconciler, which ``:time`` runs a pass of
    buttons: list[_Button] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # chosen options' labels, by value
    _views: Iterator[int] = field(default_factory=lambda: iter(range(1, 1_000_000)))
    _rendering_home: bool = False
    _rendering_in: str = LOCAL_CHANNEL_ID  # the conversation of the message being shown

    # -- people and places ---------------------------------------------------------------------
    @property
    def users(self) -> dict[str, str]:
        return {uid: str(u.get("real_name") or u.get("name") or uid) for uid, u in self.standin.users.items()}

    def who(self, user_id: str | None = None) -> str:
        uid = user_id or self.user_id
        name = self.users.get(uid)
        return f"{name} ({uid})" if name else uid

    def where(self, channel: str) -> str:
        if channel.startswith("D"):
            recipient = self.recipient(channel)
            return f"a direct message to {self.who(recipient)}" if recipient else "a direct message"
        return "#" + LOCAL_CHANNELS.get(channel, channel)

    def recipient(self, channel: str) -> str:
        """The person a direct message channel (the stand-in's ``D`` + their id after the ``U``) is with."""
        uid = "U" + channel[1:]
        return uid if channel.startswith("D") and uid in self.standin.users else ""

    def form(self) -> ModalForm:
        return ModalForm(
            console=self.console,
            lines=self.lines,
            slack=self.slack,
            standin=self.standin,
            screen=self,
            user_id=self.user_id,
            labels=self.labels,
        )

    def mentions(self, escaped: str) -> str:
        """Typed text, escaped as Slack escapes it, with @Name and #channel as Slack sends them."""
        return slack_mentions(escaped, self.users, LOCAL_CHANNELS)

    def mrkdwn(self, source: str) -> Text:
        return mrkdwn_text(source, users=self.users, channels=LOCAL_CHANNELS)

    # -- the loop --------------------------------------------------------------------------------
    def prompt(self) -> Text:
        name = self.users.get(self.user_id, self.user_id)
        return Text.assemble((name, "bold cyan"), (" › ", "cyan"))

    def run(self) -> int:
        while True:
            line = self.lines.read(self.prompt())
            if line is None:
                return 0
            line = line.strip()
            if not line or line.startswith("#") or line == CANCEL:
                continue
            if line.startswith("/"):
                self.slash(line)
            elif line.startswith(":"):
                word, _, rest = line.partition(" ")
                if word in QUIT:
                    self.console.print(Text("Bye.", style="dim"))
                    return 0
                self.console_command(word, rest.strip())
            else:
                self.console.print(
                    Text.assemble(
                        "Slash commands start with ",
                        ("/", "bold"),
                        ", e.g. ",
                        (EXAMPLE, "cyan"),
                        "; console commands with ",
                        (":", "bold"),
                        ", e.g. ",
                        (":help", "cyan"),
                        ".",
                    )
                )

    def console_command(self, word: str, rest: str) -> None:
        if word in (":help", ":h", ":?"):
            self.help()
        elif word == ":as":
            self.switch_user(rest)
        elif word == ":shortcut":
            if not rest:
                self.note("Usage: :shortcut TEXT — runs “Log as ICT update” on a message saying TEXT.")
                return
            self.dispatch(
                lambda: self.slack.message_shortcut(
                    LOG_AS_UPDATE,
                    user_id=self.user_id,
                    message_text=rest,
                    author_id=self.user_id,
                    mentions=self.mentions,
                )
            )
        elif word == ":click":
            self.click(rest)
        elif word == ":home":
            self.home()
        elif word == ":time":
            self.time(rest)
        else:
            self.note(f"{word} is not a console command; type :help to see them.")

    def note(self, text: str, style: str = "yellow") -> None:
        self.console.print(Text(text, style=style))

    def help(self) -> None:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="cyan", no_wrap=True)
        grid.add_column()
        rows = [
            ("/COMMAND TEXT", "any slash command of the app, as you would type it in Slack"),
            ("", f"e.g. {EXAMPLE}"),
            ("", "/ict-update (opens the form)  ·  /ict-update help  ·  /ict-project list"),
            ("", "@Bea and #ict-governance become the mention and channel Slack sends (<@U0LOCAL02>, <#C0GOVERN|…>)"),
            (":as [USER]", "act as another user (an ID, or a first name); alone: who is who, and their roles"),
            (":shortcut TEXT", "use “Log as ICT update” on a message that says TEXT"),
            (":home", "open the app's Home tab, as the current user"),
            (":click N", "press button [N] in a message the bot posted, or on Home"),
            (":time", "the shell's clock, and what falls due next (reminders, the chairs' notice, the digest)"),
            (":time next", "move the clock to the next of those and run a reconcile pass there"),
            (":time YYYY-MM-DD HH:MM", "move the clock there (forward only) and run a reconcile pass"),
            (":cancel", "abandon the form you are filling in"),
            (":help", "this list"),
            (":quit", "leave (Ctrl-D works too)"),
        ]
        for a, b in rows:
            grid.add_row(a, b)
        self.console.print(Panel(grid, title="ictbot shell", title_align="left", box=box.ROUNDED, border_style="dim"))

    def switch_user(self, who: str) -> None:
        if not who:
            self.people()
            return
        key = who.strip().lstrip("@")
        by_name = [uid for uid, name in self.users.items() if name.split()[0].casefold() == key.casefold()]
        if key.upper() in self.users:
            uid = key.upper()
        elif len(by_name) == 1:
            uid = by_name[0]
        elif SLACK_USER_ID.match(key):
            uid = key
        else:
            self.note(f"{who} is not a Slack user ID (U…) or a local user's first name.")
            return
        self.user_id = uid
        self.console.print(Text.assemble("Now acting as ", (self.who(), "bold")))

    def people(self) -> None:
        """Who is who: each local person with the roles they hold (``:as`` alone)."""
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="cyan", no_wrap=True)
        grid.add_column()
        for uid in self.users:
            grid.add_row(
                f":as {self.users[uid].split()[0].lower()}",
                Text.assemble((self.who(uid), "bold"), " — ", self.roles(uid)),
            )
        self.console.print(Panel(grid, title="who is who", title_align="left", box=box.ROUNDED, border_style="dim"))
        self.note(f"You are {self.who()}.", "dim")

    def roles(self, user_id: str) -> str:
        """What ``user_id`` is in the workspace, as /ict-role lists it (officer: owner or delegate; chair; admin)."""
        if self.runtime is None:
            return "(no database to ask)"
        rt = self.runtime
        with rt.unit(self.slack.team_id) as (session, ws):
            held = roles.roles_of(session, ws, user_id, rt.settings.admins_for(ws.external_id))
            mine = projects.list_projects(session, ws, user_id=user_id)
        found = role_commands.yours(user_id, held, mine)
        return " · ".join(found[1:] or found)

    def click(self, rest: str) -> None:
        if not self.buttons:
            self.note("No button to press yet: the bot's messages number their buttons [1], [2], …")
            return
        if not rest.isdigit() or not 1 <= int(rest) <= len(self.buttons):
            self.note(f"Usage: :click N, with N from 1 to {len(self.buttons)}.")
            return
        button = self.buttons[int(rest) - 1]
        presser = button.recipient or self.user_id
        if presser != self.user_id:  # a direct message to someone else: its buttons are theirs
            self.console.print(
                Text(f"(pressing “{button.label}” as {self.who(presser)}, whose direct message it is)", style="dim")
            )
        else:
            self.console.print(Text(f"(pressing “{button.label}”)", style="dim"))
        if button.on_home:
            self.dispatch(
                lambda: self.slack.home_button(
                    button.action_id, button.value, user_id=self.user_id, block_id=button.block_id
                )
            )
            return
        self.dispatch(
            lambda: self.slack.button(
                button.action_id, button.value, user_id=presser, channel_id=button.channel, block_id=button.block_id
            )
        )

    def home(self) -> None:
        start = len(self.standin.calls)
        self.dispatch(lambda: self.slack.home_opened(self.user_id))
        if any(c.method == "views.publish" for c in self.standin.calls[start:]):
            return
        self.note("(Home was published less than a minute ago and nothing changed: Slack shows it as it was)", "dim")
        last = next(
            (
                c
                for c in reversed(self.standin.calls[:start])
                if c.method == "views.publish" and c.params.get("user_id") == self.user_id
            ),
            None,
        )
        if last is not None:
            self.show_call(last)

    # -- the shell's clock ---------------------------------------------------------------------------
    def time(self, rest: str) -> None:
        """``:time`` (the clock and what falls due next), ``:time next``, or ``:time YYYY-MM-DD HH:MM``:
        move the shell's clock there and run one reconcile pass at it."""
        if self.runtime is None or self.clock is None or self.reconciler is None:
            self.note("This shell has no clock of its own to move.")
            return
        rt = self.runtime
        now = rt.now()
        with rt.unit(self.slack.team_id) as (session, ws):
            tz = meetings.workspace_timezone(session, ws, rt.settings.ICTBOT_TIMEZONE)
            coming = moments(session, ws, after=now, where=self.where)
        if not rest:
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="bold", no_wrap=True)
            grid.add_column()
            grid.add_row("Now", shown(now, tz))
            for m in coming[:6]:
                grid.add_row(m.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), m.what)
            if not coming:
                grid.add_row("", "Nothing on the calendar: a chair sets the series with /ict-meeting series.")
            grid.add_row(
                "", Text(":time next, or :time YYYY-MM-DD HH:MM, moves the clock and runs a pass", style="dim")
            )
            self.console.print(
                Panel(grid, title="the shell's clock", title_align="left", box=box.ROUNDED, border_style="dim")
            )
            return
        if rest.casefold() == "next":
            if not coming:
                self.note(
                    "Nothing falls due: there is no meeting on the calendar (a chair sets it with /ict-meeting series)."
                )
                return
            at = coming[0].at
        else:
            try:
                at = parse_moment(rest, tz)
            except ValueError as exc:
                self.note(f"{exc} (:time alone shows what falls due next.)")
                return
            if at < now.replace(second=0, microsecond=0):
                self.note(
                    f"The shell's clock only moves forward: it is {shown(now, tz)}. "
                    "Restart the shell to start again from the real time."
                )
                return
        self.clock.set(max(at, now))
        start = len(self.standin.calls)
        report = self.reconciler.tick()
        self.console.print(Text.assemble("🕘 ", (shown(rt.now(), tz), "bold"), ": ", self.tally(report)))
        # Sent from several threads at once: shown one conversation after another, people first.
        sent = [c for c in self.standin.calls[start:] if c.method != "views.publish"]
        for call in sorted(
            sent, key=lambda c: (not str(c.params.get("channel", "")).startswith("D"), str(c.params.get("channel", "")))
        ):
            self.show_call(call)
        after = [m for m in coming if m.at > rt.now()]
        if after:
            self.note(f"Next: {after[0].what}, {shown(after[0].at, tz)} (:time next).", "dim")

    @staticmethod
    def tally(report: TickReport) -> str:
        """What a pass did, in a line."""
        if not (report.held_lease or report.shared):
            return "another process is running a reconcile pass on this database (ictbot serve?); nothing was sent."
        chairs = sum(1 for item, o in report.outcomes if o.error is None and item.stage == CHAIR_STAGE)
        owners = sum(1 for _, o in report.outcomes if o.error is None) - chairs
        said = []
        if owners:
            said.append(f"{owners} reminder{'s' if owners != 1 else ''}")
        if chairs:
            said.append(f"the chairs' notice to {chairs} chair{'s' if chairs != 1 else ''}")
        if report.digests_sent:
            said.append("the digest")
        failed = [f"{item.user_id}: {o.error}" for item, o in report.outcomes if o.error is not None]
        failed += [f"digest: {o.error}" for _, o in report.digest_outcomes if o.error is not None]
        line = ("a reconcile pass sent " + ", ".join(said)) if said else "a reconcile pass ran; nothing was due"
        return line + (f" (failed: {'; '.join(failed)})" if failed else "") + "."

    def slash(self, line: str) -> None:
        command, _, text = line.partition(" ")
        typed = text.strip()
        mentions = self.mentions if command in ESCAPING_COMMANDS else None
        response = self.dispatch(lambda: self.slack.command(command, typed, user_id=self.user_id, mentions=mentions))
        if response.status == 404:
            self.note(f"The app has no listener for {command}; :help shows what you can try.", "dim")

    # -- one request and what Slack would have received ----------------------------------------------
    def dispatch(self, send: Callable[[], BoltResponse]) -> BoltResponse:
        start = len(self.standin.calls)
        response = send()
        self.show_response(response)
        for call in list(self.standin.calls[start:]):
            self.show_call(call)
        return response

    def show_response(self, response: BoltResponse) -> None:
        body = response.body or ""
        if response.status != 200:
            self.console.print(Text(f"HTTP {response.status} · {body}".rstrip(" ·"), style="bold red"))
            return
        if not body.strip():
            return
        try:
            data = json.loads(body)
        except ValueError:
            self.console.print(self.panel(self.mrkdwn(body), "reply"))
            return
        if not isinstance(data, dict):
            self.console.print(Text(body))
        elif data.get("response_action") == "errors":
            show_errors(self.console, data.get("errors") or {}, {})
        elif data.get("response_action") in ("update", "push") and isinstance(data.get("view"), dict):
            self.console.print(self.view_panel(data["view"], f"modal {data['response_action']}d"))
        elif "text" in data or "blocks" in data:
            self.console.print(self.panel(self.message(data), "only visible to you"))
        else:
            self.console.print(Text(json.dumps(data, indent=2, ensure_ascii=False)))

    def show_call(self, call: Call) -> None:
        p = call.params
        if "_fault" in p:
            self.note(f"(Slack answered {call.method} with HTTP {p['_fault']}; the bot retries)", "dim")
            return
        if call.method in UNSEEN_CALLS:
            return
        if call.method == "response_url":
            if p.get("delete_original"):
                self.note("(the bot deleted the message it had posted)", "dim")
                return
            ephemeral = p.get("response_type", "ephemeral") == "ephemeral"
            label = "only visible to you" if ephemeral else "in channel"
            if p.get("replace_original") and str(p.get("replace_original")).lower() != "false":
                label += " · replaces the original"
            self.console.print(self.panel(self.message(p), label, "dim" if ephemeral else "green"))
        elif call.method == "chat.postMessage":
            channel = str(p.get("channel", ""))
            label = f"message in {self.where(channel)}"
            if p.get("thread_ts"):
                label += " · in a thread"
            self._rendering_in = channel
            try:
                self.console.print(self.panel(self.message(p), label, "green"))
            finally:
                self._rendering_in = LOCAL_CHANNEL_ID
        elif call.method == "chat.postEphemeral":
            label = f"in {self.where(str(p.get('channel', '')))} · only visible to {self.who(str(p.get('user', '')))}"
            self.console.print(self.panel(self.message(p), label, "dim"))
        elif call.method == "chat.update":
            self.console.print(self.panel(self.message(p), "message edited", "green"))
        elif call.method == "views.open" and isinstance(p.get("view"), dict):
            n = next(self._views)  # Slack gives each view an id, and a hash that changes when the view does
            self.form().fill({**p["view"], "id": f"VLOCAL{n:04d}", "hash": f"1764000000.{n:06d}"})
        elif call.method == "views.publish" and isinstance(p.get("view"), dict):
            self._rendering_home = True
            try:
                self.console.print(
                    self.panel(
                        self.blocks(p["view"].get("blocks") or []),
                        f"Home of {self.who(str(p.get('user_id') or ''))}",
                        "cyan",
                    )
                )
            finally:
                self._rendering_home = False
        elif call.method in ("views.update", "views.push") and isinstance(p.get("view"), dict):
            self.console.print(self.view_panel(p["view"], call.method.replace("views.", "modal ") + "d"))
        elif call.method == "files.completeUploadExternal":
            shared = p.get("files")
            if isinstance(shared, str):
                try:
                    shared = json.loads(shared)
                except ValueError:
                    shared = []
            titles = ", ".join(str(f.get("title", "")) for f in shared or [] if isinstance(f, dict))
            place = self.where(str(p["channel_id"])) if p.get("channel_id") else "no conversation"
            self.note(f"(📎 the bot shared {titles or 'a file'} in {place})", "dim")
        else:
            self.note(f"(the bot called {call.method})", "dim")

    # -- rendering ----------------------------------------------------------------------------------
    def panel(self, body: RenderableType, label: str, style: str = "dim") -> Panel:
        return Panel(body, title=f"ictbot · {label}", title_align="left", box=box.ROUNDED, border_style=style)

    def message(self, params: Mapping[str, Any]) -> RenderableType:
        blocks = params.get("blocks")
        if isinstance(blocks, str):
            try:
                blocks = json.loads(blocks)
            except ValueError:
                blocks = None
        if isinstance(blocks, list) and blocks:
            return self.blocks(blocks)
        return self.mrkdwn(str(params.get("text", "")))

    def blocks(self, blocks: Sequence[Mapping[str, Any]]) -> RenderableType:
        parts: list[RenderableType] = []
        users = self.users
        for block in blocks:
            kind = block.get("type")
            if kind == "section":
                text = text_object(block.get("text"), users, LOCAL_CHANNELS)
                for f in block.get("fields") or []:
                    text.append("\n")
                    text.append_text(text_object(f, users, LOCAL_CHANNELS))
                accessory = block.get("accessory")
                if isinstance(accessory, dict) and accessory.get("type") == "button":
                    text.append("  ")
                    text.append_text(self.button(accessory, str(block.get("block_id", ""))))
                parts.append(text)
            elif kind == "rich_text":
                parts.append(rich_text(block, users=users, channels=LOCAL_CHANNELS))
            elif kind == "header":
                parts.append(Text(plain(block.get("text")), style="bold"))
            elif kind == "context":
                texts = [text_object(e, users, LOCAL_CHANNELS) for e in block.get("elements", []) if "text" in e]
                joined = Text("  ").join(texts)
                joined.stylize("dim")
                parts.append(joined)
            elif kind == "divider":
                parts.append(Text("─" * 24, style="dim"))
            elif kind == "actions":
                row = Text()
                for element in block.get("elements", []):
                    if element.get("type") == "button":
                        row.append_text(self.button(element, str(block.get("block_id", ""))))
                        row.append("  ")
                    else:
                        placeholder = plain(element.get("placeholder"), str(element.get("type")))
                        row.append(f"[{placeholder} ▾]  ", style="dim")
                parts.append(row)
            elif kind == "input":
                label = plain(block.get("label"))
                element = block.get("element", {})
                value = element.get("initial_value") or option_label(element.get("initial_option") or {})
                parts.append(Text.assemble((label, "bold"), ": ", value or "…"))
            elif kind == "image":
                parts.append(Text(f"[image: {block.get('alt_text', '')}]", style="dim"))
            else:
                parts.append(Text(f"[{kind} block]", style="dim"))
        return Group(*parts)

    def button(self, element: Mapping[str, Any], block_id: str) -> Text:
        label = plain(element.get("text"))
        self.buttons.append(
            _Button(
                label,
                str(element.get("action_id", "")),
                str(element.get("value", "")),
                block_id or "actions",
                on_home=self._rendering_home,
                channel=self._rendering_in,
                recipient=self.recipient(self._rendering_in),
            )
        )
        n = len(self.buttons)
        return Text.assemble((f"[ {label} ]", "reverse"), (f" :click {n}", "dim"))

    def view_panel(self, view: Mapping[str, Any], label: str) -> Panel:
        title = plain(view.get("title"), "modal")
        return self.panel(self.blocks(view.get("blocks") or []), f"{label}: {title}", "blue")
