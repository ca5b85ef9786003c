"""The console of ``ictbot shell``: each line typed is sent to the Bolt app as Slack would send it, and
what Slack would have received (replies, messages, modals) is printed; a modal the bot opens is filled
in at the prompt, field by field, and submitted as Slack would submit it.

Lines starting with ``/`` are slash commands; lines starting with ``:`` are console commands
(``:help``, ``:as``, ``:shortcut``, ``:click``, ``:quit``).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from rich import box
from rich.console import Console, Group, RenderableType
from rich.emoji import Emoji
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text
from slack_bolt import BoltResponse

from bot.dev.local import LocalSlack, element_options, input_blocks
from bot.dev.standin import Call, SlackStandIn
from bot.settings import SLACK_USER_ID
from handlers.slack.shortcuts.log_as_update import LOG_AS_UPDATE

__all__ = ["EXAMPLE", "Lines", "SlackConsole", "mrkdwn_text"]

log = logging.getLogger(__name__)

LOCAL_CHANNEL_ID = "C0GOVERN"  # the channel LocalSlack sends commands from
LOCAL_CHANNELS = {LOCAL_CHANNEL_ID: "ict-governance"}
EXAMPLE = "/ict-update NET-01 amber Links delayed by the supplier"
CANCEL = ":cancel"
CLEAR = ":clear"
QUIT = (":quit", ":q", ":exit")

# Slack emoji names the bot uses that rich does not know.
_SLACK_EMOJI = {
    "large_orange_circle": "🟠",
    "large_green_circle": "🟢",
    "large_yellow_circle": "🟡",
    "large_blue_circle": "🔵",
    "large_purple_circle": "🟣",
    "white_circle": "⚪",
    "black_circle": "⚫",
}
_EMOJI = re.compile(r":([a-z0-9_+-]+):")
# One mrkdwn token: `code`, a <control sequence>, *bold*, _italic_ or ~strike~.
_TOKEN = re.compile(
    r"(?P<code>`[^`\n]+`)"
    r"|<(?P<control>[^<>\s][^<>]*)>"
    r"|(?<![\w*])\*(?!\s)(?P<bold>[^*\n]+?)(?<!\s)\*(?![\w*])"
    r"|(?<![\w_])_(?!\s)(?P<italic>[^_\n]+?)(?<!\s)_(?![\w_])"
    r"|(?<![\w~])~(?!\s)(?P<strike>[^~\n]+?)(?<!\s)~(?![\w~])"
)


class _Cancelled(Exception):
    """The person abandoned a modal (``:cancel``, Ctrl-C or end of input)."""


@dataclass(frozen=True, slots=True)
class _Button:
    label: str
    action_id: str
    value: str
    block_id: str


# -- mrkdwn for a terminal ---------------------------------------------------------------------------


def unescape(text: str) -> str:
    """Undo Slack's escaping of ``&``, ``<`` and ``>`` for display."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def emojize(text: str) -> str:
    """``:white_check_mark:`` → ✅, leaving unknown names as they are."""
    return _EMOJI.sub(lambda m: _SLACK_EMOJI.get(m[1]) or Emoji.replace(m[0]), text)


def mrkdwn_text(
    source: str, *, users: Mapping[str, str] | None = None, channels: Mapping[str, str] | None = None
) -> Text:
    """Slack mrkdwn as styled terminal text: *bold*, _italic_, `code`, mentions by name, emoji."""
    out = Text()
    _append_mrkdwn(out, source, Style(), users or {}, channels or {})
    return out


def _append_mrkdwn(out: Text, source: str, style: Style, users: Mapping[str, str], channels: Mapping[str, str]) -> None:
    pos = 0
    for m in _TOKEN.finditer(source):
        if m.start() > pos:
            out.append(emojize(unescape(source[pos : m.start()])), style)
        pos = m.end()
        if m["code"] is not None:
            out.append(unescape(m["code"][1:-1]), style + Style(color="cyan"))
        elif m["control"] is not None:
            out.append(_control(m["control"], users, channels), style + Style(color="blue"))
        elif m["bold"] is not None:
            _append_mrkdwn(out, m["bold"], style + Style(bold=True), users, channels)
        elif m["italic"] is not None:
            _append_mrkdwn(out, m["italic"], style + Style(italic=True), users, channels)
        else:
            _append_mrkdwn(out, m["strike"], style + Style(strike=True), users, channels)
    if pos < len(source):
        out.append(emojize(unescape(source[pos:])), style)


