"""manifest.yml against Slack's schema, the registered listeners and the Web API calls in the code.

The listeners are read by handing ``handlers.slack.listeners.register_listeners`` a recording stand-in for the Bolt
app (no Bolt internals), then cross-checked against the real Bolt app so that a listener registered
anywhere else is caught too. The scopes come from scanning ``bot/``, ``handlers/`` and ``models/`` for
Web API calls, each mapped to its scope by the table below (from Slack's method reference).
"""

from __future__ import annotations

import ast
import inspect
import json
import re
from collections.abc import Callable, Iterable
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, cast

import jsonschema
import pytest
import yaml
from slack_sdk import WebClient
from slack_sdk.web.base_client import BaseClient

from bot.server import SLACK_EVENTS_PATH
from handlers.slack import oauth
from handlers.slack.listeners import register_listeners

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "manifest.yml"
SCHEMA_FILE = ROOT / "tests" / "data" / "slack-manifest-schema" / "manifest.schema.1.0.0.json"  # vendored, MIT
SOURCE_DIRS = ("bot", "handlers", "models")

# Web API method → the bot scopes it needs (https://docs.slack.dev/reference/methods/...).
# A call to a method missing here fails the test: look the method up and add it.
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "auth.test": frozenset(),
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.postEphemeral": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    "chat.delete": frozenset({"chat:write"}),
    "chat.scheduleMessage": frozenset({"chat:write"}),
    "views.open": frozenset(),
    "views.push": frozenset(),
    "views.update": frozenset(),
    "views.publish": frozenset(),
    "users.info": frozenset({"users:read"}),
    "users.list": frozenset({"users:read"}),
    # users:read.email must be requested together with users:read.
    "users.lookupByEmail": frozenset({"users:read", "users:read.email"}),
    "conversations.open": frozenset({"im:write"}),
    # One *:history scope per kind of conversation read: the bot reads the DMs it sends reminders in
    # (im:history) and the governance channel it posts the digest in, public or private
    # (channels:history, groups:history). It reads no group DM, so mpim:history is not needed.
    "conversations.history": frozenset({"im:history", "channels:history", "groups:history"}),
    "files.getUploadURLExternal": frozenset({"files:write"}),
    "files.completeUploadExternal": frozenset({"files:write"}),
    # slack_sdk's files_upload_v2: files.getUploadURLExternal, a POST to its URL, files.completeUploadExternal.
    "files.upload.v2": frozenset({"files:write"}),
    "team.info": frozenset({"team:read"}),
    "usergroups.users.list": frozenset({"usergroups:read"}),
}
# Bot event → the scope it needs. An event missing here fails the test: look it up and add it.
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "app_home_opened": frozenset(),
    "app_uninstalled": frozenset(),
    "tokens_revoked": frozenset(),
    "user_change": frozenset({"users:read"}),
    "app_mention": frozenset({"app_mentions:read"}),
    "message.channels": frozenset({"channels:history"}),
    "message.groups": frozenset({"groups:history"}),
    "message.im": frozenset({"im:history"}),
    "message.mpim": frozenset({"mpim:history"}),
}
# What each command's handler relies on (see the comments in manifest.yml).
SHOULD_ESCAPE = {"/ict-update": False, "/ict-project": True, "/ict-role": True}
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$")  # the schema says "regex", which validators skip

Constraint = str | re.Pattern[str]


# -- what the code registers -------------------------------------------------------------------
@dataclass
class Registered:
    commands: list[Constraint] = field(default_factory=list)
    message_shortcuts: list[Constraint] = field(default_factory=list)
    global_shortcuts: list[Constraint] = field(default_factory=list)
    any_shortcuts: list[Constraint] = field(default_factory=list)  # app.shortcut("id"): either kind
    events: list[Constraint] = field(default_factory=list)
    actions: list[Constraint] = field(default_factory=list)
    views: list[Constraint] = field(default_factory=list)
    options: list[Constraint] = field(default_factory=list)
    functions: list[Callable[..., Any]] = field(default_factory=list)

    @property
    def interactive(self) -> bool:
        shortcuts = self.message_shortcuts + self.global_shortcuts + self.any_shortcuts
        return bool(self.actions or self.views or self.options or shortcuts)


