#!/usr/bin/env python3
"""Computes SRP answers with pycognito (pycognito.aws_srp) for the Rust cross-check.

stdin:  a JSON list of cases; stdout: {"pycognito": version, "results": [...]} in the same order.

Case kinds
  "user":            a_hex, pool_id, user_id, password, salt_hex, b_hex, secret_block, timestamp
                     -> srp_a (pycognito's A as hex), signature (AWSSRP.process_challenge)
  "device":          a_hex, device_group_key, device_key, device_password, salt_hex, b_hex,
                     secret_block, timestamp
                     -> srp_a, signature (AWSSRP.process_device_challenge)
  "device_verifier": device_group_key, device_key, password_raw_hex (40 bytes), salt_hex (16 bytes)
                     -> device_password, password_verifier, salt (aws_srp.generate_hash_device)

How pycognito is driven with fixed inputs (only what it cannot take as arguments is patched):
  * a:          AWSSRP draws it in __init__ (generate_random_small_a) and computes A with its
                own calculate_a(); we patch the draw to return the given a.
  * TIMESTAMP:  pycognito formats the current time (the device path through the process
                locale); we substitute the given string: AWSSRP.get_cognito_formatted_timestamp
                for the user path, aws_srp.datetime for the device path.
  * randomness: generate_hash_device reads os.urandom(40) then os.urandom(16); we feed the
                given bytes through aws_srp.os.
  * negatives:  pycognito's pad_hex cannot encode a negative SALT/SRP_B (it produces "-..."
                hex and crashes). For cases marked "negative": true only, pad_hex is wrapped so
                that negative values get Java's toByteArray encoding (minimal two's complement,
                via Python's int.to_bytes(signed=True)); everything else stays pycognito's.
Not expressible here: moto's uuid SECRET_BLOCK (pycognito's lenient b64decode drops the '-'),
and SALT hex with leading zeros (pycognito hashes the zero bytes; Cognito never sends them).
"""
import contextlib
import importlib.metadata
import json
import sys
import types

from pycognito import aws_srp
from pycognito.aws_srp import AWSSRP

_ORIG_PAD_HEX = aws_srp.pad_hex


def _pad_hex_signed(value):
    if isinstance(value, str) and value.startswith("-"):
        value = int(value, 16)
    if isinstance(value, int) and value < 0:
        length = ((~value).bit_length() + 8) // 8  # minimal two's complement
        return value.to_bytes(length, "big", signed=True).hex()
    return _ORIG_PAD_HEX(value)


@contextlib.contextmanager
def patched(module_or_class, name, value):
    old = getattr(module_or_class, name)
    setattr(module_or_class, name, value)
    try:
        yield
    finally:
        setattr(module_or_class, name, old)


def _fixed_datetime(ts):
    class _Now:
        def strftime(self, _fmt):
            return ts

    class _DT:
        @staticmethod
        def utcnow():
            return _Now()

    return types.SimpleNamespace(datetime=_DT)


def _srp(case, **device):
    a = int(case["a_hex"], 16)
    with patched(AWSSRP, "generate_random_small_a", lambda _self: a):
        srp = AWSSRP(
            username="ignored",
            password=case.get("password"),
            pool_id=case.get("pool_id", "us-east-1_unused"),
            client_id="client",
            client=object(),  # never used: no network
            **device,
        )
    assert srp.small_a_value == a
    return srp


def run(case):
    kind = case["kind"]
    with contextlib.ExitStack() as stack:
        if case.get("negative"):
            stack.enter_context(patched(aws_srp, "pad_hex", _pad_hex_signed))
        if kind == "user":
            srp = _srp(case)
            ts = case["timestamp"]
            stack.enter_context(
                patched(AWSSRP, "get_cognito_formatted_timestamp", staticmethod(lambda _dt: ts))
            )
            resp = srp.process_challenge(
                {
                    "USERNAME": "canonical-name",
                    "USER_ID_FOR_SRP": case["user_id"],
                    "SALT": case["salt_hex"],
                    "SRP_B": case["b_hex"],
                    "SECRET_BLOCK": case["secret_block"],
                },
                {"USERNAME": "canonical-name"},
            )
            assert resp["TIMESTAMP"] == ts
            return {"srp_a": aws_srp.long_to_hex(srp.large_a_value),
                    "signature": resp["PASSWORD_CLAIM_SIGNATURE"]}
        if kind == "device":
            srp = _srp(
                case,
                device_key=case["device_key"],
                device_group_key=case["device_group_key"],
                device_password=case["device_password"],
            )
            stack.enter_context(patched(aws_srp, "datetime", _fixed_datetime(case["timestamp"])))
            resp = srp.process_device_challenge(
                {
                    "USERNAME": "canonical-name",
                    "SALT": case["salt_hex"],
                    "SRP_B": case["b_hex"],
                    "SECRET_BLOCK": case["secret_block"],
                }
            )
            assert resp["TIMESTAMP"] == case["timestamp"]
            return {"srp_a": aws_srp.long_to_hex(srp.large_a_value),
                    "signature": resp["PASSWORD_CLAIM_SIGNATURE"]}
        if kind == "device_verifier":
            feed = [bytes.fromhex(case["password_raw_hex"]), bytes.fromhex(case["salt_hex"])]

            def urandom(n):
                chunk = feed.pop(0)
                assert len(chunk) == n, (len(chunk), n)
                return chunk

            stack.enter_context(patched(aws_srp, "os", types.SimpleNamespace(urandom=urandom)))
            password, config = aws_srp.generate_hash_device(
                case["device_group_key"], case["device_key"]
            )
            assert not feed
            return {"device_password": password,
                    "password_verifier": config["PasswordVerifier"],
                    "salt": config["Salt"]}
        raise ValueError(f"unknown kind {kind!r}")


def main():
    cases = json.load(sys.stdin)
    results = [run(case) for case in cases]
    json.dump({"pycognito": importlib.metadata.version("pycognito"), "results": results},
              sys.stdout)


if __name__ == "__main__":
    main()
