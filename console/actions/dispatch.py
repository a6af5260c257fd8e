"""One table from action names to the audited functions, shared by the forms and the JSON API.

`run_action` owns the transaction: it parses the input, calls one do_* function,
commits, and only then starts side effects (enqueueing a reply's delivery).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from console.actions.assignment import do_assign_case, do_take_case, do_transfer_case
from console.actions.conversation import do_add_note, do_retry_reply, do_send_reply
from console.actions.lifecycle import do_acknowledge_emergency, do_reopen_case, do_resolve_case
from console.actions.records import do_correct_tags, do_record_disclosure, do_set_consent, do_set_follow_up
from console.actor import Actor
from console.errors import NotFound
from console.inputs import Inputs

log = logging.getLogger(__name__)
DELIVER_JOB = "deliver_message"


@dataclass(frozen=True)
class Context:
    actor: Actor
    cipher: object
    now: datetime


@dataclass(frozen=True)
class Outcome:
    case_id: int
    # A reply row whose delivery must be enqueued after commit.
    deliver_message_id: int | None = None


Handler = Callable[[Session, Context, int, Inputs], Outcome]


def _simple(do: Callable, *fields: Callable[[Inputs], object], **keywords: Callable[[Inputs], object]) -> Handler:
    def handle(session: Session, ctx: Context, case_id: int, inputs: Inputs) -> Outcome:
        args = [read(inputs) for read in fields]
        kwargs = {name: read(inputs) for name, read in keywords.items()}
        do(session, case_id, *args, **kwargs, actor=ctx.actor, now=ctx.now)
        return Outcome(case_id)

    return handle


def _reply(session: Session, ctx: Context, case_id: int, inputs: Inputs) -> Outcome:
    result = do_send_reply(
        session, ctx.cipher, case_id, inputs.get("body"), inputs.get("client_token"), actor=ctx.actor, now=ctx.now
    )
    return Outcome(case_id, result.message.id if result.created else None)


def _retry(session: Session, ctx: Context, case_id: int, inputs: Inputs) -> Outcome:
    message = do_retry_reply(session, case_id, inputs.integer("message_id"), actor=ctx.actor, now=ctx.now)
    return Outcome(case_id, message.id)


def _note(session: Session, ctx: Context, case_id: int, inputs: Inputs) -> Outcome:
    do_add_note(session, ctx.cipher, case_id, inputs.get("body"), actor=ctx.actor, now=ctx.now)
    return Outcome(case_id)


ACTIONS: dict[str, Handler] = {
    "take": _simple(do_take_case),
    "assign": _simple(do_assign_case, lambda i: i.integer("assignee_id", optional=True)),
    "transfer": _simple(do_transfer_case, lambda i: i.integer("queue_id"), keep_shared=lambda i: i.flag("keep_shared")),
    "reply": _reply,
    "retry": _retry,
    "note": _note,
    "follow_up": _simple(do_set_follow_up, lambda i: i.day("follow_up", optional=True)),
    "consent": _simple(do_set_consent, lambda i: i.get("consent")),
    "disclosure": _simple(
        do_record_disclosure,
        meeting=lambda i: i.get("meeting"),
        held_on=lambda i: i.day("held_on"),
        queue_ids=lambda i: i.integers("queue_ids"),
    ),
    "tags": _simple(
        do_correct_tags,
        domains=lambda i: i.getlist("domains"),
        patterns=lambda i: i.getlist("patterns"),
        urgency=lambda i: i.get("urgency"),
    ),
    "acknowledge": _simple(do_acknowledge_emergency),
    "resolve": _simple(do_resolve_case, lambda i: i.get("outcome")),
    "reopen": _simple(do_reopen_case),
}

NOTICES = {
    "take": "担当になりました。",
    "assign": "担当者を変更しました。",
    "transfer": "引き継ぎました。",
    "reply": "返信を送信しています。",
    "retry": "もう一度送信しています。",
    "note": "メモを追加しました。",
    "follow_up": "フォローアップ日を保存しました。",
    "consent": "同意の状態を保存しました。",
    "disclosure": "会議での共有を記録しました。",
    "tags": "タグを修正しました。",
    "acknowledge": "緊急案件を確認しました。",
    "resolve": "終結しました。",
    "reopen": "再開しました。",
}


def run_action(services, name: str, case_id: int, inputs: Inputs, *, actor: Actor, now: datetime) -> Outcome:
    handler = ACTIONS.get(name)
    if handler is None:
        raise NotFound("この操作はありません。")
    with services.sessions.begin() as session:
        outcome = handler(session, Context(actor, services.cipher, now), case_id, inputs)
    if outcome.deliver_message_id is not None:
        try:
            services.jobs.enqueue(DELIVER_JOB, outcome.deliver_message_id)
        except Exception:
            # The row is committed as pending; the delivery sweep sends it later.
            log.exception("could not enqueue delivery of message %s", outcome.deliver_message_id)
    return outcome