def _constraint(value: Any, *keys: str) -> Constraint:
    if isinstance(value, str | re.Pattern):
        return value
    if isinstance(value, dict):
        for key in keys:
            if key in value:
                return _constraint(value[key])
    raise AssertionError(f"test_manifest cannot read the listener constraint {value!r}; teach _constraint")


class RecordingApp:
    """Takes the place of the Bolt app in ``register_listeners`` and records what is registered."""

    _KINDS: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {
        "command": ("commands", ()),
        "message_shortcut": ("message_shortcuts", ("callback_id",)),
        "global_shortcut": ("global_shortcuts", ("callback_id",)),
        "event": ("events", ("type",)),
        "action": ("actions", ("action_id", "callback_id", "block_id")),
        "block_action": ("actions", ("action_id", "block_id")),
        "attachment_action": ("actions", ("callback_id",)),
        "dialog_submission": ("views", ("callback_id",)),
        "dialog_cancellation": ("views", ("callback_id",)),
        "view": ("views", ("callback_id",)),
        "view_submission": ("views", ("callback_id",)),
        "view_closed": ("views", ("callback_id",)),
        "options": ("options", ("action_id", "callback_id", "block_id")),
        "block_suggestion": ("options", ("action_id", "block_id")),
        "dialog_suggestion": ("options", ("callback_id",)),
    }

    installation_store = None  # single-workspace: Bolt's app has no installation store

    def __init__(self) -> None:
        self.seen = Registered()

    def __getattr__(self, name: str) -> Any:
        if name in self._KINDS:
            kind, keys = self._KINDS[name]
            return lambda constraint, *a, **kw: self._record(kind, _constraint(constraint, *keys))
        raise AssertionError(
            f"register_listeners calls app.{name}, which tests/test_manifest.py does not know: "
            "add it to RecordingApp with the manifest entry it needs"
        )

    def shortcut(self, constraint: Any, *a: Any, **kw: Any) -> Callable[..., Any]:
        if isinstance(constraint, dict) and constraint.get("type") in ("message_action", "shortcut"):
            kind = "message_shortcuts" if constraint["type"] == "message_action" else "global_shortcuts"
            return self._record(kind, _constraint(constraint, "callback_id"))
        return self._record("any_shortcuts", _constraint(constraint, "callback_id"))

    def message(self, keyword: Any = None, *a: Any, **kw: Any) -> Callable[..., Any]:
        return self._record("events", "message")

    def error(self, func: Callable[..., Any]) -> Callable[..., Any]:
        return func

    def middleware(self, *args: Any, **kwargs: Any) -> Any:
        return args[0] if args else (lambda f: f)

    def use(self, *args: Any, **kwargs: Any) -> Any:
        return self.middleware(*args, **kwargs)

    def _record(self, kind: str, constraint: Constraint) -> Callable[..., Any]:
        getattr(self.seen, kind).append(constraint)

        def register(*functions: Callable[..., Any], **kwargs: Any) -> Callable[..., Any]:
            fns = [kwargs["ack"], *kwargs.get("lazy", [])] if kwargs else list(functions)
            self.seen.functions.extend(fns)
            return fns[0]

        return register


def registered() -> Registered:
    app = RecordingApp()
    register_listeners(cast(Any, app))
    return app.seen


# -- what the code calls -----------------------------------------------------------------------
WEB_METHODS = {
    name
    for name in dir(WebClient)
    if not name.startswith("_") and "_" in name and name not in dir(BaseClient) and callable(getattr(WebClient, name))
}


