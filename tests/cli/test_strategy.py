"""`ictbot strategy load`, `ictbot strategy list` and `ictbot strategy activate`."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Priority, Strategy, StrategyAim, Workspace
from tests.cli.conftest import DATA, HALL, Ictbot, rows, with_council, write

SEED_2009 = str(DATA / "strategy_2009_2011.yaml")
SEED_2014 = str(DATA / "strategy_2014_2016.yaml")


@pytest.fixture
def ictbot(ictbot: Ictbot) -> Ictbot:
    """The commands run on the council's workspace, created on purpose (`ictbot workspaces add`)."""
    return with_council(ictbot)


def counts(engine) -> tuple[int, int, int]:
    return rows(engine, Workspace), rows(engine, Strategy), rows(engine, Priority)


def strategies(engine) -> list[tuple[str, bool, list[str]]]:
    with Session(engine) as s:
        found = s.scalars(select(Strategy).order_by(Strategy.id).options(selectinload(Strategy.priorities))).all()
        return [(st.name, st.active, [p.code for p in st.priorities]) for st in found]


def test_loading_the_2009_11_seed_makes_it_active_and_keeps_2014_16_readable(ictbot, engine):
    result = ictbot("strategy", "load", SEED_2009)

    assert result.exit_code == 0, result.stderr
    assert f"Loaded ICT Strategy 2009/11 (5 priorities, 9 aims) into workspace {HALL}" in result.stdout
    assert "it is now the active strategy" in result.stdout
    assert "Earlier strategies are kept and readable: ICT Strategy 2014–2016." in result.stdout
    # The new workspace started with the shipped default (2014–2016); the 2009/11 one is now active.
    assert strategies(engine) == [
        ("ICT Strategy 2014–2016", False, ["SD", "GOV", "ARCH", "BD", "WF"]),
        ("ICT Strategy 2009/11", True, ["CORE", "MOBILE", "INFO", "GOV", "STANDARDS"]),
    ]
    with Session(engine) as s:
        core = s.scalars(select(Priority).where(Priority.code == "CORE")).one()
        assert (core.position, core.name) == (1, "Robust core architecture")
        assert core.description == "The delivery of a robust core architecture on which to deliver ICT services."
        aims = s.scalars(select(StrategyAim).order_by(StrategyAim.position)).all()
        assert [a.position for a in aims] == list(range(1, 10))
        assert aims[0].text == "To enable a mobile workforce through the use of appropriate technology"
        assert aims[8].text == "Improving employee satisfaction with the Council workplace"


def test_strategy_list_marks_the_active_one_and_keeps_priority_order(ictbot):
    assert ictbot("strategy", "load", SEED_2009).exit_code == 0

    result = ictbot("strategy", "list")

    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "* ICT Strategy 2009/11 (2009–2011) [active]  9 aims" in out
    assert "  ICT Strategy 2014–2016 (2014–2016) [inactive]  no aims" in out
    old, new = out.index("ICT Strategy 2014–2016"), out.index("ICT Strategy 2009/11")
    assert old < new  # oldest first
    block_2009 = out[new:]
    positions = [
        block_2009.index(f"{i}. {code}") for i, code in enumerate(("CORE", "MOBILE", "INFO", "GOV", "STANDARDS"), 1)
    ]
    assert positions == sorted(positions)
    assert "Flexible and efficient mobile and office technologies" in block_2009
    assert "1. SD    ICT Service Development" in out[old:new]


def test_loading_the_2014_16_seed_again_is_refused_because_every_workspace_starts_with_it(ictbot, engine):
    assert ictbot("strategy", "load", SEED_2009).exit_code == 0

    result = ictbot("strategy", "load", SEED_2014)

    assert result.exit_code == 1
    assert result.stderr.startswith("ictbot: This workspace already has a strategy called 'ICT Strategy 2014–2016'")
    assert [(name, active) for name, active, _ in strategies(engine)] == [
        ("ICT Strategy 2014–2016", False),
        ("ICT Strategy 2009/11", True),
    ]


