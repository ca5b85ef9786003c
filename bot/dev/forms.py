"""Filling in a modal at the shell's prompt, field by field, and submitting it as Slack would.

Text inputs, selects, radio buttons and external selects (whose options the app is asked for as Slack
asks it); a field type the shell cannot fill abandons the form. What the app answers is shown through
the console (:class:`Screen`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text
from slack_bolt import BoltResponse

from bot.dev.local import LocalSlack, element_options, input_blocks
from bot.dev.standin import Call, SlackStandIn
from bot.dev.terminal import CANCEL, QUIT, Lines, option_label, plain

__all__ = ["Cancelled", "ModalForm", "Screen", "show_errors"]

CLEAR = ":clear"


class Cancelled(Exception):
    """The person abandoned a modal (``:cancel``, Ctrl-C or end of input)."""


class Screen(Protocol):
    """What a form shows through the console: the bot's blocks, and what Slack received."""

    def blocks(self, blocks: Sequence[Mapping[str, Any]]) -> RenderableType: ...

    def show_response(self, response: BoltResponse) -> None: ...

    def show_call(self, call: Call) -> None: ...


def show_errors(console: Console, errors: Mapping[str, Any], blocks: Mapping[str, Mapping[str, Any]]) -> None:
    """The errors the app gave for a modal's fields, by the fields' labels."""
    for block_id, message in errors.items():
        block = blocks.get(block_id)
        name = plain(block.get("label"), block_id) if block else block_id
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        grid.add_row(Text(f"  ✗ {name}:", style="bold red"), Text(str(message), style="red"))
        console.print(grid)


@dataclass
class ModalForm:
    """One person filling in the modals the bot opens, at the prompt."""

    console: Console
    lines: Lines
    slack: LocalSlack
    standin: SlackStandIn
    screen: Screen
    user_id: str
    labels: dict[str, str]  # chosen options' labels, by value (kept across forms)

    def note(self, text: str, style: str = "yellow") -> None:
        self.console.print(Text(text, style=style))

    def fill(self, view: dict[str, Any]) -> None:
        """Fill in a modal at the prompt and submit it, until it is saved or abandoned."""
        title = plain(view.get("title"), "modal")
        self.console.rule(Text(f"modal · {title}", style="bold blue"), align="left", style="blue")
        shown = [b for b in view.get("blocks", []) if b.get("type") != "input"]
        if shown:
            self.console.print(self.screen.blocks(shown))
        self.console.print(Text("Fill in the fields; :cancel abandons the form.", style="dim"))
        values: dict[str, str | None] = {}
        try:
            to_ask = input_blocks(view)
            while True:
                for block in to_ask:
                    values[block["block_id"]] = self.ask(block, values.get(block["block_id"], _initial(block)), view)
                submit = plain(view.get("submit"), "Submit")
                self.console.print(Text(f"→ {submit}", style="bold blue"))
                start = len(self.standin.calls)
                response = self.slack.submit_view(view, values, user_id=self.user_id)
                data = _json(response.body) if response.status == 200 else None
                if data is not None and data.get("response_action") == "errors":
                    errors = data.get("errors") or {}
                    show_errors(self.console, errors, {b["block_id"]: b for b in input_blocks(view)})
                    to_ask = [b for b in input_blocks(view) if b["block_id"] in errors] or input_blocks(view)
                    for call in list(self.standin.calls[start:]):
                        self.screen.show_call(call)
                    continue
                self.screen.show_response(response)
                if data is None or not data.get("response_action") or data.get("response_action") == "clear":
                    self.console.print(Text("(the modal closed)", style="dim"))
                for call in list(self.standin.calls[start:]):
                    self.screen.show_call(call)
                nested = data.get("view") if data is not None else None
                if isinstance(nested, dict) and input_blocks(nested):
                    self.fill({**nested, "id": view.get("id", "V0"), "hash": f"{view.get('hash', '')}.u"})
                return
        except Cancelled:
            self.console.print(Text("Form abandoned; nothing was submitted.", style="yellow"))

    def read_field(self, hint: str = "") -> str:
        answer = self.lines.read(Text.assemble(("  ", ""), (hint, "dim"), ("› ", "blue")))
        if answer is not None and answer.strip() in QUIT:
            self.lines.ended = True  # leave the shell once the form is abandoned
        if answer is None or answer.strip() in (CANCEL, *QUIT):
            raise Cancelled
        return answer

    def ask(self, block: Mapping[str, Any], current: str | None, view: Mapping[str, Any]) -> str | None:
        element = block["element"]
        kind = element["type"]
        label = plain(block.get("label"))
        optional = bool(block.get("optional"))
        header = Text(label, style="bold")
        if optional:
            header.append(" (optional)", style="dim")
        self.console.print(header)
        if block.get("hint"):
            self.console.print(Text("  " + plain(block["hint"]), style="dim"))
        if kind == "plain_text_input":
            return self.ask_text(element, current, optional)
        if kind in ("static_select", "radio_buttons"):
            return self.ask_choice(element_options(element), element.get("option_groups"), current, optional)
        if kind == "external_select":
            return self.ask_search(block, current, optional, view)
        self.note(f"The shell cannot fill in a {kind} field yet.")
        raise Cancelled

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
            self.console.print(Text.assemble(("  now: ", "dim"), option_label(chosen), ("  (Enter keeps it)", "dim")))
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
            self.labels.setdefault(str(initial["value"]), option_label(initial))
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
                self.labels[str(match["value"])] = option_label(match)
                return str(match["value"])
            query = answer

    def list_options(self, options: Sequence[Mapping[str, Any]], groups: Sequence[Mapping[str, Any]] | None) -> None:
        width = len(str(len(options)))
        n = 0
        for group in groups or [{"options": options}]:
            indent = "  "
            if "label" in group:
                self.console.print(Text("  " + plain(group["label"]), style="dim italic"))
                indent = "    "
            for option in group["options"]:
                n += 1
                self.console.print(Text.assemble(indent, (f"{n:>{width}}", "cyan"), "  ", option_label(option)))


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
    starts = [o for o in options if re.sub(r"^\W+", "", option_label(o)).casefold().startswith(key)]
    return starts[0] if len(starts) == 1 else None