def web_api_calls(source: str) -> set[str]:
    """Web API methods called in ``source``: ``<x>.chat_postMessage(...)`` or ``<x>.api_call("chat.postMessage")``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr in WEB_METHODS:
            found.add(node.func.attr.replace("_", "."))
        elif node.func.attr == "api_call":
            args = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "api_method")]
            if not args or not (isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)):
                raise AssertionError("api_call with a method name that is not a literal: the scope check cannot see it")
            found.add(args[0].value)
    return found


def code_web_api_calls(listeners: Iterable[Callable[..., Any]]) -> dict[str, list[str]]:
    """Every Web API method the code calls, with where: the source scan plus Bolt's ``say``."""
    calls: dict[str, list[str]] = {}
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for method in web_api_calls(path.read_text(encoding="utf-8")):
                calls.setdefault(method, []).append(str(path.relative_to(ROOT)))
    for fn in listeners:
        if "say" in inspect.signature(fn).parameters:  # Bolt's say() is chat.postMessage
            calls.setdefault("chat.postMessage", []).append(f"{fn.__module__}.{fn.__qualname__} (say)")
    return calls


def needed_scopes(manifest: dict[str, Any], seen: Registered, calls: Iterable[str]) -> set[str]:
    problems = [m for m in calls if m not in METHOD_SCOPES]
    assert not problems, f"add the scopes these Web API methods need to METHOD_SCOPES: {problems}"
    needed: set[str] = set().union(*(METHOD_SCOPES[m] for m in calls))
    if seen.commands or seen.message_shortcuts or seen.global_shortcuts or seen.any_shortcuts:
        needed.add("commands")
    events = _bot_events(manifest)
    unknown = [e for e in events if e not in EVENT_SCOPES]
    assert not unknown, f"add the scopes these events need to EVENT_SCOPES: {unknown}"
    needed |= set().union(*(EVENT_SCOPES[e] for e in events))
    return needed


# -- the manifest ------------------------------------------------------------------------------
def load_manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _features(manifest: dict[str, Any]) -> dict[str, Any]:
    return dict(manifest.get("features") or {})


def _settings(manifest: dict[str, Any]) -> dict[str, Any]:
    return dict(manifest.get("settings") or {})


def _bot_events(manifest: dict[str, Any]) -> list[str]:
    return list((_settings(manifest).get("event_subscriptions") or {}).get("bot_events") or [])


def _matches(constraint: Constraint, name: str) -> bool:
    return bool(constraint.search(name)) if isinstance(constraint, re.Pattern) else constraint == name


def _undeclared(what: str, code: list[Constraint], manifest: list[str]) -> list[str]:
    return [
        f"{what} {c!r} is registered but not in manifest.yml" for c in code if not any(_matches(c, m) for m in manifest)
    ]


def _unhandled(what: str, code: list[Constraint], manifest: list[str]) -> list[str]:
    return [
        f"{what} {m!r} is in manifest.yml but no listener handles it"
        for m in manifest
        if not any(_matches(c, m) for c in code)
    ]


def _both_ways(what: str, code: list[Constraint], manifest: list[str]) -> list[str]:
    return _undeclared(what, code, manifest) + _unhandled(what, code, manifest)


def listener_problems(manifest: dict[str, Any], seen: Registered) -> list[str]:
    features, settings = _features(manifest), _settings(manifest)
    shortcuts = list(features.get("shortcuts") or [])
    message_ids = [s["callback_id"] for s in shortcuts if s["type"] == "message"]
    global_ids = [s["callback_id"] for s in shortcuts if s["type"] == "global"]
    problems = _both_ways("slash command", seen.commands, [c["command"] for c in features.get("slash_commands") or []])
    problems += _undeclared("message shortcut", seen.message_shortcuts, message_ids)
    problems += _undeclared("global shortcut", seen.global_shortcuts, global_ids)
    problems += _undeclared("shortcut", seen.any_shortcuts, message_ids + global_ids)
    problems += _unhandled("message shortcut", seen.message_shortcuts + seen.any_shortcuts, message_ids)
    problems += _unhandled("global shortcut", seen.global_shortcuts + seen.any_shortcuts, global_ids)
    # A bare "message" listener needs at least one message.* subscription, and each of those needs it.
    events = [e.split(".", 1)[0] if e.startswith("message.") else e for e in _bot_events(manifest)]
    problems += _both_ways("event", seen.events, events)
    subscriptions = settings.get("event_subscriptions")
    if subscriptions is not None and not subscriptions.get("bot_events") and not subscriptions.get("user_events"):
        problems.append("settings.event_subscriptions is there but subscribes to nothing")
    interactivity = settings.get("interactivity") or {}
    enabled = bool(interactivity.get("is_enabled"))
    if seen.interactive and not enabled:
        problems.append("actions, views, options or shortcuts are registered but interactivity is not enabled")
    if enabled and not seen.interactive:
        problems.append("interactivity is enabled but no action, view, options or shortcut listener exists")
    if enabled and not settings.get("socket_mode_enabled") and not interactivity.get("request_url"):
        problems.append("interactivity is enabled without a request_url")
    has_options_url = bool(interactivity.get("message_menu_options_url"))
    if seen.options and not has_options_url:
        problems.append("an options (external select) listener is registered but message_menu_options_url is missing")
    if has_options_url and not seen.options:
        problems.append("message_menu_options_url is set but no options listener exists")
    return problems


