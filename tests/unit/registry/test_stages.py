"""Stage names, user names, the four-eyes rule and the paper-before-live rule, without a store."""

from __future__ import annotations

import pytest

from peak.core.errors import ConfigError
from peak.registry.stages import ladder_reasons, parse_person, parse_stage, people_reasons


def test_parse_stage_when_unknown_then_config_error_naming_allowed_stages() -> None:
    assert parse_stage("paper") == "paper"
    with pytest.raises(
        ConfigError, match=r"--to 'papr' is not a stage; choose one of candidate, paper, live"
    ):
        parse_stage("papr")


@pytest.mark.parametrize("name", ["", "   ", "al ice", "-alice", "a" * 101])
def test_parse_person_when_blank_or_odd_then_config_error_naming_the_option(name: str) -> None:
    with pytest.raises(ConfigError, match="--approved-by"):
        parse_person(name, "--approved-by")


def test_parse_person_when_padded_then_stripped_and_none_stays_none() -> None:
    assert parse_person(" bob@desk ", "--by") == "bob@desk"
    assert parse_person(None, "--approved-by") is None


def test_people_reasons_when_rules_hold_then_empty() -> None:
    assert people_reasons("candidate", "alice", None, gate_changed=False) == []
    assert people_reasons("live", "alice", "bob", gate_changed=True) == []


def test_people_reasons_when_same_person_in_other_case_then_refused() -> None:
    [reason] = people_reasons("paper", "alice", "ALICE", gate_changed=False)
    assert reason == "four-eyes: the approver (ALICE) must be a different person than the requester (alice)"


def test_ladder_reasons_when_live_without_paper_then_names_the_missing_record() -> None:
    assert ladder_reasons("live", "m", 3, {"paper", "candidate"}) == []
    assert ladder_reasons("paper", "m", None, set()) == []
    assert ladder_reasons("live", "m", 3, {"candidate"}) == [
        "stage: promotion to live needs an earlier paper record of version 3 of m; none exists"
    ]
