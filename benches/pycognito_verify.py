#!/usr/bin/env python3
"""pycognito's Cognito.verify_token, timed, for `cargo bench --bench tokens`.

Reads one JSON object on stdin:
  pool_id, client_id, region, jwks       the in-memory pool the bench set up (its key set)
  id_token, access_token                 one sign-in's tokens (fresh: pycognito checks exp
                                         against the real clock)
  rounds, per_round                      the measure: `rounds` rounds of `per_round` calls
Writes one JSON object: {"id_us", "access_us"} (the fastest round's wall time per call, in
microseconds, as the bench takes its own figures), "pycognito", "python".

The keys are handed to pycognito (`pool_jwk`), so no request is made: what is timed is
verify_token's own work (header, PyJWK from the JWK, PyJWT's decode with RS256, issuer,
audience and expiry, token_use), as pycognito runs it on every call. pycognito keeps no
cache of keys in PyJWK form or of outcomes. Errors go to stderr with exit status 1; no token
is printed.
"""
import importlib.metadata
import json
import platform
import sys
import time

from pycognito import Cognito

request = json.load(sys.stdin)
cognito = Cognito(
    request["pool_id"],
    request["client_id"],
    user_pool_region=request["region"],
)
cognito.pool_jwk = request["jwks"]


def per_call(token, id_name, use):
    # Warm up, and prove the token verifies before timing it.
    for _ in range(50):
        cognito.verify_token(token, id_name, use)
    best = float("inf")
    for _ in range(request["rounds"]):
        start = time.perf_counter()
        for _ in range(request["per_round"]):
            cognito.verify_token(token, id_name, use)
        best = min(best, (time.perf_counter() - start) / request["per_round"])
    return best * 1e6


out = {
    "id_us": per_call(request["id_token"], "id_token", "id"),
    "access_us": per_call(request["access_token"], "access_token", "access"),
    "pycognito": importlib.metadata.version("pycognito"),
    "python": platform.python_version(),
}
json.dump(out, sys.stdout)
