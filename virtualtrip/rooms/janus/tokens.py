"""Janus signed tokens (`token_auth_secret`): what the app hands Janus on a participant's behalf.

Janus 1.1 checks `EXPIRY,janus,PLUGIN:SIGNATURE`, the signature being HMAC-SHA1 over the part before
the colon, in standard base64. A token names the plugins it may attach to: ours name VideoRoom only.
"""

import base64
import hashlib
import hmac
import time

VIDEOROOM = "janus.plugin.videoroom"


def sign_token(secret: str, lifetime_s: int = 3600, plugins: tuple[str, ...] = (VIDEOROOM,)) -> str:
    data = ",".join([str(int(time.time()) + lifetime_s), "janus", *plugins])
    digest = hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()
    return f"{data}:{base64.b64encode(digest).decode()}"
