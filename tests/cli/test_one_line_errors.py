"""Input the CLI cannot take is refused with one line on standard error, a non-zero exit, and nothing written.

- `ictbot projects import`: a field longer than the csv module reads (131,072 characters), a value
  longer than its column holds, a NUL character (PostgreSQL refuses it in text): the line and column.
- `ictbot import`: a NUL character anywhere in the export (its JSON path), and an update's text over
  the limits chat enforces (progress 2,000 characters, next steps and risks 1,000 each).
- `ictbot strategy load`: a period longer than its column, or a NUL character anywhere.
- Every time or date option (`--at`, `--since`, `--from`, `--to`): a year the bot cannot compute with
  (0001, 9999) is out of range, never an OverflowError.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from bot.services import updates
from bot.services.projects import get as get_project
from bot.services.quickform import validate
from models import Rag, UpdateSource
from tests.cli.conftest import with_council, write
from tests.conftest import OWNER
from tests.transfer.test_restore import row_counts

CSV_HEADER = "ref,title,priority,owner,delegates,service_area,status,target_date\n"
CSV_GOOD = "NET-01,Council network refresh,ARCH,U0LOCAL01,U0LOCAL02,Corporate,active,2027-03-31\n"
CSV_LIMIT = 131_072  # Python's csv.field_size_limit() default


def one_line(result: Result, *parts: str, status: int = 1) -> None:
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("ictbot: ") and result.stderr.count("\n") == 1, result.stderr
    for part in parts:
        assert part in result.stderr, result.stderr
    assert len(result.stderr) < 400, "the message echoes what it refuses"
    assert result.stdout == ""


# -- ictbot projects import ----------------------------------------------------------------------
def csv_row(**cells: str) -> str:
    row = {
        "ref": "BAD-01",
        "title": "A project",
        "priority": "ARCH",
        "owner": "U0LOCAL01",
        "delegates": "",
        "service_area": "",
        "status": "active",
        "target_date": "",
    } | cells
    return ",".join(f'"{v}"' for v in row.values()) + "\n"


TOO_LONG_CELLS = [
    pytest.param(
        {"title": "T" * (CSV_LIMIT + 1)}, ("line 3: title is 131,073 characters long; at most 200",), id="csv-limit"
    ),
    pytest.param({"title": "T" * 201}, ("line 3: title is 201 characters long; at most 200",), id="title"),
    pytest.param({"ref": "R" * 33}, ("line 3: ref is 33 characters long; at most 32",), id="ref"),
    pytest.param({"service_area": "S" * 201}, ("line 3: service_area is 201 characters long; at most 200",), id="area"),
    pytest.param({"owner": "U" + "0" * 64}, ("line 3: owner 'U000", "is 65 characters long; at most 64"), id="owner"),
    pytest.param(
        {"delegates": "U0LOCAL02 U" + "1" * 64},
        ("line 3: delegate 'U111", "is 65 characters long; at most 64"),
        id="delegate",
    ),
    pytest.param({"priority": "P" * 300}, ("line 3: priority is 300 characters long; at most 200",), id="priority"),
    pytest.param({"status": "s" * 50}, ("line 3: status is 50 characters long; at most 16",), id="status"),
    pytest.param({"target_date": "2" * 50}, ("line 3: target_date is 50 characters long; at most 10",), id="date"),
    pytest.param({"title": "Cabling\x00done"}, ("line 3: title holds a NUL character",), id="nul-title"),
    pytest.param({"service_area": "\x00"}, ("line 3: service_area holds a NUL character",), id="nul-area"),
    pytest.param({"owner": "U0LOCAL01\x00"}, ("line 3: owner holds a NUL character",), id="nul-owner"),
]


@pytest.mark.parametrize(("cells", "message"), TOO_LONG_CELLS)
def test_a_cell_the_database_cannot_hold_names_its_line_and_column(ictbot, engine, tmp_path, cells, message):
    plan = write(tmp_path, "plan.csv", CSV_HEADER + CSV_GOOD + csv_row(**cells))
    with_council(ictbot)
    before = row_counts(engine)

    result = ictbot("projects", "import", plan)

    one_line(result, f"Nothing was imported from {plan}: ", *message)
    assert row_counts(engine) == before


def test_a_field_beyond_the_csv_limit_in_the_middle_of_a_row_names_its_column(ictbot, engine, tmp_path):
    row = csv_row(service_area="S" * (CSV_LIMIT + 10))
    plan = write(tmp_path, "plan.csv", CSV_HEADER + row + CSV_GOOD)
    with_council(ictbot)

    one_line(ictbot("projects", "import", plan), "line 2: service_area is 131,082 characters long; at most 200")
    assert row_counts(engine)["project"] == 0


# -- ictbot import ---------------------------------------------------------------------------------
@pytest.fixture
def export_doc(ictbot, runtime, workplan, clock, tmp_path) -> dict[str, Any]:
    """A workspace with an update, exported by `ictbot export`, then the database emptied of it."""
    with runtime.unit("T0COUNCIL") as (session, ws):
        project = get_project(session, ws, "NET-01")
        text = validate(Rag.AMBER, "Core links upgrade delayed", "Chase supplier", "Budget")
        updates.post(
            session, ws, project, user_id=OWNER, is_admin=False, text=text, source=UpdateSource.COMMAND, now=clock.now
        )
    path = tmp_path / "council.json"
    assert ictbot("export", "--output", str(path)).exit_code == 0
    return dict(json.loads(path.read_text(encoding="utf-8")))


def restore_file(ictbot, tmp_path: Path, doc: dict[str, Any]) -> tuple[str, Result]:
    path = write(tmp_path, "changed.json", json.dumps(doc, ensure_ascii=True))
    return path, ictbot("import", path, "--team", "T0RESTORED")


@pytest.mark.parametrize(
    ("where", "field"),
    [
        pytest.param(("updates", 0, "revisions", 0), "progress", id="progress"),
        pytest.param(("projects", 0), "title", id="title"),
        pytest.param(("strategies", 0), "description", id="strategy-description"),
        pytest.param(("workspace",), "name", id="workspace-name"),
    ],
)
def test_a_nul_character_in_an_export_is_refused_with_its_place(ictbot, engine, tmp_path, export_doc, where, field):
    node: Any = export_doc
    for step in where:
        node = node[step]
    node[field] = "before\x00after"
    before = row_counts(engine)

    path, result = restore_file(ictbot, tmp_path, export_doc)

    place = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in where).lstrip(".")
    one_line(result, f"Nothing was imported from {path}", f"{place}.{field}: holds a NUL character")
    assert row_counts(engine) == before


@pytest.mark.parametrize(
    ("field", "length", "message"),
    [
        pytest.param("progress", 5_000_000, "is 5,000,000 characters; the limit is 2,000", id="progress"),
        pytest.param("progress", 2_001, "is 2,001 characters; the limit is 2,000", id="progress-just-over"),
        pytest.param("next_steps", 1_001, "is 1,001 characters; the limit is 1,000", id="next-steps"),
        pytest.param("risks", 1_001, "is 1,001 characters; the limit is 1,000", id="risks"),
    ],
)
def test_an_update_longer_than_chat_allows_is_not_restored(
    ictbot, engine, tmp_path, export_doc, field, length, message
):
    export_doc["updates"][0]["revisions"][0][field] = "x" * length
    before = row_counts(engine)

    _, result = restore_file(ictbot, tmp_path, export_doc)

    one_line(result, f"updates[0].revisions[0].{field}: {message}")
    assert row_counts(engine) == before


def test_an_update_with_control_characters_is_not_restored(ictbot, engine, tmp_path, export_doc):
    export_doc["updates"][0]["revisions"][0]["risks"] = "Budget\x1b[31m"
    _, result = restore_file(ictbot, tmp_path, export_doc)
    one_line(result, "updates[0].revisions[0].risks: contains control characters")


def test_an_update_at_the_limits_is_restored(ictbot, engine, tmp_path, export_doc):
    revision = export_doc["updates"][0]["revisions"][0]
    revision.update(progress="p" * 2000, next_steps="n" * 1000, risks="r" * 1000)
    _, result = restore_file(ictbot, tmp_path, export_doc)
    assert result.exit_code == 0, result.stderr


# -- time and date options ---------------------------------------------------------------------------
OUT_OF_RANGE = ["0001-01-01T00:00", "9999-12-31T23:59", "0001-01-01T00:00+14:00", "9999-12-31T23:59-12:00"]


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize(
    "command", [("reminders", "preview", "--at"), ("tick", "--at"), ("reminders", "failures", "--since")]
)
def test_a_time_out_of_range_is_one_line(ictbot, standin, engine, workplan, command, value):
    before = row_counts(engine)
    result = ictbot.with_slack(standin)(*command, value)
    one_line(result, f"Invalid value for '{command[-1]}': '{value}' is out of range", status=2)
    assert row_counts(engine) == before


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("option", ["--from", "--to"])
@pytest.mark.parametrize("command", ["digest", "report"])
def test_a_day_out_of_range_is_one_line(ictbot, engine, workplan, tmp_path, command, option, value):
    days = {"--from": "2026-06-09", "--to": "2026-12-08"} | {option: value}
    target = tmp_path / "out.md"
    args = [command, "--format", "md", "--from", days["--from"], "--to", days["--to"], "-o", str(target)]
    result = ictbot(*args)
    one_line(result, f"Invalid value for '{option}': '{value}' is out of range", status=2)
    assert not target.exists()


# -- ictbot strategy load ----------------------------------------------------------------------------
STRATEGY = "name: Digital Strategy 2027\nperiod: {period}\npriorities:\n  - code: DIG\n    name: {name}\n"


@pytest.mark.parametrize(
    ("period", "name", "message"),
    [
        pytest.param("P" * 101, "Digital", "period must be text of at most 100 characters", id="long-period"),
        pytest.param('"2027\\0"', "Digital", "period holds a NUL character", id="nul-period"),
        pytest.param("2027", '"Dig\\0ital"', "priorities[1].name holds a NUL character", id="nul-name"),
    ],
)
def test_a_strategy_file_the_database_cannot_hold_is_one_line(ictbot, engine, tmp_path, period, name, message):
    path = write(tmp_path, "strategy.yaml", STRATEGY.format(period=period, name=name))
    before = row_counts(engine)
    one_line(ictbot("strategy", "load", path), message)
    assert row_counts(engine) == before
