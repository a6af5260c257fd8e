"""The process-wide objects every request and job uses, built once from Settings."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.classification import ClassifierRunner
from bot.line_gateway import LineGateway
from bot.settings import Settings
from storage.crypto import Cipher
from storage.db import make_engine, make_session_factory
from storage.session_store import RedisSessionStore, SessionStore, SqlSessionStore


class JobQueue(Protocol):
    def enqueue(self, name: str, *args) -> None: ...


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    cipher: Cipher
    store: SessionStore
    redis: redis.Redis | None
    # One LINE API client per process (its connection pool is shared by every thread).
    line: LineGateway
    classifier: ClassifierRunner
    jobs: JobQueue = field(init=False)
    # Acts on one resident event (bot.inbound.EventHandler).
    conversation: Callable | None = None

    def close(self) -> None:
        self.line.close()
        self.classifier.close()
        self.engine.dispose()
        if self.redis is not None:
            self.redis.close()


def build_services(settings: Settings) -> Services:
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    client = None
    if settings.redis_url:
        client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=5)
        store: SessionStore = RedisSessionStore(client)
    else:
        store = SqlSessionStore(sessions)
    services = Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        cipher=Cipher(settings.encryption_keys, settings.hash_key),
        store=store,
        redis=client,
        line=LineGateway(settings),
        classifier=ClassifierRunner(),
    )
    # Imported here: the job queues and the conversation need the Services they run with.
    from bot.conversation import intake_conversation
    from bot.jobs import InProcessQueue, RqQueue

    services.jobs = RqQueue(services) if client is not None else InProcessQueue(services)
    services.conversation = intake_conversation
    return services