def scope_problems(manifest: dict[str, Any], needed: set[str]) -> list[str]:
    declared = list(((manifest.get("oauth_config") or {}).get("scopes") or {}).get("bot") or [])
    problems = [f"bot scope {s} is listed twice" for s in sorted({s for s in declared if declared.count(s) > 1})]
    problems += [f"bot scope {s} is needed but missing" for s in sorted(needed - set(declared))]
    problems += [f"bot scope {s} is listed but nothing needs it" for s in sorted(set(declared) - needed)]
    return problems


# -- the tests ---------------------------------------------------------------------------------
def test_manifest_is_valid_against_slacks_schema() -> None:
    manifest = load_manifest()
    assert manifest["_metadata"]["major_version"] == 1
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(manifest)]
    assert errors == []
    assert HEX_COLOUR.match(manifest["display_information"]["background_color"])


def test_manifest_declares_exactly_the_registered_listeners() -> None:
    assert listener_problems(load_manifest(), registered()) == []


def test_recorder_sees_every_listener_of_the_real_bolt_app(slack) -> None:
    """Catches a listener registered outside ``register_listeners`` (which the recorder cannot see)."""
    real = sorted(getattr(listener, "ack_function", listener).__qualname__ for listener in slack.app._listeners)
    recorded = sorted(fn.__qualname__ for fn in registered().functions)
    assert real == recorded


def test_bot_scopes_are_exactly_those_the_code_needs() -> None:
    manifest, seen = load_manifest(), registered()
    calls = code_web_api_calls(seen.functions)
    assert scope_problems(manifest, needed_scopes(manifest, seen, calls)) == [], f"Web API calls found: {calls}"


def test_the_oauth_install_asks_for_the_manifests_bot_scopes() -> None:
    declared = ((load_manifest().get("oauth_config") or {}).get("scopes") or {}).get("bot") or []
    assert sorted(oauth.BOT_SCOPES) == sorted(declared)


def test_the_manifests_redirect_url_is_the_servers_oauth_redirect() -> None:
    assert load_manifest()["oauth_config"]["redirect_urls"] == [f"https://YOUR-HOST{oauth.REDIRECT_PATH}"]


def test_every_slash_command_states_should_escape() -> None:
    commands = {c["command"]: c for c in _features(load_manifest()).get("slash_commands") or []}
    assert all(isinstance(c.get("should_escape"), bool) for c in commands.values())
    assert {name: commands[name]["should_escape"] for name in SHOULD_ESCAPE} == SHOULD_ESCAPE


def test_every_request_url_is_the_servers_slack_endpoint() -> None:
    manifest = load_manifest()
    settings = _settings(manifest)
    urls = [c["url"] for c in _features(manifest).get("slash_commands") or []]
    urls += [v for k, v in (settings.get("interactivity") or {}).items() if k.endswith("url")]
    urls += [v for k, v in (settings.get("event_subscriptions") or {}).items() if k.endswith("url")]
    assert urls and all(u == f"https://YOUR-HOST{SLACK_EVENTS_PATH}" for u in urls), urls
    assert settings["socket_mode_enabled"] is False and settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False


def _drop_command(m: dict[str, Any]) -> None:
    m["features"]["slash_commands"].pop()


def _add_command(m: dict[str, Any]) -> None:
    m["features"]["slash_commands"].append({"command": "/ict-nothing", "description": "x"})


