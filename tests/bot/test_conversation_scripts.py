"""Every conversation script, end to end: signed webhook events in, replies at the LINE stub,
cases in the database, on SQLite and PostgreSQL."""

import pytest

from bot.app import create_app
from bot.conversation import intake_conversation
from bot.demo import seed_default_rules, seed_municipality
from tests.bot.conftest import build_test_services
from tests.bot.script_player import MUNICIPALITY_FILE, EndToEndPlayer, ScriptedClassifier
from tests.intake.intake_scripting import SCRIPTS, ScriptError, load_script

SCRIPT_PATHS = sorted(SCRIPTS.glob("*.yaml"))


@pytest.fixture
def scripted(bot_settings):
    services = build_test_services(bot_settings, conversation=intake_conversation)
    services.classifier.close()
    services.classifier = ScriptedClassifier()
    with services.sessions.begin() as session:
        seed_municipality(session, MUNICIPALITY_FILE.read_text(encoding="utf-8"))
        seed_default_rules(session)
    app = create_app(bot_settings, services)
    yield app.test_client(), services
    services.close()


@pytest.mark.parametrize("path", SCRIPT_PATHS, ids=[p.stem for p in SCRIPT_PATHS])
def test_script_plays_end_to_end(path, scripted, line_stub):
    client, services = scripted
    EndToEndPlayer(
        load_script(path), path.stem, client=client, services=services, stub=line_stub, classifier=services.classifier
    ).play()


def test_a_wrong_expectation_fails_end_to_end(scripted, line_stub):
    client, services = scripted
    script = {"title": "negative", "turns": [{"follow": {}, "expect": {"says": ["存在しない文言"]}}]}
    with pytest.raises(ScriptError):
        EndToEndPlayer(script, "negative", client=client, services=services, stub=line_stub,
                       classifier=services.classifier).play()
