#!/usr/bin/env python3
"""pycognito's SRP + TOTP sign-in, timed, for `flow-cost --flow srp`.

flow-cost runs this with the Python named by `--python` (one with pycognito==2024.5.1; tests/run.sh
installs it into target/moto-venv beside moto) and talks to it a line at a time on stdin and stdout,
so that its sign-ins and the library's alternate and share the machine's conditions:

  -> one JSON object:
       endpoint, region, pool_id, client_id   the moto server and the pool flow-cost set up
       users: [{"username", "password", "totp_secret"}, ...]   signed in round robin
       warmup                                 unmeasured sign-ins made first
       min_step_left_s                        a sign-in starts only with this much left in the step
  <- "ready"                                  after the warm-up
  -> "sign-in"   <- "ok"                      one measured sign-in (as often as flow-cost asks)
  -> "done"      <- {"flows", "cpu_ms_per_flow", "wall_ms_per_flow", "pycognito", "python"}

Each sign-in is what a pycognito user writes for SRP + TOTP:
  AWSSRP(...).authenticate_user()        InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER, answered
                                         with pycognito's SRP maths; raises
                                         SoftwareTokenMFAChallengeException with the Session
  respond_to_auth_challenge(...)         SOFTWARE_TOKEN_MFA with the current TOTP code -> tokens
The second call is the one `Cognito.respond_to_software_token_mfa_challenge` makes, without
what that method adds after it (`_set_tokens` verifies both JWTs against the pool's JWKS): the
library's flow does not verify tokens either. pycognito offers no TOTP generator (pyotp is
not one of its dependencies), so the code is RFC 6238 with hmac, as moto checks it.

CPU is `time.process_time()` (user + system, every thread of this process) from "ready" to
"done", as flow-cost measures its own side: imports, the boto3 client and the warm-up are outside
it; waiting for flow-cost's next line and for a fresh TOTP step are blocking reads and sleeps.
Wall time is summed per sign-in, without the waits. Errors go to stderr, with exit status 1; no
password, code or token is printed.
"""
import base64
import hashlib
import hmac
import importlib.metadata
import json
import platform
import struct
import sys
import time
import warnings

import boto3
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import SoftwareTokenMFAChallengeException

# pycognito 2024.5.1 formats TIMESTAMP from datetime.utcnow(), deprecated since Python 3.12.
warnings.filterwarnings("ignore", category=DeprecationWarning)

STEP = 30


def totp(secret, at):
    """RFC 6238: HMAC-SHA1, 6 digits, 30-second steps. The secret is base32 as Cognito (and
    moto, lowercase and unpadded) hands it out."""
    padded = secret.upper() + "=" * (-len(secret) % 8)
    key = base64.b32decode(padded)
    digest = hmac.new(key, struct.pack(">Q", int(at) // STEP), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def wait_for_step(min_left):
    """Sleeps out the end of the TOTP step when less than `min_left` seconds are left: moto
    accepts a code in its own step only."""
    left = STEP - (time.time() % STEP)
    if left < min_left:
        time.sleep(left + 0.1)


def sign_in(client, config, user):
    srp = AWSSRP(
        username=user["username"],
        password=user["password"],
        pool_id=config["pool_id"],
        client_id=config["client_id"],
        client=client,
    )
    try:
        srp.authenticate_user()
    except SoftwareTokenMFAChallengeException as challenge:
        session = challenge.get_tokens()["Session"]
    else:
        raise RuntimeError("expected SOFTWARE_TOKEN_MFA after PASSWORD_VERIFIER, got tokens")
    done = client.respond_to_auth_challenge(
        ClientId=config["client_id"],
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=session,
        ChallengeResponses={
            "USERNAME": user["username"],
            "SOFTWARE_TOKEN_MFA_CODE": totp(user["totp_secret"], time.time()),
        },
    )
    if not done.get("AuthenticationResult", {}).get("AccessToken"):
        raise RuntimeError(f"expected tokens, got {done.get('ChallengeName')!r}")


def reply(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main():
    config = json.loads(sys.stdin.readline())
    client = boto3.client(
        "cognito-idp",
        endpoint_url=config["endpoint"],
        region_name=config["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    users = config["users"]
    min_left = float(config["min_step_left_s"])
    for i in range(int(config["warmup"])):
        wait_for_step(min_left)
        sign_in(client, config, users[i % len(users)])

    flows = 0
    wall = 0.0
    reply("ready")
    cpu0 = time.process_time()
    for command in sys.stdin:
        command = command.strip()
        if command == "sign-in":
            wait_for_step(min_left)
            wall0 = time.perf_counter()
            sign_in(client, config, users[flows % len(users)])
            wall += time.perf_counter() - wall0
            flows += 1
            reply("ok")
        elif command == "done":
            break
        else:
            raise RuntimeError(f"unknown command {command!r}")
    else:
        raise RuntimeError("stdin closed before 'done'")
    cpu = time.process_time() - cpu0
    reply(
        json.dumps(
            {
                "flows": flows,
                "cpu_ms_per_flow": cpu * 1e3 / max(flows, 1),
                "wall_ms_per_flow": wall * 1e3 / max(flows, 1),
                "pycognito": importlib.metadata.version("pycognito"),
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line, whatever failed; the values sent are not in it
        print(f"pycognito_flow.py: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
