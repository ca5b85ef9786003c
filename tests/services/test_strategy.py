"""Strategies as data: the default one, the 2009/11 delivery programmes and aims, old ones kept."""

from __future__ import annotations

from importlib.resources import files

import pytest
from sqlalchemy import func, select

from bot.errors import DomainError, InvalidInput
from bot.services import projects, strategy
from models import Project, Strategy

SEED_2009 = "strategy_2009_2011.yaml"
# Seed 000, paragraph 8: the aims of the refreshed ICT Strategy 2009/11, word for word.
AIMS_2009 = (
    "To enable a mobile workforce through the use of appropriate technology",
    "To provide real-time access to information at the point it is needed",
    "To facilitate the secure sharing of information with our partners in the joint delivery of services",
    "To have the ability to re-configure services according to demand",
    "To maximise the use of property assets through a more strategic use of technology",
    "To make efficient use of ICT resources",
    "To demonstrate improvement and the potential for future capacity when under scrutiny",
    "Improving citizen satisfaction with Council services",
    "Improving employee satisfaction with the Council workplace",
)


def shipped(name: str) -> dict:
    return strategy.parse_yaml((files("bot") / "data" / name).read_text(encoding="utf-8"))


def test_a_new_workspace_starts_with_the_five_priorities_of_2014_2016(runtime):
    with runtime.unit("T0NEW") as (session, ws):
        active = strategy.active(session, ws)
        assert active.name == "ICT Strategy 2014–2016"
        assert [p.name for p in active.priorities] == [
            "ICT Service Development",
            "ICT Governance",
            "ICT Strategic Architecture",
            "Business Development",
            "ICT Competent Workforce",
        ]


def test_the_2009_strategy_loads_and_the_old_one_stays_readable(runtime):
    data = shipped(SEED_2009)
    with runtime.unit("T0NEW") as (session, ws):
        strategy.load(session, ws, data, now=runtime.now())
        assert strategy.active(session, ws).name == "ICT Strategy 2009/11"
        views = strategy.all_strategies(session, ws)
    assert [(v.name, v.active, len(v.priorities)) for v in views] == [
        ("ICT Strategy 2014–2016", False, 5),
        ("ICT Strategy 2009/11", True, 5),
    ]
    assert views[1].priorities[0].code == "CORE"


def test_priority_found_by_code_or_name_in_any_case(runtime):
    with runtime.unit("T0NEW") as (session, ws):
        active = strategy.active(session, ws)
        assert strategy.find_priority(active, "arch").name == "ICT Strategic Architecture"
        assert strategy.find_priority(active, "business development").code == "BD"
        assert strategy.find_priority(active, "nope") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: [unclosed", "not valid YAML"),
        ("- a list", "must be a mapping"),
        ("name: X\npriorities: []", "non-empty `priorities`"),
        ("name: X\npriorities:\n  - code: A\n    name: a\n  - code: a\n    name: b", "is used twice"),
        ("name: X\npriorities:\n  - code: 'has space'\n    name: a", "priorities[1].code"),
    ],
)
def test_bad_strategy_files_are_refused_with_the_reason(text, message):
    with pytest.raises(InvalidInput, match=message.replace("[", r"\[").replace("]", r"\]")):
        strategy.parse_yaml(text)


def test_a_strategy_name_cannot_be_loaded_twice(runtime):
    with runtime.unit("T0NEW") as (session, ws), pytest.raises(DomainError, match="already has a strategy"):
        strategy.load(session, ws, strategy.default_strategy_data(), now=runtime.now())


# -- aims ------------------------------------------------------------------------------------------------


def test_every_shipped_strategy_file_is_valid():
    names = sorted(p.name for p in (files("bot") / "data").iterdir() if p.name.startswith("strategy_"))
    assert names == ["strategy_2009_2011.yaml", "strategy_2014_2016.yaml"]
    for name in names:
        assert shipped(name)["priorities"]


def test_the_2009_strategy_keeps_its_nine_aims_in_order_and_the_active_strategy_gives_them(runtime):
    with runtime.unit("T0NEW") as (session, ws):
        strategy.load(session, ws, shipped(SEED_2009), now=runtime.now())
    with runtime.unit("T0NEW") as (session, ws):
        active = strategy.active(session, ws)
        assert tuple(a.text for a in active.aims) == AIMS_2009
        assert [a.position for a in active.aims] == list(range(1, 10))
        view = strategy.active_view(session, ws)
        views = strategy.all_strategies(session, ws)
    assert (view.name, view.aims) == ("ICT Strategy 2009/11", AIMS_2009)
    assert [v.aims for v in views] == [(), AIMS_2009]  # 2014–2016 has none


def test_seed_000s_five_programmes_ship_in_the_reports_words():
    data = shipped(SEED_2009)
    assert [p["code"] for p in data["priorities"]] == ["CORE", "MOBILE", "INFO", "GOV", "STANDARDS"]
    assert data["priorities"][4]["description"] == (
        "The advancement of standards and procedures within ICT, with the aim of delivering excellent services."
    )


