"""The municipality's settings document: routing's municipality file (YAML) plus
message catalogue overrides, kept in ConfigDocument "municipality".

    {"source": "<municipality YAML, routing.municipality_file format>",
     "catalogue_overrides": {"<catalogue key>": "<text>", ...}}

The YAML text is stored as written (comments included) so that administrators
edit what they wrote; it is validated with routing's loader before saving.
"""

from functools import lru_cache

from sqlalchemy.orm import Session

from routing.errors import MunicipalityFileError
from routing.municipality import Municipality
from routing.municipality_file import load_municipality
from storage.repositories.config_documents import get_document, put_document

DOCUMENT = "municipality"


def get_settings_document(session: Session) -> dict:
    return get_document(session, DOCUMENT) or {}


def get_municipality(session: Session) -> Municipality | None:
    """The saved municipality, or None when none is saved (or it no longer loads)."""
    source = get_settings_document(session).get("source")
    if not source:
        return None
    try:
        return _parse(source)
    except MunicipalityFileError:
        return None


def district_names(session: Session) -> dict[str, str]:
    municipality = get_municipality(session)
    return {} if municipality is None else {d.key: d.name for d in municipality.districts}


def save_settings_document(session: Session, *, source: str, catalogue_overrides: dict, staff_id: int) -> None:
    """Validate and save; raises MunicipalityFileError listing every problem with its line."""
    _parse(source)
    put_document(session, DOCUMENT, {"source": source, "catalogue_overrides": catalogue_overrides}, staff_id=staff_id)


@lru_cache(maxsize=8)
def _parse(source: str) -> Municipality:
    return load_municipality(source, source="municipality")