def _control(inner: str, users: Mapping[str, str], channels: Mapping[str, str]) -> str:
    """A Slack control sequence (``<@U1>``, ``<#C1|name>``, ``<!here>``, ``<url|label>``) as a reader sees it."""
    target, _, label = inner.partition("|")
    label = unescape(label)
    if target.startswith("@"):
        return "@" + (label or users.get(target[1:]) or target[1:])
    if target.startswith("#"):
        return "#" + (label or channels.get(target[1:]) or target[1:])
    if target.startswith("!subteam^") or target.startswith("!date^"):
        return label or target[1:]
    if target.startswith("!"):
        return "@" + target[1:]
    target = unescape(target)
    return f"{label} ({target})" if label else target


# The styles of a rich text element, for a terminal.
_RICH_STYLES = {
    "bold": Style(bold=True),
    "italic": Style(italic=True),
    "strike": Style(strike=True),
    "code": Style(color="cyan"),
}


def rich_text(
    block: Mapping[str, Any], *, users: Mapping[str, str] | None = None, channels: Mapping[str, str] | None = None
) -> Text:
    """A ``rich_text`` block as styled terminal text, as Slack shows it: a ``text`` element exactly as it
    is (no mrkdwn, no emoji codes, no links read in it), emoji, mentions and channels by name."""
    out = Text()
    for section in block.get("elements") or []:
        if out and section.get("type") != "rich_text_section":
            out.append("\n")
        for e in section.get("elements") or []:
            style = Style()
            for name, on in (e.get("style") or {}).items():
                if on and name in _RICH_STYLES:
                    style += _RICH_STYLES[name]
            out.append_text(_rich_element(e, style, users or {}, channels or {}))
    return out


def _rich_element(e: Mapping[str, Any], style: Style, users: Mapping[str, str], channels: Mapping[str, str]) -> Text:
    kind = e.get("type")
    if kind == "text":
        return Text(str(e.get("text", "")), style=style)
    if kind == "emoji":
        return Text(emojize(f":{e.get('name', '')}:"), style=style)
    blue = style + Style(color="blue")
    if kind == "user":
        uid = str(e.get("user_id", ""))
        return Text("@" + users.get(uid, uid), style=blue)
    if kind == "channel":
        cid = str(e.get("channel_id", ""))
        return Text("#" + channels.get(cid, cid), style=blue)
    if kind == "usergroup":
        return Text("@" + str(e.get("usergroup_id", "")), style=blue)
    if kind == "link":
        return Text(str(e.get("text") or e.get("url", "")), style=blue)
    return Text(f"[{kind}]", style="dim")


def _text_object(obj: Mapping[str, Any] | None, users: Mapping[str, str], channels: Mapping[str, str]) -> Text:
    if not obj:
        return Text()
    if obj.get("type") == "mrkdwn":
        return mrkdwn_text(str(obj.get("text", "")), users=users, channels=channels)
    text = str(obj.get("text", ""))
    return Text(emojize(text) if obj.get("emoji", True) else text)


def _plain(obj: Mapping[str, Any] | None, default: str = "") -> str:
    """A text object's text as a reader sees it (for labels, titles, buttons)."""
    if not obj:
        return default
    text = str(obj.get("text", default))
    return unescape(text) if obj.get("type") == "mrkdwn" else emojize(text)


def _option_label(option: Mapping[str, Any]) -> str:
    return _plain(option.get("text"), str(option.get("value", "")))


# -- the console -------------------------------------------------------------------------------------


@dataclass
class Lines:
    """Where typed lines come from: the terminal (with line editing) or a stream (echoed, for a transcript)."""

    console: Console
    stream: TextIO | None

    def __post_init__(self) -> None:
        self.interactive = self.stream is None and sys.stdin.isatty() and self.console.is_terminal
        self.ended = False
        if self.interactive:
            try:
                import readline  # noqa: F401  (line editing and history for input())
            except ImportError:  # pragma: no cover  (not on every platform)
                pass

    def read(self, prompt: Text) -> str | None:
        """One line without its newline; None at the end of input. Ctrl-C reads as ``:cancel``."""
        if self.ended:
            return None
        if self.interactive:
            try:
                return self.console.input(prompt)
            except EOFError:
                self.console.print()
                self.ended = True
                return None
            except KeyboardInterrupt:
                self.console.print()
                return CANCEL
        stream = self.stream if self.stream is not None else sys.stdin
        self.console.print(prompt, end="")
        line = stream.readline()
        if not line:
            self.console.print()
            self.ended = True
            return None
        line = line.rstrip("\r\n")
        self.console.print(Text(line), soft_wrap=True)  # echo, so a piped session reads as a transcript
        return line


