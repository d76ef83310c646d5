#!/usr/bin/env python3
"""Times pycognito's remembered-device client work, for benches/devices.rs to print beside the
library's figures measured in the same run.

stdin:  {"iterations": N, "device_group_key", "device_key", "device_password", "salt_hex",
         "b_hex", "secret_block"}
stdout: {"pycognito": version, "confirm_us": ..., "sign_in_us": ...}: microseconds per operation.

  confirm:  aws_srp.generate_hash_device (a device password, a salt and the verifier g^x),
            what ConfirmDevice needs.
  sign_in:  AWSSRP(...) with the device (draws a, computes A) and process_device_challenge
            (S, the key and PASSWORD_CLAIM_SIGNATURE): the client's device steps.
No network: pycognito is given a dummy client object that is never called.
"""
import importlib.metadata
import json
import sys
import time

from pycognito import aws_srp
from pycognito.aws_srp import AWSSRP


def per_op(n, f):
    f()  # warm
    start = time.perf_counter()
    for _ in range(n):
        f()
    return (time.perf_counter() - start) / n * 1e6


def main():
    case = json.load(sys.stdin)
    n = int(case["iterations"])
    group, key = case["device_group_key"], case["device_key"]

    def confirm():
        aws_srp.generate_hash_device(group, key)

    challenge = {
        "USERNAME": "alice",
        "SALT": case["salt_hex"],
        "SRP_B": case["b_hex"],
        "SECRET_BLOCK": case["secret_block"],
    }

    def sign_in():
        srp = AWSSRP(
            username="alice",
            password=None,
            pool_id="us-east-1_BenchPool1",
            client_id="client",
            client=object(),
            device_key=key,
            device_group_key=group,
            device_password=case["device_password"],
        )
        resp = srp.process_device_challenge(challenge)
        assert resp["PASSWORD_CLAIM_SIGNATURE"]

    json.dump(
        {
            "pycognito": importlib.metadata.version("pycognito"),
            "confirm_us": per_op(n, confirm),
            "sign_in_us": per_op(n, sign_in),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
