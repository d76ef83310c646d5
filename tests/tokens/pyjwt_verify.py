"""Verifies the in-memory pool's tokens with PyJWT, independently of the crate.

Reads JSON on stdin: {"jwks", "issuer", "client_id", "id_token", "access_token"}.
Writes JSON: {"header", "id", "access"} with the claims PyJWT verified, and
"<which>_error" naming PyJWT's exception when it refuses a token.
"""

import json
import sys

import jwt

request = json.load(sys.stdin)
keys = {k["kid"]: jwt.PyJWK(k) for k in request["jwks"]["keys"]}
out = {}
REQUIRED = ["exp", "iat", "iss", "sub", "token_use"]


def decode(name, token, use, **checks):
    try:
        header = jwt.get_unverified_header(token)
        out["header"] = header
        claims = jwt.decode(
            token,
            keys[header["kid"]].key,
            algorithms=["RS256"],
            issuer=request["issuer"],
            **checks,
        )
    except jwt.PyJWTError as e:
        out[name + "_error"] = type(e).__name__
        return None
    if claims["token_use"] != use:
        out[name + "_error"] = "WrongUse"
        return None
    return claims


out["id"] = decode(
    "id", request["id_token"], "id", audience=request["client_id"], options={"require": REQUIRED}
)
# An access token has no aud: its client is in client_id.
access = decode(
    "access",
    request["access_token"],
    "access",
    options={"require": REQUIRED, "verify_aud": False},
)
if access is not None and access["client_id"] != request["client_id"]:
    out["access_error"] = "WrongClient"
    access = None
out["access"] = access
json.dump(out, sys.stdout)
