"""The LINE Messaging API: one v3 client per process, explicit timeouts, our own retries.

`reply` uses a reply token (once, while fresh: the caller decides); `push` carries an
`X-Line-Retry-Key`, so a retry of an accepted push is answered 409 and counts as sent.
Transient failures (429, 5xx, timeouts, refused connections) are retried with
backoff; the rest fail at once with a short code the caller stores for staff.
"""

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import urllib3
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
    TextMessage,
)

from bot.settings import Settings

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 3.0
READ_TIMEOUT_SECONDS = 10.0
BACKOFF_SECONDS: tuple[float, ...] = (0.5, 1.5, 4.0)  # waits between attempts
MAX_MESSAGES_PER_CALL = 5
MAX_QUICK_REPLIES = 13
MAX_LABEL_CHARS = 20


class LineApiError(Exception):
    """A call LINE did not accept; `code` (e.g. line_429, line_timeout) is stored for staff."""

    def __init__(self, code: str, *, retryable: bool, status: int | None = None):
        super().__init__(code)
        self.code, self.retryable, self.status = code, retryable, status


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class OutboundText:
    text: str
    buttons: tuple[Button, ...] = ()


def _to_line(message: OutboundText) -> TextMessage:
    if len(message.buttons) > MAX_QUICK_REPLIES:
        raise ValueError(f"LINE shows at most {MAX_QUICK_REPLIES} quick replies")
    if any(not b.label or len(b.label) > MAX_LABEL_CHARS for b in message.buttons):
        raise ValueError(f"quick-reply labels must be 1 to {MAX_LABEL_CHARS} characters")
    quick = None
    if message.buttons:
        quick = QuickReply(
            items=[
                QuickReplyItem(action=PostbackAction(label=b.label, data=b.data, displayText=b.label))
                for b in message.buttons
            ]
        )
    return TextMessage(text=message.text, quickReply=quick)


def _check_batch(messages: Sequence[OutboundText]) -> None:
    if not 1 <= len(messages) <= MAX_MESSAGES_PER_CALL:
        raise ValueError(f"one call carries 1 to {MAX_MESSAGES_PER_CALL} messages")


class LineGateway:
    def __init__(
        self,
        settings: Settings,
        *,
        timeouts: tuple[float, float] = (CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
        backoff_seconds: Sequence[float] = BACKOFF_SECONDS,
    ):
        configuration = Configuration(host=settings.line_api_url, access_token=settings.line_channel_access_token)
        configuration.retries = False  # no hidden urllib3 retries: this class decides
        configuration.connection_pool_maxsize = 8
        self._client = ApiClient(configuration)
        self._api = MessagingApi(self._client)
        self._timeout = timeouts
        self._backoff = tuple(backoff_seconds)

    def reply(self, reply_token: str, messages: Sequence[OutboundText]) -> None:
        _check_batch(messages)
        request = ReplyMessageRequest(replyToken=reply_token, messages=[_to_line(m) for m in messages])
        self._with_retries(lambda: self._api.reply_message(request, _request_timeout=self._timeout))

    def push(self, user_id: str, messages: Sequence[OutboundText], *, retry_key: str) -> None:
        _check_batch(messages)
        request = PushMessageRequest(to=user_id, messages=[_to_line(m) for m in messages])
        self._with_retries(
            lambda: self._api.push_message(request, x_line_retry_key=retry_key, _request_timeout=self._timeout),
            accepted_conflict=True,
        )

    def show_loading(self, user_id: str, seconds: int) -> None:
        """Best effort, one attempt: the animation is a courtesy, never worth a delay."""
        request = ShowLoadingAnimationRequest(chatId=user_id, loadingSeconds=seconds)
        try:
            self._api.show_loading_animation(request, _request_timeout=self._timeout)
        except (ApiException, urllib3.exceptions.HTTPError) as exc:
            log.info("loading animation not shown (%s)", _classify(exc).code)

    def close(self) -> None:
        self._client.close()
        self._client.rest_client.pool_manager.clear()

    def _with_retries(self, call: Callable[[], object], *, accepted_conflict: bool = False) -> None:
        for attempt in range(len(self._backoff) + 1):
            try:
                call()
                return
            except (ApiException, urllib3.exceptions.HTTPError) as exc:
                error = _classify(exc)
            if accepted_conflict and error.status == 409:
                # Same retry key already accepted: the message was sent.
                return
            if not error.retryable or attempt == len(self._backoff):
                raise error
            log.info("LINE call failed (%s); retry %d", error.code, attempt + 1)
            time.sleep(self._backoff[attempt])


def _classify(exc: Exception) -> LineApiError:
    if isinstance(exc, ApiException):
        status = exc.status or 0
        retryable = status == 429 or status >= 500 or status == 0
        return LineApiError(f"line_{status}", retryable=retryable, status=status)
    if isinstance(exc, urllib3.exceptions.TimeoutError):
        return LineApiError("line_timeout", retryable=True)
    return LineApiError("line_connection", retryable=True)
