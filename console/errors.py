"""Coded console errors. Each carries the HTTP status and a Japanese message for staff."""


class ConsoleError(Exception):
    code = "console_error"
    status = 400
    message = "処理できませんでした。"

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message


class InvalidInput(ConsoleError):
    code = "invalid_input"
    message = "入力内容を確認してください。"


class NotFound(ConsoleError):
    """Also what a case the actor may not see looks like: its existence is not revealed."""

    code = "not_found"
    status = 404
    message = "見つかりません。"


class Forbidden(ConsoleError):
    code = "forbidden"
    status = 403
    message = "この操作を行う権限がありません。"


class NotLoggedIn(ConsoleError):
    code = "not_logged_in"
    status = 401
    message = "ログインしてください。"


class CsrfFailed(ConsoleError):
    code = "csrf_failed"
    status = 403
    message = "画面の有効期限が切れました。ページを読み込み直してから、もう一度操作してください。"


class Throttled(ConsoleError):
    code = "throttled"
    status = 429
    message = "ログインの失敗が続いたため、一時的にログインできません。しばらく待ってからお試しください。"


class Conflict(ConsoleError):
    """The case is not in a state that allows the action (e.g. replying to a resolved case)."""

    code = "conflict"
    status = 409
    message = "この案件の現在の状態では、その操作はできません。"
