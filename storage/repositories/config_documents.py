"""Administrator-edited settings documents (municipality, catalogue overrides)."""

from sqlalchemy.orm import Session

from storage.models import ConfigDocument


def get_document(session: Session, name: str) -> dict | None:
    found = session.get(ConfigDocument, name)
    return None if found is None else dict(found.document)


def put_document(session: Session, name: str, document: dict, *, staff_id: int | None = None) -> None:
    found = session.get(ConfigDocument, name)
    if found is None:
        session.add(ConfigDocument(name=name, document=document, updated_by=staff_id))
    else:
        found.document, found.updated_by = document, staff_id
