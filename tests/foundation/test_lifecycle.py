"""The case lifecycle table: allowed moves pass, every other move is refused."""

import pytest

from intake.lifecycle import TRANSITIONS, InvalidTransition, check_transition
from storage.models import CASE_STATUSES


def test_every_status_has_a_row_and_targets_are_real_statuses():
    assert set(TRANSITIONS) == set(CASE_STATUSES)
    assert all(targets <= set(CASE_STATUSES) for targets in TRANSITIONS.values())


@pytest.mark.parametrize("current", CASE_STATUSES)
@pytest.mark.parametrize("target", CASE_STATUSES)
def test_only_listed_moves_are_allowed(current, target):
    if target in TRANSITIONS[current]:
        check_transition(current, target)
    else:
        with pytest.raises(InvalidTransition):
            check_transition(current, target)


def test_a_resolved_case_can_only_be_reopened():
    assert TRANSITIONS["resolved"] == {"open"}