def test_a_renamed_strategy_file_loads_as_a_third_strategy(ictbot, engine, tmp_path):
    text = (
        (DATA / "strategy_2014_2016.yaml")
        .read_text(encoding="utf-8")
        .replace("name: ICT Strategy 2014–2016", "name: ICT Strategy 2017–2020")
    )
    assert ictbot("strategy", "load", SEED_2009).exit_code == 0

    result = ictbot("strategy", "load", write(tmp_path, "s.yaml", text))

    assert result.exit_code == 0, result.stderr
    assert [(name, active) for name, active, _ in strategies(engine)] == [
        ("ICT Strategy 2014–2016", False),
        ("ICT Strategy 2009/11", False),
        ("ICT Strategy 2017–2020", True),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: [unclosed\npriorities: {", "The strategy file is not valid YAML"),
        ("- just\n- a list\n", "must be a mapping with `name` and `priorities`"),
        ("name: Strategy X\n", "needs a non-empty `priorities` list"),
        (
            "name: X\npriorities:\n  - {code: A, name: One}\n  - {code: a, name: Two}\n",
            "priorities[2].code 'a' is used twice",
        ),
        ("name: X\npriorities:\n  - {code: '1 bad', name: One}\n", "priorities[1].code must be a short code"),
        ("priorities:\n  - {code: A, name: One}\n", "needs a `name`"),
        (
            "name: X\npriorities:\n  - {code: A, name: One}\n  - {code: B, name: Two, colour: red}\n",
            "priorities[2].colour: unknown key; the keys are code, name, description.",
        ),
        (
            "name: X\nAims: [Be quick]\npriorities:\n  - {code: A, name: One}\n",
            "Aims: unknown key in the strategy file (did you mean `aims`?)",
        ),
        ("name: X\naims: [Be quick, '']\npriorities:\n  - {code: A, name: One}\n", "aims[2] must be the text"),
    ],
)
def test_a_bad_strategy_file_exits_1_naming_the_problem_and_writes_nothing(ictbot, engine, tmp_path, text, expected):
    before = counts(engine)

    result = ictbot("strategy", "load", write(tmp_path, "bad.yaml", text))

    assert result.exit_code == 1
    assert result.stderr.startswith("ictbot: ")
    assert expected in result.stderr
    assert result.stdout == ""
    assert counts(engine) == before


def test_a_missing_strategy_file_is_a_usage_error(ictbot, engine, tmp_path):
    before = counts(engine)

    result = ictbot("strategy", "load", str(tmp_path / "nope.yaml"))

    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert counts(engine) == before


def test_strategy_list_counts_one_aim_in_the_singular(ictbot, tmp_path):
    text = "name: One aim\naims: [Be quick]\npriorities:\n  - {code: A, name: One}\n"
    assert ictbot("strategy", "load", write(tmp_path, "s.yaml", text)).exit_code == 0

    result = ictbot("strategy", "list")

    assert "* One aim [active]  1 aim\n" in result.stdout


# -- activate -----------------------------------------------------------------------------------------------


def test_activate_makes_an_earlier_strategy_active_again(ictbot, engine):
    assert ictbot("strategy", "load", SEED_2009).exit_code == 0

    result = ictbot("strategy", "activate", "ICT Strategy 2014–2016", "--team", "T0HALL")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"ICT Strategy 2014–2016 is now the active strategy of workspace {HALL}.\n"
    assert [(name, active) for name, active, _ in strategies(engine)] == [
        ("ICT Strategy 2014–2016", True),
        ("ICT Strategy 2009/11", False),
    ]
    listed = ictbot("strategy", "list").stdout
    assert "* ICT Strategy 2014–2016 (2014–2016) [active]" in listed
    assert "  ICT Strategy 2009/11 (2009–2011) [inactive]  9 aims" in listed


def test_activate_the_active_strategy_says_so_and_succeeds(ictbot, engine):
    assert ictbot("strategy", "load", SEED_2009).exit_code == 0

    result = ictbot("strategy", "activate", "ICT Strategy 2009/11")

    assert result.exit_code == 0, result.stderr
    assert f"ICT Strategy 2009/11 is already the active strategy of workspace {HALL}; nothing changed." in result.stdout
    assert [active for _, active, _ in strategies(engine)] == [False, True]


def test_activate_an_unknown_strategy_exits_1_listing_the_strategies(ictbot, engine):
    assert ictbot("strategy", "load", SEED_2009).exit_code == 0

    result = ictbot("strategy", "activate", "ICT Strategy 2020")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        "ictbot: This workspace has no strategy called 'ICT Strategy 2020'. "
        "Its strategies are: ICT Strategy 2014–2016; ICT Strategy 2009/11."
    )
    assert [active for _, active, _ in strategies(engine)] == [False, True]


def test_activate_on_an_empty_database_creates_no_workspace(db_url, clock, engine):
    result = Ictbot(db_url, clock)("strategy", "activate", "ICT Strategy 2014–2016")

    assert result.exit_code == 1
    assert rows(engine, Workspace) == 0