def _rename_shortcut(m: dict[str, Any]) -> None:
    m["features"]["shortcuts"][0]["callback_id"] = "something_else"


def _make_shortcut_global(m: dict[str, Any]) -> None:
    m["features"]["shortcuts"][0]["type"] = "global"


def _subscribe_event(m: dict[str, Any]) -> None:
    m["settings"]["event_subscriptions"] = {
        "request_url": "https://YOUR-HOST/slack/events",
        "bot_events": ["app_home_opened"],
    }


def _disable_interactivity(m: dict[str, Any]) -> None:
    m["settings"]["interactivity"]["is_enabled"] = False


def _drop_options_url(m: dict[str, Any]) -> None:
    del m["settings"]["interactivity"]["message_menu_options_url"]


@pytest.mark.parametrize(
    "drift",
    [
        _drop_command,
        _add_command,
        _rename_shortcut,
        _make_shortcut_global,
        _subscribe_event,
        _disable_interactivity,
        _drop_options_url,
    ],
)
def test_listener_check_fails_when_manifest_drifts(drift: Callable[[dict[str, Any]], None]) -> None:
    manifest = deepcopy(load_manifest())
    drift(manifest)
    assert listener_problems(manifest, registered()) != []


def test_listener_check_fails_when_code_registers_something_new() -> None:
    seen = registered()
    seen.events.append("reaction_added")
    seen.commands.append("/ict-not-yet")
    problems = listener_problems(load_manifest(), seen)
    assert any("reaction_added" in p for p in problems) and any("/ict-not-yet" in p for p in problems)


def test_a_shortcut_registered_by_callback_id_alone_matches_either_kind() -> None:
    seen = registered()
    seen.any_shortcuts, seen.message_shortcuts = seen.message_shortcuts, []
    assert listener_problems(load_manifest(), seen) == []
    seen.any_shortcuts.append("not_in_the_manifest")
    assert listener_problems(load_manifest(), seen) == [
        "shortcut 'not_in_the_manifest' is registered but not in manifest.yml"
    ]


def test_listener_check_fails_when_options_listener_goes() -> None:
    seen = registered()
    seen.options.clear()
    assert any("message_menu_options_url" in p for p in listener_problems(load_manifest(), seen))


def test_unknown_registration_method_fails_loudly() -> None:
    with pytest.raises(AssertionError, match=r"app\.function"):
        RecordingApp().function("reverse")


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [
        (["commands"], "chat:write is needed but missing"),
        (["commands", "chat:write", "im:write"], "im:write is listed but nothing needs it"),
        (["commands", "chat:write", "chat:write"], "chat:write is listed twice"),
    ],
)
def test_scope_check_fails_on_missing_extra_or_repeated_scopes(scopes: list[str], expected: str) -> None:
    manifest = {"oauth_config": {"scopes": {"bot": scopes}}}
    assert expected in " ".join(scope_problems(manifest, {"commands", "chat:write"}))


def test_scanner_finds_web_api_calls_however_they_are_written() -> None:
    source = (
        "def f(client, app):\n"
        "    client.chat_postMessage(channel='C1', text='x')\n"
        "    app.client.users_lookupByEmail(email='a@b')\n"
        "    client.api_call('conversations.open', params={})\n"
        "    client.api_call(api_method='team.info')\n"
        "    client.retry_handlers.append(None)\n"
        "    respond(text='no scope')\n"
    )
    assert web_api_calls(source) == {"chat.postMessage", "users.lookupByEmail", "conversations.open", "team.info"}


def test_scopes_grow_with_what_the_code_calls() -> None:
    manifest, seen = load_manifest(), registered()
    needed = needed_scopes(manifest, seen, {"chat.postEphemeral", "users.lookupByEmail", "views.open"})
    assert needed == {"commands", "chat:write", "users:read", "users:read.email"}
    with pytest.raises(AssertionError, match="METHOD_SCOPES"):
        needed_scopes(manifest, seen, {"admin.users.invite"})


def test_a_listener_that_takes_say_needs_chat_write() -> None:
    def handle(ack: Any, say: Any) -> None:
        pass

    assert "chat.postMessage" in code_web_api_calls([handle])
