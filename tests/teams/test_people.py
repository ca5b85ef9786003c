"""Teams people's names: the name a message's sender carries goes into the directory under the id the
services store for them (the Entra object id), at most once a day; the digest cards show it."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import select

from bot.services import people, projects, roles, workspaces
from handlers.teams import messages
from handlers.teams.identity import TeamsUser
from models import Person, Role
from tests.conftest import START
from tests.teams.conftest import OLIVE_AAD, shows


def directory(runtime) -> dict[str, tuple[str, object]]:
    with runtime.sessions() as session:
        return {p.user_id: (p.name, p.refreshed_at) for p in session.scalars(select(Person))}


def test_a_message_records_the_sender_s_name_once_a_day(client, teams, teams_runtime, olive, clock):
    client.post(teams.message(olive, "help"))
    assert directory(teams_runtime) == {OLIVE_AAD: ("Olive Owner", START)}

    renamed = dataclasses.replace(olive, name="Olive Smith")
    clock.advance(hours=2)
    client.post(teams.message(renamed, "help"))
    assert directory(teams_runtime) == {OLIVE_AAD: ("Olive Owner", START)}  # fresh: not written again

    clock.advance(days=1)
    client.post(teams.message(renamed, "help"))
    assert directory(teams_runtime) == {OLIVE_AAD: ("Olive Smith", START + timedelta(days=1, hours=2))}


def test_a_sender_without_a_name_records_nothing(client, teams, teams_runtime, olive):
    client.post(teams.message(dataclasses.replace(olive, name=""), "help"))
    assert directory(teams_runtime) == {}


def test_the_digest_cards_show_owners_by_name(teams_runtime, teams):
    owner, chair = "8f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "c0ffee00-1111-4222-8333-444455556666"
    with teams_runtime.sessions.begin() as s:
        ws = workspaces.get_or_create(s, teams.tenant_id, platform="teams", now=teams_runtime.now())
        projects.add(s, ws, ref="NET-01", title="Network", priority="ARCH", owner=owner, now=teams_runtime.now())
        roles.grant(s, ws, chair, Role.CHAIR, by="test", now=teams_runtime.now())
        people.record(s, ws, [people.Entry(owner, "Olive Owner")], now=teams_runtime.now())
    user = TeamsUser(id="29:1chair", aad_object_id=chair, name="Chris Chair")
    reply = messages.handle_text(teams_runtime, ws, user, "digest", teams_runtime.now())
    shown = "\n".join(shows(card) for card in reply.cards)
    assert "Olive Owner" in shown and owner not in shown
