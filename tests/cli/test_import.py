"""`ictbot import`: a workspace's JSON export restored into an empty database, or nothing written at all."""

from __future__ import annotations

import json

import pytest

from models import Workspace
from tests.cli.conftest import rows, write
from tests.transfer.test_restore import BAD_DOCUMENTS, RICH, comparable, row_counts, wipe


@pytest.fixture
def rich(runtime, workplan, clock):
    return RICH(runtime.engine, clock, runtime, clock)


@pytest.fixture
def exported(ictbot, rich, tmp_path):
    """The rich workspace's export, written by `ictbot export` to a file: (path, document)."""
    path = tmp_path / "council.json"
    result = ictbot("export", "--output", str(path))
    assert result.exit_code == 0, result.stderr
    return path, json.loads(path.read_text(encoding="utf-8"))


def summary_line(path, doc, team="T0COUNCIL", moved=""):
    return (
        f"Restored workspace {team}{moved} from {path} (export version 2): 2 strategies, 6 projects, "
        f"3 updates (6 revisions), 3 granted roles, the meeting series, {len(doc['meetings'])} meetings, "
        f"1 closure day, {len(doc['reminders'])} reminders, 1 digest post.\n"
    )


def test_export_import_export_into_an_empty_database_gives_the_same_document(ictbot, engine, exported):
    path, first = exported
    wipe(engine)

    result = ictbot("import", str(path))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.endswith(summary_line(path, first))
    again = ictbot("export")
    assert again.exit_code == 0, again.stderr
    second = json.loads(again.stdout)
    assert comparable(second) == comparable(first)


def test_import_reads_standard_input(ictbot, engine, exported):
    path, first = exported
    wipe(engine)

    result = ictbot("import", "-", input=path.read_bytes())

    assert result.exit_code == 0, result.stderr
    assert "Restored workspace T0COUNCIL from - (export version 2)" in result.stderr
    assert comparable(json.loads(ictbot("export").stdout)) == comparable(first)


def test_a_version_1_export_imports(ictbot, engine, exported, tmp_path):
    _, first = exported
    v1 = {k: first[k] for k in ("format", "exported_at", "workspace", "strategies", "projects", "updates")}
    v1["version"] = 1
    wipe(engine)
    v1_path = write(tmp_path, "v1.json", json.dumps(v1, ensure_ascii=False))

    result = ictbot("import", v1_path)

    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith(
        f"Restored workspace T0COUNCIL from {v1_path} (export version 1): "
        "2 strategies, 6 projects, 3 updates (6 revisions).\n"
    )
    second = json.loads(ictbot("export").stdout)
    assert {k: comparable(second)[k] for k in v1 if k not in ("exported_at", "version")} == {
        k: comparable(first)[k] for k in v1 if k not in ("exported_at", "version")
    }


def test_team_restores_the_records_under_another_team_id(ictbot, exported):
    path, first = exported

    result = ictbot("import", str(path), "--team", "t0moved")

    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith(summary_line(path, first, team="T0MOVED", moved=" (exported as T0COUNCIL)"))
    moved = json.loads(ictbot("export", "--team", "T0MOVED").stdout)
    assert moved["workspace"]["team_id"] == "T0MOVED"
    assert comparable({**moved, "workspace": first["workspace"]}) == comparable(first)
    assert {u["id"] for u in moved["updates"]}.isdisjoint(u["id"] for u in first["updates"])


def test_a_team_id_that_is_not_one_is_refused_before_reading_the_file(ictbot, exported):
    path, _ = exported

    result = ictbot("import", str(path), "--team", "nope!")

    assert result.exit_code == 2
    assert "'NOPE!' is not a Slack team ID such as T012ABCDEF, nor a Microsoft Teams tenant ID" in result.stderr


def test_importing_into_a_workspace_that_holds_data_is_refused_and_changes_nothing(ictbot, engine, exported):
    path, _ = exported
    before = row_counts(engine)

    result = ictbot("import", str(path))

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        "ictbot: Workspace T0COUNCIL already holds data in this database (6 projects, 3 updates, "
        "1 strategy besides the default, 3 granted roles, 1 closure day, "
    )
    assert "Nothing was imported. Use a new database, or restore under another team ID with --team.\n" in result.stderr
    assert row_counts(engine) == before


def test_the_csv_export_is_refused_with_the_reason(ictbot, engine, exported, tmp_path):
    csv_path = tmp_path / "council.csv"
    assert ictbot("export", "--format", "csv", "--output", str(csv_path)).exit_code == 0
    before = row_counts(engine)

    result = ictbot("import", str(csv_path), "--team", "T0NEW")

    assert result.exit_code == 1
    assert result.stderr == (
        f"ictbot: Nothing was imported from {csv_path}: it is CSV, and `ictbot import` reads only the JSON export; "
        "make one with `ictbot export --format json`.\n"
    )
    assert row_counts(engine) == before


def test_invalid_json_is_refused_with_where_it_breaks(ictbot, engine, exported, tmp_path):
    path, _ = exported
    broken = write(tmp_path, "broken.json", path.read_text(encoding="utf-8")[:200])
    before = row_counts(engine)

    result = ictbot("import", broken, "--team", "T0NEW")

    assert result.exit_code == 1
    assert result.stderr.startswith(f"ictbot: Nothing was imported from {broken}: it is not valid JSON: ")
    assert "(line " in result.stderr and ", column " in result.stderr
    assert row_counts(engine) == before


PICKED = (
    "wrong format",
    "newer version",
    "missing field",
    "bad status",
    "dangling update",
    "dangling meeting",
    "duplicate project ref",
    "revisions out of order",
)


@pytest.mark.parametrize(
    ("change", "message"), [pytest.param(c, m, id=name) for name, c, m in BAD_DOCUMENTS if name in PICKED]
)
def test_a_bad_document_names_the_problem_and_writes_nothing(ictbot, engine, exported, tmp_path, change, message):
    _, doc = exported
    change(doc)
    bad = write(tmp_path, "bad.json", json.dumps(doc, ensure_ascii=False))
    before = row_counts(engine)

    result = ictbot("import", bad, "--team", "T0NEW")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"ictbot: Nothing was imported from {bad}; it is not an export ictbot can restore: "
    )
    assert message in result.stderr and result.stderr.count("\n") == 1  # one problem, one line
    assert row_counts(engine) == before
    assert rows(engine, Workspace) == 1


def test_every_problem_is_listed_on_its_own_line(ictbot, engine, exported, tmp_path):
    _, doc = exported
    doc["projects"][3]["status"] = "done"
    doc["updates"][0]["project_ref"] = "NOPE-01"  # a reference is checked once the shape is right
    del doc["roles"][0]["granted_by"]
    bad = write(tmp_path, "bad.json", json.dumps(doc, ensure_ascii=False))

    result = ictbot("import", bad, "--team", "T0NEW")

    assert result.exit_code == 1
    assert result.stderr == (
        f"ictbot: Nothing was imported from {bad}; it is not an export ictbot can restore:\n"
        "  projects[3].status: 'done' is not one of planned, active, on_hold, complete, closed\n"
        "  roles[0].granted_by: is missing\n"
    )


def test_a_missing_file_is_a_usage_error(ictbot, tmp_path):
    result = ictbot("import", str(tmp_path / "nope.json"))

    assert result.exit_code == 2
    assert "nope.json" in result.stderr