@dataclass
class SlackConsole:
    console: Console
    lines: Lines
    slack: LocalSlack
    standin: SlackStandIn
    user_id: str
    buttons: list[_Button] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # chosen options' labels, by value
    _views: Iterator[int] = field(default_factory=lambda: iter(range(1, 1_000_000)))

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
            return "a direct message"
        return "#" + LOCAL_CHANNELS.get(channel, channel)

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
                    LOG_AS_UPDATE, user_id=self.user_id, message_text=rest, author_id=self.user_id
                )
            )
        elif word == ":click":
            self.click(rest)
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
            (":as USER", "act as another user (an ID, or a first name): " + ", ".join(self.who(u) for u in self.users)),
            (":shortcut TEXT", "use “Log as ICT update” on a message that says TEXT"),
            (":click N", "press button [N] in a message the bot posted"),
            (":cancel", "abandon the form you are filling in"),
            (":help", "this list"),
            (":quit", "leave (Ctrl-D works too)"),
        ]
        for a, b in rows:
            grid.add_row(a, b)
        self.console.print(Panel(grid, title="ictbot shell", title_align="left", box=box.ROUNDED, border_style="dim"))

    def switch_user(self, who: str) -> None:
        if not who:
            self.note("Usage: :as USER — one of " + ", ".join(self.who(u) for u in self.users) + ".")
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

    def click(self, rest: str) -> None:
        if not self.buttons:
            self.note("No button to press yet: the bot's messages number their buttons [1], [2], …")
            return
        if not rest.isdigit() or not 1 <= int(rest) <= len(self.buttons):
            self.note(f"Usage: :click N, with N from 1 to {len(self.buttons)}.")
            return
        button = self.buttons[int(rest) - 1]
        self.console.print(Text(f"(pressing “{button.label}”)", style="dim"))
        self.dispatch(
            lambda: self.slack.button(button.action_id, button.value, user_id=self.user_id, block_id=button.block_id)
        )

    def slash(self, line: str) -> None:
        command, _, text = line.partition(" ")
        response = self.dispatch(lambda: self.slack.command(command, text.strip(), user_id=self.user_id))
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
            self.show_errors(data.get("errors") or {}, {})
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
            label = f"message in {self.where(str(p.get('channel', '')))}"
            if p.get("thread_ts"):
                label += " · in a thread"
            self.console.print(self.panel(self.message(p), label, "green"))
        elif call.method == "chat.postEphemeral":
            label = f"in {self.where(str(p.get('channel', '')))} · only visible to {self.who(str(p.get('user', '')))}"
            self.console.print(self.panel(self.message(p), label, "dim"))
        elif call.method == "chat.update":
            self.console.print(self.panel(self.message(p), "message edited", "green"))
        elif call.method == "views.open" and isinstance(p.get("view"), dict):
            n = next(self._views)  # Slack gives each view an id, and a hash that changes when the view does
            self.fill_modal({**p["view"], "id": f"VLOCAL{n:04d}", "hash": f"1764000000.{n:06d}"})
        elif call.method in ("views.update", "views.push") and isinstance(p.get("view"), dict):
            self.console.print(self.view_panel(p["view"], call.method.replace("views.", "modal ") + "d"))
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
                text = _text_object(block.get("text"), users, LOCAL_CHANNELS)
                for f in block.get("fields") or []:
                    text.append("\n")
                    text.append_text(_text_object(f, users, LOCAL_CHANNELS))
                accessory = block.get("accessory")
                if isinstance(accessory, dict) and accessory.get("type") == "button":
                    text.append("  ")
                    text.append_text(self.button(accessory, str(block.get("block_id", ""))))
                parts.append(text)
            elif kind == "rich_text":
                parts.append(rich_text(block, users=users, channels=LOCAL_CHANNELS))
            elif kind == "header":
                parts.append(Text(_plain(block.get("text")), style="bold"))
            elif kind == "context":
                texts = [_text_object(e, users, LOCAL_CHANNELS) for e in block.get("elements", []) if "text" in e]
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
                        placeholder = _plain(element.get("placeholder"), str(element.get("type")))
                        row.append(f"[{placeholder} ▾]  ", style="dim")
                parts.append(row)
            elif kind == "input":
                label = _plain(block.get("label"))
                element = block.get("element", {})
                value = element.get("initial_value") or _option_label(element.get("initial_option") or {})
                parts.append(Text.assemble((label, "bold"), ": ", value or "…"))
            elif kind == "image":
                parts.append(Text(f"[image: {block.get('alt_text', '')}]", style="dim"))
            else:
                parts.append(Text(f"[{kind} block]", style="dim"))
        return Group(*parts)

    def button(self, element: Mapping[str, Any], block_id: str) -> Text:
        label = _plain(element.get("text"))
        self.buttons.append(
            _Button(label, str(element.get("action_id", "")), str(element.get("value", "")), block_id or "actions")
        )
        n = len(self.buttons)
        return Text.assemble((f"[ {label} ]", "reverse"), (f" :click {n}", "dim"))

    def view_panel(self, view: Mapping[str, Any], label: str) -> Panel:
        title = _plain(view.get("title"), "modal")
        return self.panel(self.blocks(view.get("blocks") or []), f"{label}: {title}", "blue")

    # -- modals -------------------------------------------------------------------------------------
    def fill_modal(self, view: dict[str, Any]) -> None:
        """Fill in a modal at the prompt and submit it, until it is saved or abandoned."""
        title = _plain(view.get("title"), "modal")
        self.console.rule(Text(f"modal · {title}", style="bold blue"), align="left", style="blue")
        shown = [b for b in view.get("blocks", []) if b.get("type") != "input"]
        if shown:
            self.console.print(self.blocks(shown))
        self.console.print(Text("Fill in the fields; :cancel abandons the form.", style="dim"))
        values: dict[str, str | None] = {}
        try:
            to_ask = input_blocks(view)
            while True:
                for block in to_ask:
                    values[block["block_id"]] = self.ask(block, values.get(block["block_id"], _initial(block)), view)
                submit = _plain(view.get("submit"), "Submit")
                self.console.print(Text(f"→ {submit}", style="bold blue"))
                start = len(self.standin.calls)
                response = self.slack.submit_view(view, values, user_id=self.user_id)
                data = _json(response.body) if response.status == 200 else None
                if data is not None and data.get("response_action") == "errors":
                    errors = data.get("errors") or {}
                    self.show_errors(errors, {b["block_id"]: b for b in input_blocks(view)})
                    to_ask = [b for b in input_blocks(view) if b["block_id"] in errors] or input_blocks(view)
                    for call in list(self.standin.calls[start:]):
                        self.show_call(call)
                    continue
                self.show_response(response)
                if data is None or not data.get("response_action") or data.get("response_action") == "clear":
                    self.console.print(Text("(the modal closed)", style="dim"))
                for call in list(self.standin.calls[start:]):
                    self.show_call(call)
                nested = data.get("view") if data is not None else None
                if isinstance(nested, dict) and input_blocks(nested):
                    self.fill_modal({**nested, "id": view.get("id", "V0"), "hash": f"{view.get('hash', '')}.u"})
                return
        except _Cancelled:
            self.console.print(Text("Form abandoned; nothing was submitted.", style="yellow"))

    def show_errors(self, errors: Mapping[str, Any], blocks: Mapping[str, Mapping[str, Any]]) -> None:
        for block_id, message in errors.items():
            block = blocks.get(block_id)
            name = _plain(block.get("label"), block_id) if block else block_id
            grid = Table.grid(padding=(0, 1))
            grid.add_column(no_wrap=True)
            grid.add_column()
            grid.add_row(Text(f"  ✗ {name}:", style="bold red"), Text(str(message), style="red"))
            self.console.print(grid)

    def read_field(self, hint: str = "") -> str:
        answer = self.lines.read(Text.assemble(("  ", ""), (hint, "dim"), ("› ", "blue")))
        if answer is not None and answer.strip() in QUIT:
            self.lines.ended = True  # leave the shell once the form is abandoned
        if answer is None or answer.strip() in (CANCEL, *QUIT):
            raise _Cancelled
        return answer

    def ask(self, block: Mapping[str, Any], current: str | None, view: Mapping[str, Any]) -> str | None:
        element = block["element"]
        kind = element["type"]
        label = _plain(block.get("label"))
        optional = bool(block.get("optional"))
        header = Text(label, style="bold")
        if optional:
            header.append(" (optional)", style="dim")
        self.console.print(header)
        if block.get("hint"):
            self.console.print(Text("  " + _plain(block["hint"]), style="dim"))
        if kind == "plain_text_input":
            return self.ask_text(element, current, optional)
        if kind in ("static_select", "radio_buttons"):
            return self.ask_choice(element_options(element), element.get("option_groups"), current, optional)
        if kind == "external_select":
            return self.ask_search(block, current, optional, view)
        self.note(f"The shell cannot fill in a {kind} field yet.")
        raise _Cancelled

    def ask_text(self, element: Mapping[str, Any], current: str | None, optional: bool) -> str | None:
        low, high = int(element.get("min_length") or 0), int(element.get("max_length") or 3000)
        if current:
            self.console.print(Text.assemble(("  now: ", "dim"), current))
            self.console.print(Text(f"  Enter keeps it{'; :clear empties it' if optional else ''}.", style="dim"))
        while True:
            answer = self.read_field()
            if answer.strip() == CLEAR and optional:
                return None
            value = answer if answer else current
            if not value:
                if optional:
                    return None
                self.note("  This field is required.")
                continue
            if len(value) > high:
                self.note(f"  At most {high:,} characters, please (this is {len(value):,}).")
                continue
            if len(value) < low:
                self.note(f"  At least {low:,} characters, please (this is {len(value):,}).")
                continue
            return value

    def ask_choice(
        self,
        options: Sequence[Mapping[str, Any]],
        groups: Sequence[Mapping[str, Any]] | None,
        current: str | None,
        optional: bool,
    ) -> str | None:
        self.list_options(options, groups)
        chosen = next((o for o in options if o.get("value") == current), None)
        if chosen is not None:
            self.console.print(Text.assemble(("  now: ", "dim"), _option_label(chosen), ("  (Enter keeps it)", "dim")))
        while True:
            answer = self.read_field("number or name ").strip()
            if not answer:
                if chosen is not None:
                    return str(chosen["value"])
                if optional:
                    return None
                self.note("  Choose one of the options (this field is required).")
                continue
            match = _match_option(answer, options)
            if match is None:
                self.note(f"  {answer} is not one of the options; type its number.")
                continue
            return str(match["value"])

    def ask_search(
        self, block: Mapping[str, Any], current: str | None, optional: bool, view: Mapping[str, Any]
    ) -> str | None:
        """An external select: the app is asked for options matching what is typed, as Slack asks it."""
        element = block["element"]
        initial = element.get("initial_option")
        if initial:
            self.labels.setdefault(str(initial["value"]), _option_label(initial))
        if current:
            now = self.labels.get(current, current)
            self.console.print(Text.assemble(("  now: ", "dim"), now, ("  (Enter keeps it)", "dim")))
        self.console.print(Text("  Type part of a reference or title to search; Enter lists them.", style="dim"))
        query = self.read_field("search ")
        if not query and current:
            return current
        while True:
            response = self.slack.block_suggestion(dict(view), element["action_id"], query, user_id=self.user_id)
            data = _json(response.body) or {}
            groups = data.get("option_groups")
            options = [o for g in groups for o in g["options"]] if groups else list(data.get("options") or [])
            if not options:
                self.note(f"  Nothing matches “{query}”; search again.")
                query = self.read_field("search ")
                continue
            self.list_options(options, groups)
            while True:
                answer = self.read_field("number, or search again ").strip()
                if answer or optional:
                    break
                self.note("  Type a number from the list, or words to search again (this field is required).")
            if not answer:
                return None
            match = _match_option(answer, options)
            if match is not None:
                self.labels[str(match["value"])] = _option_label(match)
                return str(match["value"])
            query = answer

    def list_options(self, options: Sequence[Mapping[str, Any]], groups: Sequence[Mapping[str, Any]] | None) -> None:
        width = len(str(len(options)))
        n = 0
        for group in groups or [{"options": options}]:
            indent = "  "
            if "label" in group:
                self.console.print(Text("  " + _plain(group["label"]), style="dim italic"))
                indent = "    "
            for option in group["options"]:
                n += 1
                self.console.print(Text.assemble(indent, (f"{n:>{width}}", "cyan"), "  ", _option_label(option)))


def _initial(block: Mapping[str, Any]) -> str | None:
    element = block.get("element", {})
    if element.get("initial_value"):
        return str(element["initial_value"])
    option = element.get("initial_option")
    return str(option["value"]) if option else None


def _json(body: str | None) -> dict[str, Any] | None:
    if not body:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _match_option(answer: str, options: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """An option by its number, its value, or the start of its label (e.g. ``net-01``, ``amber``)."""
    if answer.isdigit() and 1 <= int(answer) <= len(options):
        return options[int(answer) - 1]
    key = answer.casefold()
    for option in options:
        if str(option.get("value", "")).casefold() == key:
            return option
    starts = [o for o in options if re.sub(r"^\W+", "", _option_label(o)).casefold().startswith(key)]
    return starts[0] if len(starts) == 1 else None
