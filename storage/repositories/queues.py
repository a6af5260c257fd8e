"""Queues and agencies."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Queue


def list_queues(session: Session, *, active_only: bool = False) -> list[Queue]:
    query = select(Queue).order_by(Queue.id)
    if active_only:
        query = query.where(Queue.active.is_(True))
    return list(session.scalars(query))


def get_queue_by_key(session: Session, key: str) -> Queue | None:
    return session.scalar(select(Queue).where(Queue.key == key))


def upsert_queue(session: Session, key: str, **fields) -> Queue:
    queue = get_queue_by_key(session, key)
    if queue is None:
        queue = Queue(key=key, **fields)
        session.add(queue)
    else:
        for name, value in fields.items():
            setattr(queue, name, value)
    return queue
