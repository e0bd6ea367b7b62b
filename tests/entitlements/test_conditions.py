"""The navigator's rule as properties: who a measure is for, whatever the answers."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ryadom.entitlements import conditions as c

TODAY = datetime.date(2026, 6, 1)
REGIONS = ("77", "46", "61")
days = st.dates(datetime.date(2015, 1, 1), datetime.date(2026, 5, 31))


@st.composite
def answers(draw: st.DrawFn) -> c.Answers:
    start = draw(st.none() | days)
    end = None if start is None else draw(st.none() | st.dates(start, datetime.date(2026, 5, 31)))
    return c.Answers(
        status=draw(st.none() | st.sampled_from(c.STATUSES)),
        region=draw(st.none() | st.sampled_from(REGIONS)),
        disability_group=draw(st.none() | st.sampled_from(c.DISABILITY_GROUPS)),
        married=draw(st.none() | st.booleans()),
        children=draw(st.none() | st.integers(0, 6)),
        dependants=draw(st.none() | st.integers(0, 4)),
        served_from=start,
        served_to=end,
        wounded=draw(st.none() | st.booleans()),
    )


condition = st.one_of(
    st.builds(
        lambda v: {"field": "status", "op": "in", "value": v},
        st.lists(st.sampled_from(c.STATUSES), min_size=1, unique=True),
    ),
    st.builds(
        lambda op, v: {"field": "disability_group", "op": op, "value": v},
        st.sampled_from(["eq", "ne", "gte", "lte"]),
        st.sampled_from(c.DISABILITY_GROUPS),
    ),
    st.builds(
        lambda f, v: {"field": f, "op": "eq", "value": v},
        st.sampled_from(c.YES_NO_FIELDS),
        st.booleans(),
    ),
    st.builds(
        lambda f, op, v: {"field": f, "op": op, "value": v},
        st.sampled_from(["children", "dependants", "days_served"]),
        st.sampled_from(["gte", "lte"]),
        st.integers(0, 400),
    ),
    st.builds(lambda v: {"field": "region", "op": "eq", "value": v}, st.sampled_from(REGIONS)),
)
rules = st.builds(
    c.Rule,
    conditions=st.lists(condition, max_size=4),
    region=st.none() | st.sampled_from(REGIONS),
)


@settings(max_examples=50, deadline=None)
@given(answers())
def test_a_measure_without_conditions_in_force_matches_everyone(person: c.Answers) -> None:
    assert c.applies(c.Rule(), person, TODAY)


@settings(max_examples=50, deadline=None)
@given(rules, condition, answers())
def test_adding_a_condition_never_widens_the_match(
    rule: c.Rule, extra: dict[str, object], person: c.Answers
) -> None:
    narrower = c.Rule(conditions=[*rule.conditions, extra], region=rule.region)
    assert not c.problems(list(narrower.conditions))
    if c.applies(narrower, person, TODAY):
        assert c.applies(rule, person, TODAY)


@settings(max_examples=50, deadline=None)
@given(rules, answers())
def test_a_regional_measure_never_matches_another_region(rule: c.Rule, person: c.Answers) -> None:
    if rule.region is not None and person.region != rule.region:
        assert not c.applies(rule, person, TODAY)


@settings(max_examples=50, deadline=None)
@given(rules, answers(), days)
def test_a_measure_out_of_force_never_matches(
    rule: c.Rule, person: c.Answers, ended: datetime.date
) -> None:
    expired = c.Rule(conditions=rule.conditions, region=rule.region, effective_to=ended)
    future = c.Rule(
        conditions=rule.conditions,
        region=rule.region,
        effective_from=TODAY + datetime.timedelta(days=1),
    )
    assert not c.applies(expired, person, TODAY)
    assert not c.applies(future, person, TODAY)


@settings(max_examples=40, deadline=None)
@given(st.lists(condition, max_size=4), answers())
def test_conditions_written_in_a_cell_mean_the_same_when_read_back(
    written: list[dict[str, object]], person: c.Answers
) -> None:
    read_back = c.from_text(c.to_text(written))
    assert len(read_back) == len(written)
    assert c.applies(c.Rule(read_back), person, TODAY) == c.applies(c.Rule(written), person, TODAY)


def test_an_unanswered_question_matches_no_condition_on_it() -> None:
    veteran = c.Answers(status="svo_participant", region="46")
    assert not c.applies(
        c.Rule([{"field": "days_served", "op": "gte", "value": 1}]), veteran, TODAY
    )
    served = c.Answers(served_from=datetime.date(2025, 1, 1), served_to=datetime.date(2025, 1, 30))
    assert served.days_served == 30


def test_bad_conditions_are_named_one_by_one() -> None:
    found = c.problems(
        [
            {"field": "rank", "op": "eq", "value": "major"},
            {"field": "children", "op": "in", "value": []},
            {"field": "wounded", "op": "gte", "value": True},
            {"field": "disability_group", "op": "eq", "value": 4},
            {"field": "status", "op": "eq"},
        ]
    )
    assert [m.split(":")[0] for m in found] == [f"Condition {n}" for n in range(1, 6)]
    assert "unknown field “rank”" in found[0]
    assert c.problems({"field": "status"}) == ["Conditions must be a list of {field, op, value}."]


def test_every_measure_of_the_demo_sample_reads() -> None:
    sample = Path(c.__file__).parent / "data" / "measures_demo.json"
    for row in json.loads(sample.read_text(encoding="utf-8")):
        assert c.problems(row["conditions"]) == [], row["code"]
