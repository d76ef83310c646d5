"""boto3 against cognito-mfa's local Cognito endpoint: a client nobody here wrote.

Sets a pool up with Cognito's own calls, enrolls TOTP by access token (associate, verify with a
code computed here from the secret received, set the preference), then signs in on the admin API
and answers SOFTWARE_TOKEN_MFA with a real code; then checks a reused code is refused as Cognito
refuses it (ExpiredCodeException). Then pycognito's SRP maths (USER_SRP_AUTH, PASSWORD_VERIFIER)
followed by the TOTP challenge; then remembered devices with pycognito's device maths
(generate_hash_device for ConfirmDevice, process_device_challenge for DEVICE_PASSWORD_VERIFIER),
which checks the pool's device SRP server against a client nobody here wrote.

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

    # pycognito is installed by tests/run.sh; without it this fails, it does not skip.
    srp_with_totp(idp, pool_id, client_id)
    devices(idp)
    user_auth(idp)
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


def devices(idp):
    """A pool that remembers every confirmed device and lets remembered ones skip MFA: pycognito
    signs in with a code, confirms the device with its own verifier, then signs in on it with no
    code; a wrong device password is refused.

    boto3 drives the calls with each challenge's Session. pycognito's own authenticate_user sends
    DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER without a Session, which Cognito does not document
    as accepted and the pool refuses; so only its maths is used here."""
    from pycognito import aws_srp
    from pycognito.aws_srp import AWSSRP
    from pycognito.exceptions import SoftwareTokenMFAChallengeException

    pool_id = idp.create_user_pool(
        PoolName="devices",
        MfaConfiguration="OPTIONAL",
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True,
                             "DeviceOnlyRememberedOnUserPrompt": False},
    )["UserPool"]["Id"]
    described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["DeviceConfiguration"]
    assert described["ChallengeRequiredOnNewDevice"] is True, described
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="devices",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"],
    )["UserPoolClient"]["ClientId"]
    now = time.time()
    secret = enroll(idp, pool_id, client_id, "dee", now)

    srp = AWSSRP(username="dee", password=PASSWORD, pool_id=pool_id, client_id=client_id,
                 client=idp)
    try:
        srp.authenticate_user()
        raise AssertionError("expected the SOFTWARE_TOKEN_MFA challenge")
    except SoftwareTokenMFAChallengeException as challenge:
        session = challenge.get_tokens()["Session"]
    done = idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
        ChallengeResponses={"USERNAME": "dee", "SOFTWARE_TOKEN_MFA_CODE": totp(secret, now + 30)},
    )
    metadata = done["AuthenticationResult"]["NewDeviceMetadata"]
    key, group = metadata["DeviceKey"], metadata["DeviceGroupKey"]
    access_token = done["AuthenticationResult"]["AccessToken"]

    device_password, verifier = aws_srp.generate_hash_device(group, key)
    confirmed = idp.confirm_device(AccessToken=access_token, DeviceKey=key,
                                   DeviceSecretVerifierConfig=verifier, DeviceName="pycognito")
    assert confirmed["UserConfirmationNecessary"] is False, confirmed
    listed = idp.list_devices(AccessToken=access_token)["Devices"]
    assert [d["DeviceKey"] for d in listed] == [key], listed
    print("pycognito device confirmed")

    def on_device(password):
        srp = AWSSRP(username="dee", password=PASSWORD, pool_id=pool_id, client_id=client_id,
                     client=idp, device_key=key, device_group_key=group,
                     device_password=password)
        params = srp.get_auth_params()
        assert params["DEVICE_KEY"] == key
        first = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                                  AuthParameters=params)
        answer = srp.process_challenge(first["ChallengeParameters"], params)
        assert answer["DEVICE_KEY"] == key
        device_step = idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", Session=first["Session"],
            ChallengeResponses=answer)
        assert device_step["ChallengeName"] == "DEVICE_SRP_AUTH", device_step.get("ChallengeName")
        # A fresh a for the device's exchange (pycognito would reuse the first one).
        device_srp = AWSSRP(username="dee", password=PASSWORD, pool_id=pool_id,
                            client_id=client_id, client=idp, device_key=key,
                            device_group_key=group, device_password=password)
        verifier_step = idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="DEVICE_SRP_AUTH", Session=device_step["Session"],
            ChallengeResponses={"USERNAME": "dee", "DEVICE_KEY": key,
                                "SRP_A": aws_srp.long_to_hex(device_srp.large_a_value)})
        assert verifier_step["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER", verifier_step
        return idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="DEVICE_PASSWORD_VERIFIER",
            Session=verifier_step["Session"],
            ChallengeResponses=device_srp.process_device_challenge(
                verifier_step["ChallengeParameters"]))

    tokens = on_device(device_password)["AuthenticationResult"]
    assert tokens["AccessToken"] and "NewDeviceMetadata" not in tokens, sorted(tokens)
    print("pycognito device sign-in without a code: tokens")
    try:
        on_device(device_password[:-4] + "AAA=")
        raise AssertionError("a wrong device password was accepted")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "NotAuthorizedException", e.response["Error"]
        print("wrong device password refused:", e.response["Error"]["Code"])


def user_auth(idp):
    """USER_AUTH through botocore's own model of it: SELECT_CHALLENGE with AvailableChallenges
    (a top-level member), the password chosen; a preferred PASSWORD taken at once; and the
    tier error on a Lite pool."""
    pool_id = idp.create_user_pool(
        PoolName="choice",
        UserPoolTier="ESSENTIALS",
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
    )["UserPool"]["Id"]
    described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["UserPoolTier"] == "ESSENTIALS", described
    assert described["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"] == [
        "PASSWORD", "EMAIL_OTP"], described
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="choice", ExplicitAuthFlows=["ALLOW_USER_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="gil", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "gil@example.com"}])
    idp.admin_set_user_password(UserPoolId=pool_id, Username="gil", Password=PASSWORD,
                                Permanent=True)
    first = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH",
                              AuthParameters={"USERNAME": "gil"})
    assert first["ChallengeName"] == "SELECT_CHALLENGE", first.get("ChallengeName")
    assert first["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"], first
    done = idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="SELECT_CHALLENGE", Session=first["Session"],
        ChallengeResponses={"USERNAME": "gil", "ANSWER": "PASSWORD", "PASSWORD": PASSWORD})
    assert done["AuthenticationResult"]["AccessToken"], sorted(done)
    direct = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "gil", "PREFERRED_CHALLENGE": "PASSWORD",
                        "PASSWORD": PASSWORD})
    assert direct["AuthenticationResult"]["AccessToken"], sorted(direct)
    print("USER_AUTH: SELECT_CHALLENGE with AvailableChallenges, then tokens")

    lite = idp.create_user_pool(PoolName="lite", UserPoolTier="LITE")["UserPool"]["Id"]
    lite_client = idp.create_user_pool_client(
        UserPoolId=lite, ClientName="lite", ExplicitAuthFlows=["ALLOW_USER_AUTH"],
    )["UserPoolClient"]["ClientId"]
    try:
        idp.initiate_auth(ClientId=lite_client, AuthFlow="USER_AUTH",
                          AuthParameters={"USERNAME": "gil"})
        raise AssertionError("USER_AUTH on a Lite pool was accepted")
    except botocore.exceptions.ClientError as e:
        code = e.response["Error"]["Code"]
        assert code == "FeatureUnavailableInTierException", e.response["Error"]
        print("USER_AUTH on LITE refused:", code)


if __name__ == "__main__":
    sys.exit(main())
