"""CSRF tokens: every state-changing request carries the session's token.

Logged in, the token lives in the server-side session. Before login (the login
form itself) it is derived from a random pre-login cookie with the app's secret
key, so a forged cross-site login cannot supply it.
"""

import hashlib
import hmac
import secrets

FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
PRE_LOGIN_COOKIE = "mg_pre"


def new_pre_login_value() -> str:
    return secrets.token_urlsafe(24)


def pre_login_token(secret_key: str, cookie_value: str) -> str:
    return hmac.new(
        secret_key.encode("utf-8"), b"login-csrf\x00" + cookie_value.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def token_matches(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