def test_aims_are_trimmed_and_a_file_without_aims_has_none(runtime):
    data = strategy.parse_yaml("name: X\naims:\n  - '  Be quick  '\n  - Be safe\npriorities:\n  - {code: A, name: a}")
    plain = strategy.parse_yaml("name: Y\npriorities:\n  - {code: A, name: a}")
    with runtime.unit("T0NEW") as (session, ws):
        assert [a.text for a in strategy.load(session, ws, data, now=runtime.now()).aims] == ["Be quick", "Be safe"]
        assert strategy.load(session, ws, plain, now=runtime.now()).aims == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: X\naims: Be quick\npriorities:\n  - {code: A, name: a}", "`aims` must be a list"),
        ("name: X\naims:\n  - Be quick\n  - 2009\npriorities:\n  - {code: A, name: a}", "aims[2] must be the text"),
        ("name: X\naims:\n  - ''\npriorities:\n  - {code: A, name: a}", "aims[1] must be the text"),
        ("name: X\naims:\n  - {a: b}\npriorities:\n  - {code: A, name: a}", "aims[1] must be the text"),
    ],
)
def test_bad_aims_are_refused_with_their_place(text, message):
    with pytest.raises(InvalidInput, match=message.replace("[", r"\[").replace("]", r"\]")):
        strategy.parse_yaml(text)


# -- unknown keys ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "name: X\ncolour: red\npriorities:\n  - {code: A, name: a}",
            "colour: unknown key in the strategy file; the keys are name, period, description, aims, priorities.",
        ),
        (
            "name: X\naim: [Be quick]\npriorities:\n  - {code: A, name: a}",
            "aim: unknown key in the strategy file (did you mean `aims`?); the keys are name, period, description, "
            "aims, priorities.",
        ),
        (
            "name: X\npriorities:\n  - {code: A, name: a}\n  - {code: B, name: b, colour: red}",
            "priorities[2].colour: unknown key; the keys are code, name, description.",
        ),
        (
            "name: X\npriorities:\n  - {code: A, name: a, descripton: typo}",
            "priorities[1].descripton: unknown key (did you mean `description`?); the keys are code, name, "
            "description.",
        ),
        ("name: X\n2009: year\npriorities:\n  - {code: A, name: a}", "2009: unknown key in the strategy file"),
    ],
)
def test_an_unknown_key_is_refused_naming_it_and_where_it_is(text, message):
    with pytest.raises(InvalidInput) as caught:
        strategy.parse_yaml(text)
    assert caught.value.message.startswith(message)


# -- making an earlier strategy active again -------------------------------------------------------------


def _active_names(session, ws) -> list[str]:
    rows = select(Strategy.name).where(Strategy.workspace_id == ws.id, Strategy.active.is_(True))
    return list(session.scalars(rows))


def test_an_earlier_strategy_is_made_active_again_and_the_others_inactive(runtime):
    refreshed = strategy.parse_yaml("name: ICT Strategy 2017–2020\npriorities:\n  - {code: CLOUD, name: Cloud}")
    with runtime.unit("T0NEW") as (session, ws):
        strategy.load(session, ws, shipped(SEED_2009), now=runtime.now())
        strategy.load(session, ws, refreshed, now=runtime.now())
    with runtime.unit("T0NEW") as (session, ws):
        view, changed = strategy.activate(session, ws, "ICT Strategy 2009/11")
        assert (view.name, view.active, view.aims, changed) == ("ICT Strategy 2009/11", True, AIMS_2009, True)
    with runtime.unit("T0NEW") as (session, ws):
        assert _active_names(session, ws) == ["ICT Strategy 2009/11"]
        assert strategy.active(session, ws).priorities[0].code == "CORE"
        assert [(v.name, v.active) for v in strategy.all_strategies(session, ws)] == [
            ("ICT Strategy 2014–2016", False),
            ("ICT Strategy 2009/11", True),
            ("ICT Strategy 2017–2020", False),
        ]


def test_activating_the_active_strategy_changes_nothing(runtime):
    with runtime.unit("T0NEW") as (session, ws):
        view, changed = strategy.activate(session, ws, "ICT Strategy 2014–2016")
        assert (view.name, changed) == ("ICT Strategy 2014–2016", False)
        assert _active_names(session, ws) == ["ICT Strategy 2014–2016"]


def test_a_strategy_is_found_by_its_name_in_any_case(runtime):
    with runtime.unit("T0NEW") as (session, ws):
        strategy.load(session, ws, shipped(SEED_2009), now=runtime.now())
        view, changed = strategy.activate(session, ws, "  ict strategy 2014–2016 ")
        assert (view.name, changed) == ("ICT Strategy 2014–2016", True)


def test_an_unknown_strategy_is_refused_listing_the_workspaces_strategies(runtime):
    with runtime.unit("T0OTHER") as (session, ws):
        strategy.load(session, ws, shipped(SEED_2009), now=runtime.now())
    with runtime.unit("T0NEW") as (session, ws), pytest.raises(strategy.UnknownStrategy) as caught:
        strategy.activate(session, ws, "ICT Strategy 2009/11")  # another workspace's
    assert caught.value.message == (
        "This workspace has no strategy called 'ICT Strategy 2009/11'. Its strategies are: ICT Strategy 2014–2016. "
        "See them with `ictbot strategy list`."
    )
    with runtime.unit("T0OTHER") as (session, ws):
        assert _active_names(session, ws) == ["ICT Strategy 2009/11"]


def test_projects_keep_their_priorities_when_an_earlier_strategy_is_made_active(runtime):
    with runtime.unit("T0NEW") as (session, ws):
        projects.add(session, ws, ref="NET-01", title="Network", priority="ARCH", owner="U0OWNER", now=runtime.now())
        strategy.load(session, ws, shipped(SEED_2009), now=runtime.now())
        strategy.activate(session, ws, "ICT Strategy 2014–2016")
    with runtime.unit("T0NEW") as (session, ws):
        project = session.scalars(select(Project).where(Project.workspace_id == ws.id)).one()
        arch = strategy.find_priority(strategy.active(session, ws), "ARCH")
        assert arch is not None and project.priority_id == arch.id
        assert session.scalar(select(func.count()).select_from(Strategy).where(Strategy.workspace_id == ws.id)) == 2
