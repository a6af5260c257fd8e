"""Every conversation script in scripts/ plays through the flow with the expected replies and cases."""

import pytest
from tests.intake.intake_scripting import SCRIPTS, Player, ScriptError, load_script

SCRIPT_PATHS = sorted(SCRIPTS.glob("*.yaml"))


def test_there_are_scripts_for_every_required_situation():
    assert len(SCRIPT_PATHS) >= 12


@pytest.mark.parametrize("path", SCRIPT_PATHS, ids=[p.stem for p in SCRIPT_PATHS])
def test_script_plays_as_written(path):
    Player(load_script(path), path.stem).play()


def test_a_wrong_expectation_fails_the_script():
    # The runner must be able to fail: a fragment the greeting does not contain.
    script = {"title": "negative", "turns": [{"follow": {}, "expect": {"says": ["存在しない文言"]}}]}
    with pytest.raises(ScriptError):
        Player(script, "negative").play()
