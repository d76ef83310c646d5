"""boto3 against cognito-mfa's local Cognito endpoint: a client nobody here wrote.

Sets a pool up with Cognito's own calls, enrolls TOTP by access token (associate, verify with a
code computed here from the secret received, set the preference), then signs in on the admin API
and answers SOFTWARE_TOKEN_MFA with a real code; then checks a reused code is refused as Cognito
refuses it (ExpiredCodeException). Then, if pycognito is installed, its SRP maths
(USER_SRP_AUTH, PASSWORD_VERIFIER) followed by the TOTP challenge.

Run by tests/wire/local_endpoint.rs (`boto3_walkthrough`) with LOCAL_COGNITO_ENDPOINT set.
Prints no secret: only ids and outcomes.
"""

import base64
import hashlib
import hmac
import os
import struct
import sys
import time

import boto3
import botocore.exceptions

ENDPOINT = os.environ["LOCAL_COGNITO_ENDPOINT"]
REGION = "us-east-1"
PASSWORD = "Passw0rd-1!"


def totp(secret_b32, at):
    """RFC 6238: HMAC-SHA1, 6 digits, 30-second step."""
    padded = secret_b32.upper() + "=" * (-len(secret_b32) % 8)
    key = base64.b32decode(padded)
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1_000_000)


def main():
    idp = boto3.client(
        "cognito-idp",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    pool_id = idp.create_user_pool(PoolName="boto3", MfaConfiguration="OPTIONAL")["UserPool"]["Id"]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="boto3-client",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                           "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="bob",
        TemporaryPassword="Temp-Passw0rd-1!",
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username="bob", Password=PASSWORD,
                                Permanent=True)
    print("pool", pool_id, "client", client_id)

    first = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD},
    )
    access_token = first["AuthenticationResult"]["AccessToken"]

    secret = idp.associate_software_token(AccessToken=access_token)["SecretCode"]
    now = time.time()
    verified = idp.verify_software_token(AccessToken=access_token, UserCode=totp(secret, now),
                                         FriendlyDeviceName="phone")
    assert verified["Status"] == "SUCCESS", verified
    idp.set_user_mfa_preference(
        AccessToken=access_token,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    user = idp.get_user(AccessToken=access_token)
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA", user
    print("enrolled")

    challenge = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD},
    )
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA", challenge.get("ChallengeName")
    # The verifying code's step is spent: the same code is a reuse, as on Cognito.
    try:
        idp.admin_respond_to_auth_challenge(
            UserPoolId=pool_id,
            ClientId=client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "bob", "SOFTWARE_TOKEN_MFA_CODE": totp(secret, now)},
        )
        raise AssertionError("a reused code was accepted")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "ExpiredCodeException", e.response["Error"]
        print("reused code refused:", e.response["Error"]["Code"])
    # The next step's code: Cognito accepts one step early, so no waiting. A reused code
    # leaves the Session usable.
    done = idp.admin_respond_to_auth_challenge(
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "bob", "SOFTWARE_TOKEN_MFA_CODE": totp(secret, now + 30)},
    )
    result = done["AuthenticationResult"]
    assert result["AccessToken"] and result["RefreshToken"], sorted(result)
    print("signed in with TOTP: tokens")

    try:
        import pycognito
    except ImportError:
        print("pycognito not installed: its SRP sign-in skipped")
    else:
        srp_with_totp(idp, pool_id, client_id)
    print("boto3 walkthrough: ok")


def enroll(idp, pool_id, client_id, username, now):
    """A new confirmed user with TOTP enrolled (the step of `now` used); returns the secret."""
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD,
                                Permanent=True)
    first = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    access_token = first["AuthenticationResult"]["AccessToken"]
    secret = idp.associate_software_token(AccessToken=access_token)["SecretCode"]
    verified = idp.verify_software_token(AccessToken=access_token, UserCode=totp(secret, now))
    assert verified["Status"] == "SUCCESS", verified
    idp.set_user_mfa_preference(
        AccessToken=access_token,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    return secret


def srp_with_totp(idp, pool_id, client_id):
    """pycognito's SRP (USER_SRP_AUTH, PASSWORD_VERIFIER), then the TOTP challenge, for a user
    of its own: bob's next code is two steps ahead, which Cognito would refuse too."""
    from pycognito.aws_srp import AWSSRP

    now = time.time()
    secret = enroll(idp, pool_id, client_id, "carol", now)
    at = now + 30
    srp = AWSSRP(username="carol", password=PASSWORD, pool_id=pool_id, client_id=client_id,
                 client=idp)
    # pycognito's own sign-in: it answers PASSWORD_VERIFIER without the Session (as Cognito
    # allows), and the pool finds the exchange by its SECRET_BLOCK; the TOTP step comes back
    # as pycognito's exception, carrying the Session.
    from pycognito.exceptions import SoftwareTokenMFAChallengeException

    try:
        srp.authenticate_user()
        raise AssertionError("expected the SOFTWARE_TOKEN_MFA challenge")
    except SoftwareTokenMFAChallengeException as challenge:
        verified = challenge.get_tokens()
    assert verified["ChallengeName"] == "SOFTWARE_TOKEN_MFA", verified.get("ChallengeName")
    tokens = {"Session": verified["Session"]}
    done = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=tokens["Session"],
        ChallengeResponses={"USERNAME": "carol", "SOFTWARE_TOKEN_MFA_CODE": totp(secret, at)},
    )
    assert done["AuthenticationResult"]["AccessToken"], sorted(done)
    print("pycognito SRP sign-in with TOTP: tokens")


if __name__ == "__main__":
    sys.exit(main())
