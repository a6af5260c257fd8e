"""A database seeded like `marugoto demo`: すずかぜ市, its queues and rule version 1."""

import pytest

from bot.demo import seed_default_rules, seed_municipality
from bot.services import build_services
from routing.municipality_file import demo_municipality_source
from routing.rule_file import default_rules_source
from storage.repositories.cases import create_case
from storage.repositories.residents import get_or_create_resident
from tests.conftest import make_settings


@pytest.fixture
def services(tmp_path, database_url):
    services = build_services(make_settings(tmp_path, database_url))
    with services.sessions.begin() as session:
        seed_municipality(session, demo_municipality_source())
        seed_default_rules(session)
    yield services
    services.close()


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_of(text: str, fragment: str) -> int:
    """1-based line of the only line containing `fragment`."""
    (number,) = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    return number


# The shipped rules with poverty-only cases sent to the comprehensive queue instead.
POVERTY_TO_COMPREHENSIVE = replace_once(
    default_rules_source(), "    then:\n      queue: poverty\n", "    then:\n      queue: comprehensive\n"
)


def add_cases(services, *specs: tuple[str, list[str]]) -> list[str]:
    """Stored, handed-off cases with (status, domains); returns their references in order."""
    references = []
    with services.sessions.begin() as session:
        for number, (status, domains) in enumerate(specs):
            resident = get_or_create_resident(session, services.cipher, f"U{number:032x}", channel="line")
            case = create_case(session, resident, channel="line")
            case.status, case.domains = status, domains
            session.flush()
            references.append(case.reference)
    return references
