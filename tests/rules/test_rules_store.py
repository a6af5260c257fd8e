"""The live rules in the database route each case; broken configuration still reaches a person."""

import pytest
from sqlalchemy import delete, select

from routing.errors import MunicipalityFileError, MunicipalityMissing
from routing.facts import Facts
from routing.rule_file import default_rules_source
from routing.store import MUNICIPALITY_DOCUMENT, apply_routing, live_rules, load_live_municipality, route_case
from routing.vocabulary import PRIORITY_RANK
from storage.models import ConfigDocument, Queue, RuleSetVersion
from storage.repositories.cases import create_case
from storage.repositories.config_documents import put_document
from storage.repositories.queues import get_queue_by_key
from storage.repositories.residents import get_or_create_resident
from storage.repositories.rulesets import add_ruleset_version

POVERTY = Facts(domains=frozenset({"poverty"}))
ELDERLY_8050 = Facts(domains=frozenset({"elderly_care", "isolation"}), patterns=frozenset({"8050"}))


def test_route_case_uses_the_live_version_and_its_trace(services):
    # The seeded version 1 (the shipped rules) decides, and the decision names it.
    with services.sessions() as session:
        routed = route_case(session, ELDERLY_8050)
        live = session.scalar(select(RuleSetVersion))
    assert routed.decision.queue == "comprehensive" and routed.decision.rule == "pattern-8050"
    assert routed.decision.notify == ("elderly_care",) and routed.decision.warnings == ()
    assert (routed.version_id, routed.version) == (live.id, 1)
    assert [t.rule for t in routed.decision.trace] == ["emergency", "pattern-8050"]


def test_apply_routing_records_the_decision_on_the_case(services):
    # Afterwards the case is in the queue's row, with priority, rule, trace, co-agencies and version.
    with services.sessions.begin() as session:
        resident = get_or_create_resident(session, services.cipher, "U1", channel="line")
        case = create_case(session, resident, channel="line")
        routed = route_case(session, ELDERLY_8050)
        apply_routing(session, case, routed)
        session.flush()
        assert case.queue.key == "comprehensive" and case.priority == PRIORITY_RANK["high"]
        assert case.routing_rule == "pattern-8050" and case.co_agencies == ["elderly_care"]
        assert case.routing_trace[1]["matched"] is True and case.routing_warning is None
        assert case.ruleset_version_id == routed.version_id
        # General information stays with the bot: no queue at all.
        apply_routing(session, case, route_case(session, Facts()))
        assert case.queue is None and case.routing_rule == "no-domain"


def test_a_deleted_queue_sends_its_cases_to_comprehensive_with_a_warning(services):
    with services.sessions.begin() as session:
        get_queue_by_key(session, "poverty").active = False
    with services.sessions() as session:
        routed = route_case(session, POVERTY)
    assert routed.decision.queue == "comprehensive" and routed.decision.requested_queue == "poverty"
    assert [w.code for w in routed.decision.warnings] == ["queue_unavailable"]
    # A removed row behaves the same as a deactivated one.
    with services.sessions.begin() as session:
        session.execute(delete(Queue).where(Queue.key == "elderly_care"))
    with services.sessions() as session:
        routed = route_case(session, Facts(domains=frozenset({"elderly_care"})))
    assert routed.decision.queue == "comprehensive"
    assert "elderly_care" in routed.decision.warnings[0].message


@pytest.mark.parametrize(
    "source",
    ["name: x\nrules: [\n", "name: x\nrules: []\n", default_rules_source().replace("at_least: 2", "at_least: two")],
    ids=["yaml-syntax", "empty", "bad-value"],
)
def test_a_corrupt_stored_rule_set_sends_cases_to_comprehensive_with_a_warning(services, source):
    # A row that bypassed validation (edited in the database) must not stop intake.
    with services.sessions.begin() as session:
        row = add_ruleset_version(session, source=source, comment="", created_by=None, created_by_label="db")
        session.flush()
        broken_id = row.id
    with services.sessions() as session:
        routed = route_case(session, POVERTY)
        assert live_rules(session).problem.startswith("rule set version 2 is invalid")
    assert routed.decision.queue == "comprehensive" and routed.version_id == broken_id
    assert routed.decision.warnings[0].code == "rules_unavailable"
    assert "version 2" in routed.decision.warnings[0].message


def test_no_saved_rules_or_a_broken_municipality_still_reach_comprehensive(services):
    with services.sessions.begin() as session:
        put_document(session, MUNICIPALITY_DOCUMENT, {"source": "name: [broken\n"})
    with services.sessions() as session:
        routed = route_case(session, POVERTY)
        with pytest.raises(MunicipalityFileError):
            load_live_municipality(session)
    assert routed.decision.queue == "comprehensive"
    assert "municipality document is invalid" in routed.decision.warnings[0].message
    with services.sessions.begin() as session:
        session.execute(delete(RuleSetVersion))
    with services.sessions() as session:
        routed = route_case(session, Facts(urgency="emergency"))
    assert routed.decision.queue == "comprehensive" and routed.version_id is None
    assert "no rule set has been saved" in routed.decision.warnings[0].message


def test_the_live_municipality_is_the_stored_document(services):
    with services.sessions() as session:
        city = load_live_municipality(session)
        assert city.name == "すずかぜ市" and "comprehensive" in city.queue_keys
    with services.sessions.begin() as session:
        session.execute(delete(ConfigDocument))
    with services.sessions() as session, pytest.raises(MunicipalityMissing):
        load_live_municipality(session)
