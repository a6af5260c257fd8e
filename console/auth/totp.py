"""TOTP two-factor (RFC 6238, 30-second steps): enrolment, verification without replay."""

import hmac
import io
import unicodedata
from datetime import datetime

import pyotp
import segno

ISSUER = "marugoto"
SECRET_CONTEXT = "staff_users.totp_secret"
PENDING_CONTEXT = "console.totp_enrolment"
STEP_SECONDS = 30


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, login: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth URI as an SVG QR code (no inline styles, so it passes the CSP)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(
        buffer, kind="svg", xmldecl=False, svgns=True, nl=False, scale=5, svgclass="totp-qr", lineclass=None
    )
    return buffer.getvalue().decode("ascii")


def matching_step(secret: str, code: str, at: datetime) -> int | None:
    """The time step the code belongs to (now, or one step either side), else None."""
    # NFKC reads full-width digits (a Japanese IME's) as ASCII; other scripts' digits stay wrong.
    code = "".join(unicodedata.normalize("NFKC", code).split())
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(at.timestamp()) // STEP_SECONDS
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_once(store, staff_id: int, secret: str, code: str, at: datetime) -> bool:
    """True for a valid code whose step is newer than the last one used (no replay)."""
    step = matching_step(secret, code, at)
    if step is None:
        return False
    key = f"totp-last-step:{staff_id}"
    last = store.get(key)
    if last is not None and step <= int(last):
        return False
    store.set(key, str(step), ttl_seconds=10 * STEP_SECONDS)
    return True
