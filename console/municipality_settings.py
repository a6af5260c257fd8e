"""The municipality's settings document (ConfigDocument "municipality", shared with routing):

    {"source": "<municipality YAML in routing.municipality_file's format>",
     "messages": {"<intake catalogue key>": "<text>", ...}}

The YAML text is stored as written (comments included), so administrators edit
what they wrote. Before saving, routing checks the file (every problem with its
line) and intake builds its configuration from it with the message overrides
(unknown keys, wrong placeholders, too many districts for LINE quick replies).
Saving mirrors the file's queues and agencies as Queue rows (routing.municipality_sync).
"""

from sqlalchemy.orm import Session

from console.errors import InvalidInput
from intake.context import config_from_municipality
from intake.errors import IntakeError
from routing.errors import ConfigFileError, MunicipalityMissing
from routing.municipality_file import load_municipality
from routing.municipality_sync import QueueSync, stored_municipality, sync_queues
from routing.store import MUNICIPALITY_DOCUMENT, load_live_municipality
from storage.repositories.config_documents import get_document, put_document


def get_settings_document(session: Session) -> dict:
    return get_document(session, MUNICIPALITY_DOCUMENT) or {}


def district_names(session: Session) -> dict[str, str]:
    """District key -> name; empty while no readable municipality is saved."""
    try:
        municipality = load_live_municipality(session)
    except (MunicipalityMissing, ConfigFileError):
        return {}
    return {d.key: d.name for d in municipality.districts}


def save_settings_document(
    session: Session, *, source: str, messages: dict[str, str], staff_id: int
) -> QueueSync:
    """Check, save and mirror the queues; MunicipalityFileError lists every problem of the file,
    InvalidInput the rest."""
    municipality = load_municipality(source, source="municipality")
    try:
        config_from_municipality(municipality, messages)
    except IntakeError as exc:
        raise InvalidInput(f"LINEの会話に使えない設定です: {exc}") from None
    previous = stored_municipality(session)
    document = {**get_settings_document(session), "source": source, "messages": messages}
    put_document(session, MUNICIPALITY_DOCUMENT, document, staff_id=staff_id)
    return sync_queues(session, municipality, previous=previous, actor_type="staff", actor_id=staff_id)
