"""Strategies as data: the default one, the 2009/11 delivery programmes, old ones kept."""

from __future__ import annotations

from importlib.resources import files

import pytest

from bot.errors import DomainError, InvalidInput
from bot.services import strategy


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
    data = strategy.parse_yaml((files("bot") / "data" / "strategy_2009_2011.yaml").read_text(encoding="utf-8"))
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
