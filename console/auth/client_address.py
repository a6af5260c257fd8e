"""The address a login attempt comes from, for throttling.

Behind a reverse proxy every request comes from the proxy, so one bucket would
lock out everyone. When the direct peer is a trusted proxy (the same list
gunicorn trusts, MARUGOTO_FORWARDED_ALLOW_IPS), the nearest address in
X-Forwarded-For that is not itself a trusted proxy is used instead; from anyone
else the header is ignored (it could be forged to dodge the limit).
"""

from flask import request

from console.config import services


def client_address() -> str:
    peer = request.remote_addr or "unknown"
    trusted = {value.strip() for value in services().settings.forwarded_allow_ips.split(",") if value.strip()}
    if peer not in trusted and "*" not in trusted:
        return peer
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop[:64]
    return peer
