"""The people directory in exports: the JSON keeps the ids everywhere and adds the names in ``people``,
restored with them; the CSV adds each owner's name; an export written before the directory restores."""

from __future__ import annotations

import csv
import io
import json

import pytest

from bot.services import people, workspaces
from bot.transfer import export
from bot.transfer.checks import InvalidExport
from tests.conftest import DELEGATE, OWNER
from tests.transfer.test_restore import TEAM, exported, restore_text, rich, wipe  # noqa: F401  (the fixture)


def directory(runtime, team: str = TEAM) -> list[tuple[str, str, str, object]]:
    with runtime.unit(team) as (session, ws):
        return [(p.user_id, p.name, p.title, p.refreshed_at) for p in people.everyone(session, ws)]


def test_the_export_adds_the_names_and_a_restore_brings_them_back(runtime, engine, rich):  # noqa: F811
    before = directory(runtime)
    first = exported(runtime)
    assert [(p["user_id"], p["name"], p["title"]) for p in first["people"]] == [
        (DELEGATE, "Dan from the CSV", ""),
        (OWNER, "Olive «O» Owner", "Head of ICT"),
    ]
    assert first["people"][0]["refreshed_at"] is None  # a CSV's name stays one the platform will replace
    assert all(p["owner"] in (OWNER, DELEGATE, "U0ADMIN") for p in first["projects"])  # ids kept
    wipe(engine)

    restore_text(runtime, json.dumps(first, ensure_ascii=False).encode())

    assert directory(runtime) == before
    assert exported(runtime)["people"] == first["people"]


def test_a_restore_replaces_names_the_workspace_got_meanwhile(runtime, engine, rich):  # noqa: F811
    first = exported(runtime)
    restore_text(runtime, json.dumps(first), team="T0MOVED")
    with runtime.unit("T0MOVED") as (session, ws):
        assert people.names(session, ws, [OWNER, DELEGATE]) == {OWNER: "Olive «O» Owner", DELEGATE: "Dan from the CSV"}


def test_an_export_without_the_people_key_restores_with_an_empty_directory(runtime, engine, rich):  # noqa: F811
    first = exported(runtime)
    del first["people"]
    wipe(engine)
    restore_text(runtime, json.dumps(first))
    assert directory(runtime) == []


def test_two_entries_for_one_user_are_refused_by_path(runtime, engine, rich):  # noqa: F811
    first = exported(runtime)
    first["people"].append(dict(first["people"][0]))
    wipe(engine)
    with pytest.raises(InvalidExport) as refused:
        restore_text(runtime, json.dumps(first))
    assert refused.value.problems == [("people[2]", f"the user id '{DELEGATE}' is given twice (also at people[0])")]
    assert directory(runtime, "T0COUNCIL") == []


def test_the_csv_export_adds_the_owner_s_name(runtime, rich):  # noqa: F811
    with runtime.sessions() as session:
        ws = workspaces.find(session, TEAM)
        assert ws is not None
        doc = export.gather(session, ws, exported_at=runtime.now())
    rows = export.csv_rows(doc)
    assert list(rows[0]).index("owner_name") == list(rows[0]).index("owner") + 1
    by_ref = {r["project_ref"]: r for r in rows}
    assert by_ref["NET-01"]["owner"] == OWNER and by_ref["NET-01"]["owner_name"] == "Olive «O» Owner"
    assert by_ref["PCI-01"]["owner_name"] == ""  # no name known
    text = io.StringIO()
    csv.DictWriter(text, fieldnames=export.CSV_COLUMNS).writerows(rows)
    assert "Olive «O» Owner" in text.getvalue()
