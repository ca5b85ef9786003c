"""People's names from Slack: the digest reads the directory and calls users.info only for the people it has
no fresh entry for (counted on the stand-in); a ``user_change`` event, signed and sent to the real Bolt app,
updates the directory; a name is the profile's display name, else the real name."""

from __future__ import annotations

from datetime import timedelta

from bot.services import people
from bot.services.people import Entry
from handlers.slack.client import web_client
from handlers.slack.delivery.digest import SlackDigestDelivery
from handlers.slack.people import SlackPeople, entry_of, every_member
from tests.conftest import ADMIN, BOT_TOKEN, DELEGATE, OWNER, STRANGER
from tests.services.test_digest_posts import DUE, at, calendar, reconciler  # noqa: F401  (calendar: the fixture)
from tests.slack.commands.test_ict_digest import CHANNEL, updated  # noqa: F401  (the fixture)


def names_in_thread(standin) -> str:
    return "\n".join(str(c.params.get("blocks")) for c in standin.calls_to("chat.postMessage"))


def asked(standin) -> list[str]:
    return [c.params["user"] for c in standin.calls_to("users.info")]


def directory(runtime, team) -> dict[str, tuple[str, str]]:
    with runtime.unit(team) as (session, ws):
        return {p.user_id: (p.name, p.title) for p in people.everyone(session, ws)}


def test_the_digest_asks_slack_once_a_day_and_keeps_the_names(slack, standin, runtime, clock, updated):  # noqa: F811
    slack.command("/ict-digest", "", user_id=ADMIN, channel_id=CHANNEL)
    first = asked(standin)
    assert sorted(first) == sorted({OWNER, DELEGATE, ADMIN})  # the workplan's owners and delegates, once each
    assert "Olive Owner" in names_in_thread(standin)
    assert directory(runtime, standin.team_id)[OWNER] == ("Olive Owner", "")

    standin.calls.clear()
    clock.advance(hours=23)
    slack.command("/ict-digest", "", user_id=ADMIN, channel_id=CHANNEL)
    assert asked(standin) == []  # all fresh: the directory answers
    assert "Olive Owner" in names_in_thread(standin)

    standin.calls.clear()
    standin.add_user(OWNER, name="Olive Smith", title="Head of ICT")
    clock.advance(hours=1)
    slack.command("/ict-digest", "", user_id=ADMIN, channel_id=CHANNEL)
    assert sorted(asked(standin)) == sorted(first)  # a day on: asked again, and the new name kept
    assert "Olive Smith" in names_in_thread(standin)
    assert directory(runtime, standin.team_id)[OWNER] == ("Olive Smith", "Head of ICT")


def test_only_the_missing_and_stale_are_asked_about(runtime, standin, clock, workplan):
    with runtime.unit(standin.team_id) as (session, ws):
        people.record(session, ws, [Entry(OWNER, "Olive (cached)")], now=clock.now)
        people.record(session, ws, [Entry(ADMIN, "Ada (old)")], now=clock.now - timedelta(days=2))
        people.fill(session, ws, {DELEGATE: "Dan (from the CSV)"})
        ws_id = ws.id
    client = web_client(BOT_TOKEN, standin.api_url)
    found = SlackPeople(runtime).names(client, ws_id, [OWNER, ADMIN, DELEGATE, "U0GONE"])
    assert sorted(asked(standin)) == sorted([ADMIN, DELEGATE, "U0GONE"])
    # Slack's answers replace the stale and CSV names; one Slack does not know keeps showing its id
    assert found == {OWNER: "Olive (cached)", ADMIN: "Ada Admin", DELEGATE: "Dan Delegate"}
    assert directory(runtime, standin.team_id)[DELEGATE] == ("Dan Delegate", "")


def test_a_slack_failure_leaves_the_id_and_stores_nothing(runtime, standin, workplan):
    standin.fail("users.info", error="ratelimited", status=429, times=10)
    with runtime.unit(standin.team_id) as (_session, ws):
        ws_id = ws.id
    assert SlackPeople(runtime).names(web_client(BOT_TOKEN, standin.api_url), ws_id, [OWNER]) == {}
    assert directory(runtime, standin.team_id) == {}


def test_a_user_change_event_updates_the_name(slack, standin, runtime, clock):
    with runtime.unit(standin.team_id) as (session, ws):
        people.record(session, ws, [Entry(OWNER, "Olive Owner")], now=clock.now)
    user = standin.add_user(OWNER, name="Olive Smith", display_name="", title="Head of ICT")
    response = slack.event({"type": "user_change", "user": user, "cache_ts": 1764000000, "event_ts": "1764000000.0001"})
    assert response.status == 200
    assert directory(runtime, standin.team_id) == {OWNER: ("Olive Smith", "Head of ICT")}  # no display name: the real
    assert standin.calls_to("users.info") == []


def test_a_user_change_for_someone_new_adds_them(slack, standin, runtime):
    user = standin.add_user(STRANGER, name="Sam Stranger", display_name="Sam")
    slack.event({"type": "user_change", "user": user, "event_ts": "1764000000.0002"})
    assert directory(runtime, standin.team_id) == {STRANGER: ("Sam", "")}


def test_the_name_is_the_display_name_else_the_real_name():
    assert entry_of({"id": "U1", "profile": {"display_name": "Jo", "real_name": "Joanna Bloggs", "title": "CIO"}}) == (
        Entry("U1", "Jo", "CIO")
    )
    assert entry_of({"id": "U1", "real_name": "Joanna", "profile": {"display_name": ""}}) == Entry("U1", "Joanna")
    assert entry_of({"id": "U1", "profile": {}}) is None
    assert entry_of({"profile": {"display_name": "Jo"}}) is None


def test_every_member_reads_every_page(standin):
    for n in range(450):
        standin.add_user(f"U1{n:05d}", name=f"Person {n}")
    members = list(every_member(web_client(BOT_TOKEN, standin.api_url)))
    assert len(members) == 454 and len({m.user_id for m in members}) == 454
    calls = standin.calls_to("users.list")
    assert len(calls) == 3 and "cursor" not in calls[0].params and calls[1].params["cursor"]


def test_the_scheduled_digest_reads_the_directory_and_asks_only_about_the_rest(runtime, standin, calendar):  # noqa: F811
    with runtime.unit(standin.team_id) as (session, ws):
        people.record(session, ws, [Entry(OWNER, "Olive (from the directory)")], now=at(DUE))
    delivery = SlackDigestDelivery(web_client(BOT_TOKEN, standin.api_url), people=SlackPeople(runtime))
    assert reconciler(runtime, delivery).tick(at(DUE)).digests_sent == 1
    assert OWNER not in asked(standin) and sorted(asked(standin)) == sorted({DELEGATE, ADMIN})
    assert "Olive (from the directory)" in names_in_thread(standin)
    assert directory(runtime, standin.team_id)[ADMIN] == ("Ada Admin", "")
