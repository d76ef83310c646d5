//! `cognito-idp`: the AWS CLI's `aws cognito-idp` commands of the TOTP MFA
//! walkthrough, of USER_AUTH (choice-based sign-in) and of remembered
//! devices — the same command names, flags
//! and value syntax — run through cognito-mfa's enrollment, sign-in and
//! device types, plus two interactive commands the AWS CLI lacks (`enroll`
//! and `sign-in`).
//!
//! Like the AWS CLI, it reads the region, the endpoint
//! (`AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` or `AWS_ENDPOINT_URL`) and
//! the credentials from the standard AWS environment. The public calls need
//! no credentials; the `admin-*` commands need IAM credentials.
//!
//! ```text
//! alias cognito-idp='cargo run -q --example cognito-idp --'
//!
//! # Enroll an authenticator for a signed-in user.
//! cognito-idp associate-software-token --access-token "$ACCESS_TOKEN"     # {"SecretCode": ...}
//! cognito-idp verify-software-token --access-token "$ACCESS_TOKEN" \
//!     --user-code 123456 --friendly-device-name "Alice's phone"           # {"Status": "SUCCESS"}
//! cognito-idp set-user-mfa-preference --access-token "$ACCESS_TOKEN" \
//!     --software-token-mfa-settings Enabled=true,PreferredMfa=true
//! cognito-idp admin-set-user-mfa-preference --user-pool-id us-east-1_AbC123 --username bob \
//!     --software-token-mfa-settings '{"Enabled":true,"PreferredMfa":true}'
//!
//! # Sign in with MFA (initiate-auth / respond-to-auth-challenge for a public client).
//! cognito-idp admin-initiate-auth --user-pool-id us-east-1_AbC123 --client-id "$CLIENT_ID" \
//!     --auth-flow ADMIN_USER_PASSWORD_AUTH --auth-parameters USERNAME=alice,PASSWORD="$PASSWORD"
//! cognito-idp admin-respond-to-auth-challenge --user-pool-id us-east-1_AbC123 \
//!     --client-id "$CLIENT_ID" --challenge-name SOFTWARE_TOKEN_MFA --session "$SESSION" \
//!     --challenge-responses USERNAME=alice,SOFTWARE_TOKEN_MFA_CODE=123456
//! cognito-idp initiate-auth --client-id "$CLIENT_ID" --auth-flow REFRESH_TOKEN_AUTH \
//!     --auth-parameters REFRESH_TOKEN="$REFRESH_TOKEN"
//!
//! # The same over SRP: the password never leaves the process; PASSWORD_VERIFIER is answered
//! # here, and what comes after it is printed (SOFTWARE_TOKEN_MFA, or the tokens).
//! cognito-idp initiate-auth --client-id "$CLIENT_ID" --user-pool-id us-east-1_AbC123 \
//!     --auth-flow USER_SRP_AUTH --auth-parameters USERNAME=alice,PASSWORD="$PASSWORD"
//! cognito-idp respond-to-auth-challenge --client-id "$CLIENT_ID" \
//!     --challenge-name SOFTWARE_TOKEN_MFA --session "$SESSION" \
//!     --challenge-responses USERNAME=alice,SOFTWARE_TOKEN_MFA_CODE=123456
//!
//! # Choice-based sign-in (USER_AUTH): SELECT_CHALLENGE lists AvailableChallenges; the answer
//! # names one. An emailed (or texted) code stands for the password.
//! cognito-idp initiate-auth --client-id "$CLIENT_ID" --auth-flow USER_AUTH \
//!     --auth-parameters USERNAME=alice          # SELECT_CHALLENGE, AvailableChallenges
//! cognito-idp respond-to-auth-challenge --client-id "$CLIENT_ID" \
//!     --challenge-name SELECT_CHALLENGE --session "$S0" \
//!     --challenge-responses USERNAME=alice,ANSWER=EMAIL_OTP        # EMAIL_OTP, S1
//! cognito-idp respond-to-auth-challenge --client-id "$CLIENT_ID" \
//!     --challenge-name EMAIL_OTP --session "$S1" \
//!     --challenge-responses USERNAME=alice,EMAIL_OTP_CODE=12345678  # tokens
//! # ... or ANSWER=PASSWORD,PASSWORD=..., ANSWER=SMS_OTP (then SMS_OTP_CODE), ANSWER=WEB_AUTHN
//! # (then CREDENTIAL, the browser's assertion JSON, in the JSON form of the map). A factor
//! # named up front skips the choice when the user may use it; PASSWORD_SRP takes PASSWORD
//! # and needs the pool id, as USER_SRP_AUTH does. The MFA steps follow a password factor.
//! cognito-idp initiate-auth --client-id "$CLIENT_ID" --user-pool-id us-east-1_AbC123 \
//!     --auth-flow USER_AUTH \
//!     --auth-parameters USERNAME=bob,PREFERRED_CHALLENGE=PASSWORD_SRP,PASSWORD="$PASSWORD"
//!
//! # First sign-in of a user created with a temporary password, pool MFA ON.
//! cognito-idp admin-respond-to-auth-challenge ... --challenge-name NEW_PASSWORD_REQUIRED \
//!     --session "$S0" --challenge-responses USERNAME=carol,NEW_PASSWORD="$NEW_PASSWORD"
//! cognito-idp associate-software-token --session "$S1" --account-name carol   # SecretCode, S2
//! cognito-idp verify-software-token --session "$S2" --user-code 123456         # S3
//! cognito-idp admin-respond-to-auth-challenge ... --challenge-name MFA_SETUP \
//!     --session "$S3" --challenge-responses USERNAME=carol                     # tokens
//!
//! # Remembered devices. A sign-in in a pool that tracks devices prints NewDeviceMetadata
//! # beside the tokens; confirm-device computes the verifier and writes the device (with its
//! # password) to a new file, mode 0600. It does only ConfirmDevice, as the AWS CLI does: in a
//! # pool that remembers on the user's say-so (UserConfirmationNecessary: true), the choice is
//! # update-device-status.
//! cognito-idp confirm-device --access-token "$ACCESS_TOKEN" --device-key "$DEVICE_KEY" \
//!     --device-group-key "$DEVICE_GROUP_KEY" --device-name "Alice's laptop" \
//!     --device-file alice.device                             # {"UserConfirmationNecessary": false}
//! cognito-idp update-device-status --access-token "$ACCESS_TOKEN" --device-key "$DEVICE_KEY" \
//!     --device-remembered-status remembered                  # (or not_remembered)
//! # Sign in on the device: DEVICE_KEY sent, DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER
//! # answered here; a remembered device in a pool that lets it skip MFA gets the tokens at once.
//! cognito-idp initiate-auth --client-id "$CLIENT_ID" --user-pool-id us-east-1_AbC123 \
//!     --auth-flow USER_SRP_AUTH --auth-parameters USERNAME=alice,PASSWORD="$PASSWORD" \
//!     --device-file alice.device
//! cognito-idp respond-to-auth-challenge ... --device-file alice.device   # the code, then the device
//! cognito-idp list-devices --access-token "$ACCESS_TOKEN" [--limit 10 --pagination-token T]
//! cognito-idp get-device --access-token "$ACCESS_TOKEN" --device-key "$DEVICE_KEY"
//! cognito-idp forget-device --access-token "$ACCESS_TOKEN" --device-key "$DEVICE_KEY"
//! cognito-idp admin-list-devices --user-pool-id us-east-1_AbC123 --username alice
//! # ... and admin-get-device, admin-forget-device, admin-update-device-status.
//!
//! # Interactive: QR code in the terminal, codes (and the password) read from stdin.
//! cognito-idp enroll --access-token "$ACCESS_TOKEN" --issuer "Example App"
//! cognito-idp sign-in --client-id "$CLIENT_ID" --user-pool-id us-east-1_AbC123 --username alice
//! ```
//!
//! Output is the AWS CLI's JSON (`ChallengeName`, `Session`,
//! `ChallengeParameters` and, for SELECT_CHALLENGE, the top-level
//! `AvailableChallenges`; or `AuthenticationResult` with `AccessToken`,
//! `IdToken`, `RefreshToken`, `ExpiresIn`, `TokenType`,
//! `NewDeviceMetadata`), fields left out when absent; `confirm-device`
//! prints `{"UserConfirmationNecessary": ...}`, `get-device` `{"Device":
//! ...}` and `list-devices` `{"Devices": [...], "PaginationToken": ...}`
//! (`DeviceKey`, `DeviceAttributes` as `[{"Name", "Value"}]`, and the
//! dates as the AWS CLI prints them, `2026-12-01T05:30:26.123000+00:00`);
//! the `*-set-user-mfa-preference`, `*-update-device-status` and
//! `*-forget-device` commands print nothing.
//!
//! Where it differs from the AWS CLI:
//!
//! - **SECRET_HASH** is computed for every request from `--client-secret`
//!   (or `COGNITO_CLIENT_SECRET`). A `SECRET_HASH=...` in
//!   `--auth-parameters` or `--challenge-responses` is refused.
//! - **USER_SRP_AUTH** takes `USERNAME` and `PASSWORD` (not `SRP_A`): the
//!   tool computes SRP_A, answers PASSWORD_VERIFIER itself with a proof of
//!   the password, and prints what comes next, as the AWS CLI prints
//!   `respond-to-auth-challenge`'s answer. The pool's name enters the
//!   proof, so **`initiate-auth --user-pool-id`** is accepted (the AWS CLI
//!   has no such flag) and USER_SRP_AUTH needs it; `admin-initiate-auth`
//!   has the pool id already.
//! - **USER_AUTH's PASSWORD_SRP** takes `PASSWORD` (not `SRP_A`) too, as
//!   `PREFERRED_CHALLENGE=PASSWORD_SRP` in `--auth-parameters` or with
//!   `ANSWER=PASSWORD_SRP` to SELECT_CHALLENGE: the tool answers
//!   PASSWORD_VERIFIER itself, and needs the pool id — hence
//!   **`respond-to-auth-challenge --user-pool-id`** as well (not in the AWS
//!   CLI). A `PASSWORD` with any other factor, or with none, is refused.
//! - A SELECT_CHALLENGE answered by `respond-to-auth-challenge` is rebuilt
//!   from its name, Session and user name, so the tool does not know what
//!   was offered: any factor is sent, and Cognito refuses one it did not
//!   offer (exit 1). USER_AUTH is not run on a remembered device
//!   (`--device-file` is refused with it, and with SELECT_CHALLENGE,
//!   SMS_OTP and WEB_AUTHN).
//! - **`associate-software-token --account-name`** (default
//!   `cognito-user`): the library builds the authenticator's label even
//!   though only `SecretCode` is printed, and with `--session` there is no
//!   user to look the name up from.
//! - Only TOTP is set up: `--software-token-mfa-settings` (no SMS or
//!   email settings); auth flows `ADMIN_USER_PASSWORD_AUTH` (admin),
//!   `USER_PASSWORD_AUTH` (public), `USER_SRP_AUTH` and `USER_AUTH` (both;
//!   `PREFERRED_CHALLENGE` one of `PASSWORD`, `PASSWORD_SRP`, `EMAIL_OTP`,
//!   `SMS_OTP`, `WEB_AUTHN`) and `REFRESH_TOKEN_AUTH` (with `USERNAME=` as
//!   well when the client has a secret); challenges `SOFTWARE_TOKEN_MFA`,
//!   `MFA_SETUP`, `NEW_PASSWORD_REQUIRED` (`userAttributes.NAME=...` for
//!   attributes), `SELECT_MFA_TYPE`, `SELECT_CHALLENGE` (`ANSWER`, with
//!   `PASSWORD` for the password factors), `EMAIL_OTP` (`EMAIL_OTP_CODE`,
//!   first or second factor), `SMS_OTP` (`SMS_OTP_CODE`) and `WEB_AUTHN`
//!   (`CREDENTIAL`) (PASSWORD_VERIFIER is answered inside).
//! - **`confirm-device --device-group-key` and `--device-file`** (the AWS
//!   CLI has neither; `--device-secret-verifier-config` is refused): the
//!   tool draws the device password, computes the verifier from it and the
//!   group key, and must keep the password, so it writes the device to
//!   `--device-file`, a new file (mode 0600; an existing file or symlink is
//!   refused, never overwritten). ConfirmDevice alone is called, as by the
//!   AWS CLI.
//! - **`--device-file` on `initiate-auth`, `admin-initiate-auth` and
//!   `*-respond-to-auth-challenge`** (not in the AWS CLI): a sign-in on the
//!   device that file holds; DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER
//!   are answered inside (before or after the person's challenge), and what
//!   follows is printed. When Cognito no longer knows the device, a
//!   `warning:` line on stderr says the file is stale (it is left for you
//!   to delete) and the sign-in goes on without it. A file others can read
//!   gets a warning too.
//! - `list-devices` prints one page (`--limit`, `--pagination-token`), as
//!   Cognito answers it. Dates are printed in UTC; the AWS CLI uses the
//!   local time zone.
//! - Maps take the shorthand `KEY=VALUE,KEY=VALUE` (a value may contain `=`
//!   but not `,`) or a JSON object: `'{"PASSWORD":"a,b"}'`.
//! - `enroll` and `sign-in` read answers from stdin line by line; the
//!   password is not hidden as it is typed.
//!
//! Exit status: 0 on success; 2 for bad input, refused before any call
//! (a TOTP code that is not six digits, an emailed or texted code that is
//! not 6 to 8, a malformed `KEY=VALUE` list, an unknown auth flow or first
//! factor, a missing flag or key, `PASSWORD` where no password factor is
//! chosen, a `CREDENTIAL` that is not a JSON object, USER_SRP_AUTH or
//! PASSWORD_SRP without the pool id, a device key not of Cognito's form, a
//! device file that is missing, unreadable or not one `confirm-device`
//! wrote); 1 when the service refuses or can't be reached. Errors are one line on stderr,
//! `error: KIND: message`, and never hold a password, code, token, device
//! password or secret. `RUST_LOG=debug` shows the library's tracing on
//! stderr.

mod devices;
mod shorthand;
mod verify;

use clap::{Args, Parser, Subcommand};
use cognito_mfa::backend::{AuthFlow, AuthTokens, FactorPreference, MfaFactor, TokenAuth};
use cognito_mfa::sign_in::{FirstFactor, FirstFactorKind, SavedChallenge, SignIn, SignInStep};
use cognito_mfa::{
    AccessToken, AfterVerify, ClientSecret, Error, MfaEnrollment, OneTimeCode, Password,
    PendingEnrollment, RefreshToken, Rejected, SdkBackend, Session, admin, validate,
};
use devices::{DeviceCall, DeviceFailure, DeviceFile};
use serde_json::{Map, Value, json};
use shorthand::parse_key_values;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// The issuer of the label the library builds for the non-interactive
/// commands (it is never shown).
const ISSUER: &str = "cognito-idp";
/// `--account-name`'s default.
const DEFAULT_ACCOUNT_NAME: &str = "cognito-user";
/// How many codes the interactive commands take before giving up.
const MAX_TRIES: u32 = 3;

// ---------------------------------------------------------------------------
// The command line, as typed
// ---------------------------------------------------------------------------

#[derive(Parser)]
#[command(
    name = "cognito-idp",
    version,
    about = "The AWS CLI's cognito-idp TOTP MFA commands, on cognito-mfa"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// AssociateSoftwareToken: a new TOTP secret (SecretCode; Session with --session).
    AssociateSoftwareToken(AssociateArgs),
    /// VerifySoftwareToken: checks the first code (Status; Session with --session).
    VerifySoftwareToken(VerifyArgs),
    /// SetUserMFAPreference with the user's access token (TOTP only). Prints nothing.
    #[command(name = "set-user-mfa-preference")]
    SetUserMfaPreference(SetPreferenceArgs),
    /// AdminSetUserMFAPreference (TOTP only; IAM credentials). Prints nothing.
    #[command(name = "admin-set-user-mfa-preference")]
    AdminSetUserMfaPreference(AdminSetPreferenceArgs),
    /// InitiateAuth: USER_PASSWORD_AUTH, USER_SRP_AUTH (with --user-pool-id), USER_AUTH or REFRESH_TOKEN_AUTH.
    InitiateAuth(PublicInitiateArgs),
    /// AdminInitiateAuth: ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH, USER_AUTH or REFRESH_TOKEN_AUTH (IAM credentials).
    AdminInitiateAuth(AdminInitiateArgs),
    /// RespondToAuthChallenge.
    RespondToAuthChallenge(PublicRespondArgs),
    /// AdminRespondToAuthChallenge (IAM credentials).
    AdminRespondToAuthChallenge(AdminRespondArgs),
    /// ConfirmDevice: the verifier computed here, the device written to --device-file (0600).
    ConfirmDevice(devices::ConfirmDeviceArgs),
    /// UpdateDeviceStatus: remembered or not_remembered. Prints nothing.
    UpdateDeviceStatus(devices::UpdateStatusArgs),
    /// AdminUpdateDeviceStatus (IAM credentials). Prints nothing.
    AdminUpdateDeviceStatus(devices::AdminUpdateStatusArgs),
    /// GetDevice.
    GetDevice(devices::OwnDeviceArgs),
    /// AdminGetDevice (IAM credentials).
    AdminGetDevice(devices::AdminDeviceArgs),
    /// ListDevices: one page of the remembered devices.
    ListDevices(devices::ListArgs),
    /// AdminListDevices (IAM credentials): one page.
    AdminListDevices(devices::AdminListArgs),
    /// ForgetDevice. Prints nothing.
    ForgetDevice(devices::OwnDeviceArgs),
    /// AdminForgetDevice (IAM credentials). Prints nothing.
    AdminForgetDevice(devices::AdminDeviceArgs),
    /// Not in the AWS CLI: enroll an authenticator interactively (QR code, then codes from stdin).
    Enroll(EnrollArgs),
    /// Not in the AWS CLI: sign in interactively (password, then codes from stdin).
    SignIn(SignInArgs),
    /// Not in the AWS CLI: verify an ID or access token and print its claims (see verify.rs).
    VerifyToken(verify::VerifyTokenArgs),
}

/// What authorises AssociateSoftwareToken and VerifySoftwareToken: one of the two.
#[derive(Args)]
#[group(required = true, multiple = false)]
struct TokenAuthArgs {
    /// The signed-in user's access token.
    // Opaque: may start with '-', taken as a value.
    #[arg(long, allow_hyphen_values = true)]
    access_token: Option<String>,
    /// The Session of the MFA_SETUP challenge, or of the previous call.
    // Opaque: may start with '-', taken as a value.
    #[arg(long, allow_hyphen_values = true)]
    session: Option<String>,
}

#[derive(Args)]
struct AssociateArgs {
    #[command(flatten)]
    auth: TokenAuthArgs,
    /// Not in the AWS CLI: the account name of the authenticator label the
    /// library builds (needed with --session, where no user can be looked up).
    #[arg(long, default_value = DEFAULT_ACCOUNT_NAME)]
    account_name: String,
}

#[derive(Args)]
struct VerifyArgs {
    #[command(flatten)]
    auth: TokenAuthArgs,
    /// The six-digit code from the authenticator app.
    #[arg(long)]
    user_code: String,
    /// A name for the authenticator, shown back at sign-in.
    #[arg(long)]
    friendly_device_name: Option<String>,
}

#[derive(Args)]
struct SetPreferenceArgs {
    /// Enabled=true,PreferredMfa=true or {"Enabled":true,"PreferredMfa":true}.
    #[arg(long)]
    software_token_mfa_settings: String,
    /// The signed-in user's access token.
    // Opaque: may start with '-', taken as a value.
    #[arg(long, allow_hyphen_values = true)]
    access_token: String,
}

#[derive(Args)]
struct AdminSetPreferenceArgs {
    /// Enabled=true,PreferredMfa=true or {"Enabled":true,"PreferredMfa":true}.
    #[arg(long)]
    software_token_mfa_settings: String,
    /// The user name.
    #[arg(long)]
    username: String,
    /// The user pool id, such as us-east-1_AbC123.
    #[arg(long)]
    user_pool_id: String,
}

/// The app client: its id and, when it has one, its secret.
#[derive(Args)]
struct ClientArgs {
    /// The app client id.
    #[arg(long)]
    client_id: String,
    /// Not in the AWS CLI: the app client's secret, from which SECRET_HASH is computed.
    #[arg(long, env = "COGNITO_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
}

#[derive(Args)]
struct InitiateArgs {
    /// USER_PASSWORD_AUTH (initiate-auth), ADMIN_USER_PASSWORD_AUTH
    /// (admin-initiate-auth), USER_SRP_AUTH, USER_AUTH or REFRESH_TOKEN_AUTH.
    #[arg(long)]
    auth_flow: String,
    /// USERNAME=...,PASSWORD=... (USER_SRP_AUTH too: the tool computes SRP_A
    /// and answers PASSWORD_VERIFIER), USERNAME=...[,PREFERRED_CHALLENGE=...[,PASSWORD=...]]
    /// (USER_AUTH) or REFRESH_TOKEN=...[,USERNAME=...] (or a JSON object).
    #[arg(long)]
    auth_parameters: String,
    #[command(flatten)]
    client: ClientArgs,
    /// Not in the AWS CLI: sign in on the device confirm-device wrote to this
    /// file (DEVICE_KEY sent; DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER answered here).
    #[arg(long)]
    device_file: Option<PathBuf>,
}

#[derive(Args)]
struct PublicInitiateArgs {
    #[command(flatten)]
    initiate: InitiateArgs,
    /// Not in the AWS CLI: the user pool id, such as us-east-1_AbC123, which
    /// USER_SRP_AUTH and USER_AUTH's PASSWORD_SRP need (the pool's name
    /// enters the SRP proof). The other flows don't use it.
    #[arg(long)]
    user_pool_id: Option<String>,
}

#[derive(Args)]
struct AdminInitiateArgs {
    /// The user pool id, such as us-east-1_AbC123.
    #[arg(long)]
    user_pool_id: String,
    #[command(flatten)]
    initiate: InitiateArgs,
}

#[derive(Args)]
struct RespondArgs {
    /// SOFTWARE_TOKEN_MFA, MFA_SETUP, NEW_PASSWORD_REQUIRED, SELECT_MFA_TYPE,
    /// SELECT_CHALLENGE, EMAIL_OTP, SMS_OTP or WEB_AUTHN.
    #[arg(long)]
    challenge_name: String,
    /// USERNAME=... plus SOFTWARE_TOKEN_MFA_CODE=..., NEW_PASSWORD=... and
    /// userAttributes.NAME=..., ANSWER=...[,PASSWORD=...], EMAIL_OTP_CODE=...,
    /// SMS_OTP_CODE=... or CREDENTIAL=... (or a JSON object).
    #[arg(long)]
    challenge_responses: String,
    /// The challenge's Session (for MFA_SETUP: the one verify-software-token printed).
    // Opaque: may start with '-', taken as a value.
    #[arg(long, allow_hyphen_values = true)]
    session: String,
    #[command(flatten)]
    client: ClientArgs,
    /// Not in the AWS CLI: the device file the sign-in was started with
    /// (DEVICE_KEY sent; the device steps after the answer answered here).
    #[arg(long)]
    device_file: Option<PathBuf>,
}

#[derive(Args)]
struct PublicRespondArgs {
    #[command(flatten)]
    respond: RespondArgs,
    /// Not in the AWS CLI: the user pool id, which SELECT_CHALLENGE's
    /// ANSWER=PASSWORD_SRP needs (the pool's name enters the SRP proof).
    #[arg(long)]
    user_pool_id: Option<String>,
}

#[derive(Args)]
struct AdminRespondArgs {
    /// The user pool id, such as us-east-1_AbC123.
    #[arg(long)]
    user_pool_id: String,
    #[command(flatten)]
    respond: RespondArgs,
}

#[derive(Args)]
struct EnrollArgs {
    /// The signed-in user's access token.
    // Opaque: may start with '-', taken as a value.
    #[arg(long, allow_hyphen_values = true)]
    access_token: String,
    /// The issuer shown in the authenticator app (your app's name).
    #[arg(long, default_value = ISSUER)]
    issuer: String,
    /// The account name shown in the authenticator app (default: the user name).
    #[arg(long)]
    account_name: Option<String>,
    /// A name for the authenticator, shown back at sign-in.
    #[arg(long)]
    friendly_device_name: Option<String>,
}

#[derive(Args)]
struct SignInArgs {
    /// The user pool id: sign in as an administrator (AdminInitiateAuth).
    /// Without it, a public client sign-in (InitiateAuth).
    #[arg(long)]
    user_pool_id: Option<String>,
    #[command(flatten)]
    client: ClientArgs,
    /// The user name (or an alias).
    #[arg(long)]
    username: String,
    /// The issuer shown in the authenticator app, if the sign-in enrolls one (MFA_SETUP).
    #[arg(long, default_value = ISSUER)]
    issuer: String,
    /// A name for an authenticator enrolled during the sign-in.
    #[arg(long)]
    friendly_device_name: Option<String>,
}

// ---------------------------------------------------------------------------
// The command line, checked: every value is parsed before any call
// ---------------------------------------------------------------------------

/// A command whose input passed every local check.
enum Call {
    Associate {
        auth: TokenAuth,
        account_name: String,
    },
    Verify {
        auth: TokenAuth,
        code: OneTimeCode,
        device_name: Option<String>,
    },
    SetPreference {
        access_token: AccessToken,
        preference: FactorPreference,
    },
    AdminSetPreference {
        user_pool_id: String,
        username: String,
        preference: FactorPreference,
    },
    Initiate {
        client: ClientConfig,
        start: Start,
        device: Option<DeviceFile>,
    },
    Respond {
        client: ClientConfig,
        challenge: ChallengeAnswer,
        device: Option<DeviceFile>,
    },
    Device(DeviceCall),
    Enroll {
        access_token: AccessToken,
        enrollment: MfaEnrollment,
    },
    SignIn {
        client: ClientConfig,
        username: String,
        enrollment: MfaEnrollment,
    },
}

/// An app client, checked.
struct ClientConfig {
    client_id: String,
    api: ClientApi,
    secret: Option<ClientSecret>,
}

/// Which API a command calls, and the pool id it knows.
enum ClientApi {
    /// The admin API (the `admin-*` commands, `sign-in --user-pool-id`).
    Admin { user_pool_id: String },
    /// The public API; the pool id only when given (USER_SRP_AUTH needs it).
    Public { user_pool_id: Option<String> },
}

/// How an `initiate-auth` starts.
enum Start {
    Password {
        username: String,
        password: Password,
    },
    /// USER_SRP_AUTH: the password stays here; PASSWORD_VERIFIER is answered by the library.
    Srp {
        username: String,
        password: Password,
    },
    Refresh {
        token: RefreshToken,
        username: Option<String>,
    },
    /// USER_AUTH: SELECT_CHALLENGE next, unless a preferred factor is taken.
    UserAuth {
        username: String,
        preferred: Option<Choice>,
    },
}

/// A USER_AUTH first factor as named by PREFERRED_CHALLENGE or by a
/// SELECT_CHALLENGE's ANSWER, holding the password the password factors need.
enum Choice {
    Password(Password),
    /// PASSWORD_SRP: the password stays here; SRP_A and PASSWORD_VERIFIER are the library's.
    PasswordSrp(Password),
    EmailOtp,
    SmsOtp,
    WebAuthn,
}

impl Choice {
    fn factor(&self) -> FirstFactor<'_> {
        match self {
            Self::Password(password) => FirstFactor::Password(password),
            Self::PasswordSrp(password) => FirstFactor::PasswordSrp(password),
            Self::EmailOtp => FirstFactor::EmailOtp,
            Self::SmsOtp => FirstFactor::SmsOtp,
            Self::WebAuthn => FirstFactor::WebAuthn,
        }
    }
}

/// A `respond-to-auth-challenge`, checked.
struct ChallengeAnswer {
    username: String,
    session: Session,
    answer: Answer,
}

/// The answer to one challenge.
enum Answer {
    Totp(OneTimeCode),
    /// The token was verified with `verify-software-token --session`.
    MfaSetup,
    NewPassword {
        password: Password,
        attributes: Vec<(String, String)>,
    },
    SelectMfaType(MfaFactor),
    SelectChallenge(Choice),
    /// EMAIL_OTP (first or second factor) or SMS_OTP (first factor): the code sent.
    Code {
        challenge: &'static str,
        code: OneTimeCode,
    },
    /// The browser's PublicKeyCredential, as JSON.
    WebAuthn(String),
}

impl Answer {
    fn challenge_name(&self) -> &'static str {
        match self {
            Self::Totp(_) => "SOFTWARE_TOKEN_MFA",
            Self::MfaSetup => "MFA_SETUP",
            Self::NewPassword { .. } => "NEW_PASSWORD_REQUIRED",
            Self::SelectMfaType(_) => "SELECT_MFA_TYPE",
            Self::SelectChallenge(_) => "SELECT_CHALLENGE",
            Self::Code { challenge, .. } => challenge,
            Self::WebAuthn(_) => "WEB_AUTHN",
        }
    }
}

/// Input refused before any call (exit status 2). The message names the
/// flag and what is allowed, never the refused value: it may be a secret.
#[derive(Debug)]
struct InputError(String);

impl InputError {
    fn new(flag: &str, problem: impl std::fmt::Display) -> Self {
        Self(format!("{flag}: {problem}"))
    }
}

/// A library check's refusal, as an input error of `flag`.
fn checked<T>(flag: &str, result: Result<T, Error>) -> Result<T, InputError> {
    result.map_err(|e| InputError::new(flag, e))
}

/// An issuer or account name: what the otpauth label allows.
fn check_label(flag: &str, value: &str) -> Result<(), InputError> {
    if value.trim().is_empty() || value.contains(':') || value.chars().any(char::is_control) {
        return Err(InputError::new(
            flag,
            "must be non-empty printable text without ':'",
        ));
    }
    Ok(())
}

fn prepare(command: Command) -> Result<Call, InputError> {
    match command {
        Command::AssociateSoftwareToken(args) => {
            check_label("--account-name", &args.account_name)?;
            Ok(Call::Associate {
                auth: token_auth(args.auth)?,
                account_name: args.account_name,
            })
        }
        Command::VerifySoftwareToken(args) => prepare_verify(args),
        Command::SetUserMfaPreference(args) => {
            let preference = parse_settings(
                "--software-token-mfa-settings",
                &args.software_token_mfa_settings,
            )?;
            checked("--access-token", validate::token(&args.access_token))?;
            Ok(Call::SetPreference {
                access_token: AccessToken::new(args.access_token),
                preference,
            })
        }
        Command::AdminSetUserMfaPreference(args) => {
            let preference = parse_settings(
                "--software-token-mfa-settings",
                &args.software_token_mfa_settings,
            )?;
            checked("--username", validate::username(&args.username))?;
            checked("--user-pool-id", validate::user_pool_id(&args.user_pool_id))?;
            Ok(Call::AdminSetPreference {
                user_pool_id: args.user_pool_id,
                username: args.username,
                preference,
            })
        }
        Command::InitiateAuth(args) => prepare_initiate(
            args.initiate,
            ClientApi::Public {
                user_pool_id: args.user_pool_id,
            },
        ),
        Command::AdminInitiateAuth(args) => prepare_initiate(
            args.initiate,
            ClientApi::Admin {
                user_pool_id: args.user_pool_id,
            },
        ),
        Command::RespondToAuthChallenge(args) => prepare_respond(
            args.respond,
            ClientApi::Public {
                user_pool_id: args.user_pool_id,
            },
        ),
        Command::AdminRespondToAuthChallenge(args) => prepare_respond(
            args.respond,
            ClientApi::Admin {
                user_pool_id: args.user_pool_id,
            },
        ),
        Command::ConfirmDevice(args) => devices::prepare_confirm(args).map(Call::Device),
        Command::UpdateDeviceStatus(args) => devices::prepare_update(args).map(Call::Device),
        Command::AdminUpdateDeviceStatus(args) => {
            devices::prepare_admin_update(args).map(Call::Device)
        }
        Command::GetDevice(args) => devices::prepare_get(args).map(Call::Device),
        Command::AdminGetDevice(args) => devices::prepare_admin_get(args).map(Call::Device),
        Command::ListDevices(args) => devices::prepare_list(args).map(Call::Device),
        Command::AdminListDevices(args) => devices::prepare_admin_list(args).map(Call::Device),
        Command::ForgetDevice(args) => devices::prepare_forget(args).map(Call::Device),
        Command::AdminForgetDevice(args) => devices::prepare_admin_forget(args).map(Call::Device),
        Command::Enroll(args) => prepare_enroll(args),
        Command::SignIn(args) => prepare_sign_in(args),
        // Routed in `main`: it needs no backend.
        Command::VerifyToken(_) => Err(InputError::new("verify-token", "runs on its own")),
    }
}

fn token_auth(args: TokenAuthArgs) -> Result<TokenAuth, InputError> {
    match (args.access_token, args.session) {
        (Some(token), None) => {
            checked("--access-token", validate::token(&token))?;
            Ok(TokenAuth::AccessToken(AccessToken::new(token)))
        }
        (None, Some(session)) => {
            checked("--session", validate::session(&session))?;
            Ok(TokenAuth::Session(Session::new(session)))
        }
        // clap's argument group already refuses these.
        _ => Err(InputError::new(
            "--access-token/--session",
            "give exactly one",
        )),
    }
}

fn prepare_verify(args: VerifyArgs) -> Result<Call, InputError> {
    let code = checked("--user-code", validate::user_code(&args.user_code))?;
    if let Some(name) = &args.friendly_device_name {
        checked("--friendly-device-name", validate::device_name(name))?;
    }
    Ok(Call::Verify {
        auth: token_auth(args.auth)?,
        code: OneTimeCode::new(code),
        device_name: args.friendly_device_name,
    })
}

impl ClientApi {
    fn user_pool_id(&self) -> Option<&str> {
        match self {
            Self::Admin { user_pool_id } => Some(user_pool_id),
            Self::Public { user_pool_id } => user_pool_id.as_deref(),
        }
    }

    fn is_admin(&self) -> bool {
        matches!(self, Self::Admin { .. })
    }
}

impl ClientConfig {
    fn from_args(args: ClientArgs, api: ClientApi) -> Result<Self, InputError> {
        checked("--client-id", validate::client_id(&args.client_id))?;
        if let Some(pool) = api.user_pool_id() {
            checked("--user-pool-id", validate::user_pool_id(pool))?;
        }
        if let Some(secret) = &args.client_secret {
            checked("--client-secret", validate::client_secret(secret))?;
        }
        Ok(Self {
            client_id: args.client_id,
            api,
            secret: args.client_secret.map(ClientSecret::new),
        })
    }

    /// The library's sign-in for this client, on the admin or the public API.
    fn sign_in(&self, backend: SdkBackend) -> Result<SignIn, Error> {
        let builder = match &self.api {
            ClientApi::Admin { user_pool_id } => {
                SignIn::admin(backend, user_pool_id, &self.client_id)
            }
            ClientApi::Public {
                user_pool_id: Some(pool),
            } => SignIn::public(backend, &self.client_id).user_pool_id(pool),
            ClientApi::Public { user_pool_id: None } => SignIn::public(backend, &self.client_id),
        };
        match &self.secret {
            Some(secret) => builder.client_secret(secret.clone()),
            None => builder,
        }
        .build()
    }
}

/// The AWS flows this tool does not run, to tell them from typos.
const OTHER_AWS_FLOWS: [&str; 2] = ["CUSTOM_AUTH", "ADMIN_NO_SRP_AUTH"];

/// `--auth-flow`: the password flow of the command (admin or public),
/// USER_SRP_AUTH, USER_AUTH, or REFRESH_TOKEN_AUTH (`REFRESH_TOKEN` is the
/// AWS alias).
fn parse_auth_flow(text: &str, admin: bool) -> Result<AuthFlow, InputError> {
    const FLAG: &str = "--auth-flow";
    let (password_flow, other_command) = if admin {
        (AuthFlow::AdminUserPassword, "initiate-auth")
    } else {
        (AuthFlow::UserPassword, "admin-initiate-auth")
    };
    let expected =
        format!("expected {password_flow}, USER_SRP_AUTH, USER_AUTH or REFRESH_TOKEN_AUTH");
    let name = if text == "REFRESH_TOKEN" {
        "REFRESH_TOKEN_AUTH"
    } else {
        text
    };
    match AuthFlow::parse(name) {
        Some(flow)
            if flow == password_flow
                || flow == AuthFlow::UserSrp
                || flow == AuthFlow::UserAuth
                || flow == AuthFlow::RefreshToken =>
        {
            Ok(flow)
        }
        Some(flow @ (AuthFlow::AdminUserPassword | AuthFlow::UserPassword)) => {
            Err(InputError::new(
                FLAG,
                format!("{flow} goes with {other_command}; {expected}"),
            ))
        }
        Some(flow) => Err(InputError::new(
            FLAG,
            format!("{flow} is not supported by this tool; {expected}"),
        )),
        None if OTHER_AWS_FLOWS.contains(&name) => Err(InputError::new(
            FLAG,
            format!("{name} is not supported by this tool; {expected}"),
        )),
        None => Err(InputError::new(
            FLAG,
            format!("unknown auth flow {text:?}; {expected}"),
        )),
    }
}

fn prepare_initiate(args: InitiateArgs, api: ClientApi) -> Result<Call, InputError> {
    let flow = parse_auth_flow(&args.auth_flow, api.is_admin())?;
    if flow == AuthFlow::UserSrp && api.user_pool_id().is_none() {
        return Err(InputError::new(
            "--user-pool-id",
            "is needed with USER_SRP_AUTH: the pool's name enters the SRP proof \
             (initiate-auth takes it as an extension of the AWS CLI)",
        ));
    }
    let client = ClientConfig::from_args(args.client, api)?;
    let mut params = Params::parse("--auth-parameters", &args.auth_parameters)?;
    let start = if flow == AuthFlow::RefreshToken {
        let token = params.require("REFRESH_TOKEN")?;
        params.check("REFRESH_TOKEN", validate::token(&token))?;
        let username = params.take("USERNAME");
        match &username {
            Some(name) => params.check("USERNAME", validate::username(name))?,
            None if client.secret.is_some() => {
                return Err(params.error(
                    "USERNAME is needed with a client secret: SECRET_HASH is computed from it",
                ));
            }
            None => {}
        }
        params.finish("REFRESH_TOKEN, USERNAME")?;
        Start::Refresh {
            token: RefreshToken::new(token),
            username,
        }
    } else if flow == AuthFlow::UserAuth {
        if args.device_file.is_some() {
            return Err(InputError::new(
                "--device-file",
                "USER_AUTH is not signed in on a remembered device by this tool; \
                 use USER_SRP_AUTH with --device-file",
            ));
        }
        let username = params.require("USERNAME")?;
        params.check("USERNAME", validate::username(&username))?;
        let preferred = if params.map.contains_key("PREFERRED_CHALLENGE") {
            Some(take_choice(
                &mut params,
                "PREFERRED_CHALLENGE",
                &client.api,
            )?)
        } else {
            refuse_password_payload(&mut params, "PREFERRED_CHALLENGE")?;
            None
        };
        params.finish("USERNAME, PREFERRED_CHALLENGE, PASSWORD")?;
        Start::UserAuth {
            username,
            preferred,
        }
    } else {
        if flow == AuthFlow::UserSrp && params.take("SRP_A").is_some() {
            return Err(params.error(
                "SRP_A is computed by this tool: pass USERNAME and PASSWORD \
                 (the password stays here; the tool answers PASSWORD_VERIFIER with a proof of it)",
            ));
        }
        let username = params.require("USERNAME")?;
        params.check("USERNAME", validate::username(&username))?;
        let password = params.require("PASSWORD")?;
        params.check("PASSWORD", validate::password(&password))?;
        params.finish("USERNAME, PASSWORD")?;
        let password = Password::new(password);
        if flow == AuthFlow::UserSrp {
            Start::Srp { username, password }
        } else {
            Start::Password { username, password }
        }
    };
    let device = args.device_file.map(DeviceFile::read).transpose()?;
    Ok(Call::Initiate {
        client,
        start,
        device,
    })
}

/// The first factor `key` (PREFERRED_CHALLENGE or ANSWER) names, with the
/// PASSWORD the password factors take (and the others refuse).
fn take_choice(params: &mut Params, key: &str, api: &ClientApi) -> Result<Choice, InputError> {
    let name = params.require(key)?;
    let kind = FirstFactorKind::parse(&name);
    if let FirstFactorKind::Other(_) = kind {
        // The value is not repeated: a mistyped key could have put a secret there.
        return Err(params.error(&format!(
            "{key} must be PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP or WEB_AUTHN"
        )));
    }
    if !matches!(
        kind,
        FirstFactorKind::Password | FirstFactorKind::PasswordSrp
    ) {
        refuse_password_payload(params, key)?;
    }
    let mut password = || -> Result<Password, InputError> {
        if params.map.contains_key("SRP_A") {
            return Err(params.error(
                "SRP_A is computed by this tool: pass PASSWORD with PASSWORD_SRP \
                 (the password stays here; the tool answers PASSWORD_VERIFIER with a proof of it)",
            ));
        }
        let password = params.require("PASSWORD").map_err(|_| {
            params.error(&format!(
                "PASSWORD is missing: {key}={} takes it",
                kind.as_str()
            ))
        })?;
        params.check("PASSWORD", validate::password(&password))?;
        Ok(Password::new(password))
    };
    Ok(match kind {
        FirstFactorKind::Password => Choice::Password(password()?),
        FirstFactorKind::PasswordSrp => {
            let password = password()?;
            if api.user_pool_id().is_none() {
                return Err(InputError::new(
                    "--user-pool-id",
                    "is needed with PASSWORD_SRP: the pool's name enters the SRP proof \
                     (initiate-auth and respond-to-auth-challenge take it as an extension \
                     of the AWS CLI)",
                ));
            }
            Choice::PasswordSrp(password)
        }
        FirstFactorKind::EmailOtp => Choice::EmailOtp,
        FirstFactorKind::SmsOtp => Choice::SmsOtp,
        FirstFactorKind::WebAuthn => Choice::WebAuthn,
        // Refused above; FirstFactorKind is non-exhaustive.
        _ => return Err(params.error(&format!("{key}: unknown first factor"))),
    })
}

/// Refuses PASSWORD and SRP_A where no password factor is chosen.
fn refuse_password_payload(params: &mut Params, key: &str) -> Result<(), InputError> {
    for payload in ["PASSWORD", "SRP_A"] {
        if params.map.contains_key(payload) {
            return Err(params.error(&format!(
                "{payload} goes only with {key}=PASSWORD or {key}=PASSWORD_SRP"
            )));
        }
    }
    Ok(())
}

/// The answer to a code sent by email or text message (`key`: 6 to 8
/// digits, spaces ignored, as the library takes it).
fn code_answer(
    mut params: Params,
    challenge: &'static str,
    key: &str,
) -> Result<Answer, InputError> {
    let typed = params.require(key)?;
    let digits = validate::delivered_code(&typed)
        .map_err(|_| params.error(&format!("{key} must be 6 to 8 digits")))?;
    params.finish(&format!("USERNAME, {key}"))?;
    Ok(Answer::Code {
        challenge,
        code: OneTimeCode::new(digits),
    })
}

fn prepare_respond(args: RespondArgs, api: ClientApi) -> Result<Call, InputError> {
    let client = ClientConfig::from_args(args.client, api)?;
    checked("--session", validate::session(&args.session))?;
    let mut params = Params::parse("--challenge-responses", &args.challenge_responses)?;
    let username = params.require("USERNAME")?;
    params.check("USERNAME", validate::username(&username))?;
    let answer = match args.challenge_name.as_str() {
        "SOFTWARE_TOKEN_MFA" => {
            let code = params.require("SOFTWARE_TOKEN_MFA_CODE")?;
            let code = params.check("SOFTWARE_TOKEN_MFA_CODE", validate::user_code(&code))?;
            params.finish("USERNAME, SOFTWARE_TOKEN_MFA_CODE")?;
            Answer::Totp(OneTimeCode::new(code))
        }
        "MFA_SETUP" => {
            params.finish("USERNAME")?;
            Answer::MfaSetup
        }
        "NEW_PASSWORD_REQUIRED" => {
            let password = params.require("NEW_PASSWORD")?;
            params.check("NEW_PASSWORD", validate::password(&password))?;
            let attributes = params.take_prefixed("userAttributes.")?;
            params.finish("USERNAME, NEW_PASSWORD, userAttributes.NAME")?;
            Answer::NewPassword {
                password: Password::new(password),
                attributes,
            }
        }
        "SELECT_MFA_TYPE" => {
            let answer = params.require("ANSWER")?;
            let factor = MfaFactor::parse(&answer).ok_or_else(|| {
                params.error("ANSWER must be SOFTWARE_TOKEN_MFA, SMS_MFA or EMAIL_OTP")
            })?;
            params.finish("USERNAME, ANSWER")?;
            Answer::SelectMfaType(factor)
        }
        "SELECT_CHALLENGE" => {
            let choice = take_choice(&mut params, "ANSWER", &client.api)?;
            params.finish("USERNAME, ANSWER, PASSWORD")?;
            Answer::SelectChallenge(choice)
        }
        "EMAIL_OTP" => code_answer(params, "EMAIL_OTP", "EMAIL_OTP_CODE")?,
        "SMS_OTP" => code_answer(params, "SMS_OTP", "SMS_OTP_CODE")?,
        "WEB_AUTHN" => {
            let credential = params.require("CREDENTIAL")?;
            if validate::web_authn_credential(&credential).is_err() {
                return Err(params.error(
                    "CREDENTIAL must be the browser's PublicKeyCredential as a JSON object, \
                     at most 64 KiB (give --challenge-responses as JSON: the credential has commas)",
                ));
            }
            params.finish("USERNAME, CREDENTIAL")?;
            Answer::WebAuthn(credential)
        }
        "PASSWORD_VERIFIER" => {
            return Err(InputError::new(
                "--challenge-name",
                "PASSWORD_VERIFIER is answered by initiate-auth itself: \
                 run it with --auth-flow USER_SRP_AUTH and PASSWORD=... in --auth-parameters",
            ));
        }
        other => {
            return Err(InputError::new(
                "--challenge-name",
                format!(
                    "{other:?} is not supported by this tool; expected SOFTWARE_TOKEN_MFA, \
                     MFA_SETUP, NEW_PASSWORD_REQUIRED, SELECT_MFA_TYPE, SELECT_CHALLENGE, \
                     EMAIL_OTP, SMS_OTP or WEB_AUTHN"
                ),
            ));
        }
    };
    // These come only from USER_AUTH, which this tool does not start on a device.
    if args.device_file.is_some()
        && matches!(
            answer,
            Answer::SelectChallenge(_)
                | Answer::WebAuthn(_)
                | Answer::Code {
                    challenge: "SMS_OTP",
                    ..
                }
        )
    {
        return Err(InputError::new(
            "--device-file",
            format!(
                "{} follows USER_AUTH, which this tool does not sign in on a remembered device",
                answer.challenge_name()
            ),
        ));
    }
    let device = args.device_file.map(DeviceFile::read).transpose()?;
    Ok(Call::Respond {
        client,
        challenge: ChallengeAnswer {
            username,
            session: Session::new(args.session),
            answer,
        },
        device,
    })
}

/// The enrollment options of the interactive commands, checked.
fn enrollment(
    issuer: &str,
    account_name: Option<&str>,
    device_name: Option<&str>,
) -> Result<MfaEnrollment, InputError> {
    check_label("--issuer", issuer)?;
    let mut enrollment = MfaEnrollment::new(issuer);
    if let Some(name) = account_name {
        check_label("--account-name", name)?;
        enrollment = enrollment.account_name(name);
    }
    if let Some(name) = device_name {
        checked("--friendly-device-name", validate::device_name(name))?;
        enrollment = enrollment.device_name(name);
    }
    Ok(enrollment)
}

fn prepare_enroll(args: EnrollArgs) -> Result<Call, InputError> {
    checked("--access-token", validate::token(&args.access_token))?;
    Ok(Call::Enroll {
        enrollment: enrollment(
            &args.issuer,
            args.account_name.as_deref(),
            args.friendly_device_name.as_deref(),
        )?,
        access_token: AccessToken::new(args.access_token),
    })
}

fn prepare_sign_in(args: SignInArgs) -> Result<Call, InputError> {
    checked("--username", validate::username(&args.username))?;
    let api = match args.user_pool_id {
        Some(user_pool_id) => ClientApi::Admin { user_pool_id },
        None => ClientApi::Public { user_pool_id: None },
    };
    Ok(Call::SignIn {
        client: ClientConfig::from_args(args.client, api)?,
        enrollment: enrollment(&args.issuer, None, args.friendly_device_name.as_deref())?,
        username: args.username,
    })
}

// ---------------------------------------------------------------------------
// Map values: KEY=VALUE lists and settings
// ---------------------------------------------------------------------------

/// A parsed map, taken key by key; keys left over are refused.
struct Params {
    flag: &'static str,
    map: BTreeMap<String, String>,
}

impl Params {
    fn parse(flag: &'static str, text: &str) -> Result<Self, InputError> {
        let map = parse_key_values(text).map_err(|e| InputError::new(flag, e))?;
        if map.contains_key("SECRET_HASH") {
            return Err(InputError::new(
                flag,
                "SECRET_HASH is computed by this tool: pass --client-secret \
                 (or COGNITO_CLIENT_SECRET) instead",
            ));
        }
        Ok(Self { flag, map })
    }

    fn error(&self, problem: &str) -> InputError {
        InputError::new(self.flag, problem)
    }

    fn check<T>(&self, key: &str, result: Result<T, Error>) -> Result<T, InputError> {
        result.map_err(|e| InputError::new(self.flag, format_args!("{key}: {e}")))
    }

    fn take(&mut self, key: &str) -> Option<String> {
        self.map.remove(key)
    }

    fn require(&mut self, key: &str) -> Result<String, InputError> {
        self.take(key)
            .ok_or_else(|| self.error(&format!("{key} is missing")))
    }

    /// Takes every `PREFIXNAME=VALUE` as `(NAME, VALUE)`.
    fn take_prefixed(&mut self, prefix: &str) -> Result<Vec<(String, String)>, InputError> {
        let keys: Vec<String> = self
            .map
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect();
        let mut taken = Vec::new();
        for key in keys {
            let value = self.map.remove(&key).unwrap_or_default();
            let name = &key[prefix.len()..];
            if name.is_empty() {
                return Err(self.error(&format!("{prefix} needs an attribute name")));
            }
            taken.push((name.to_owned(), value));
        }
        Ok(taken)
    }

    /// Refuses any key not taken.
    fn finish(self, expected: &str) -> Result<(), InputError> {
        match self.map.keys().next() {
            Some(key) => Err(self.error(&format!("unexpected key {key:?} (expected {expected})"))),
            None => Ok(()),
        }
    }
}

/// `--software-token-mfa-settings`: `Enabled=true,PreferredMfa=true` or
/// `{"Enabled":true,"PreferredMfa":true}`; a key left out is false.
fn parse_settings(flag: &'static str, text: &str) -> Result<FactorPreference, InputError> {
    let mut params = Params::parse(flag, text)?;
    let mut flag_value = |key: &str| -> Result<bool, InputError> {
        match params.take(key).as_deref().map(str::trim) {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(_) => Err(InputError::new(
                flag,
                format!("{key} must be true or false"),
            )),
        }
    };
    let enabled = flag_value("Enabled")?;
    let preferred = flag_value("PreferredMfa")?;
    params.finish("Enabled, PreferredMfa")?;
    Ok(FactorPreference { enabled, preferred })
}

// ---------------------------------------------------------------------------
// Running a checked command
// ---------------------------------------------------------------------------

/// Why a command failed, and so its exit status.
enum Failure {
    /// Refused before any call: exit 2.
    Input(String),
    /// The library's error: exit 1 (2 for input it refused before its call).
    Cognito(Error),
    /// Anything else, such as stdin closing: exit 1.
    Other(String),
}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Self {
        Self::Input(e.0)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self::Cognito(e)
    }
}

impl From<DeviceFailure> for Failure {
    fn from(e: DeviceFailure) -> Self {
        match e {
            DeviceFailure::Cognito(e) => Self::Cognito(e),
            DeviceFailure::NotStored(message) => Self::Other(message),
        }
    }
}

impl Failure {
    fn exit_code(&self) -> ExitCode {
        match self {
            Self::Input(_) | Self::Cognito(Error::InvalidInput(_)) => ExitCode::from(2),
            Self::Cognito(_) | Self::Other(_) => ExitCode::from(1),
        }
    }

    fn line(&self) -> String {
        match self {
            Self::Input(message) => one_line(&format!("error: InvalidInput: {message}")),
            Self::Cognito(e) => error_line(e),
            Self::Other(message) => one_line(&format!("error: {message}")),
        }
    }
}

/// `error: KIND: message`, with the service's code and message when the
/// error's own text lacks them. The library's errors hold no secret.
fn error_line(e: &Error) -> String {
    let mut line = format!("error: {}: {e}", e.kind());
    if let Some(source) = std::error::Error::source(e).map(ToString::to_string)
        && !line.contains(&source)
    {
        line.push_str(&format!(" ({source})"));
    }
    if let Some(code) = e.service_code()
        && !line.contains(code)
    {
        line.push_str(&format!(" [{code}]"));
    }
    one_line(&line)
}

fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

impl Call {
    /// Makes the calls; returns the JSON to print, if any.
    async fn run(self, backend: SdkBackend) -> Result<Option<Value>, Failure> {
        let output = match self {
            Self::Associate { auth, account_name } => {
                associate(&backend, auth, account_name).await?
            }
            Self::Verify {
                auth,
                code,
                device_name,
            } => verify(&backend, auth, &code, device_name).await?,
            Self::SetPreference {
                access_token,
                preference,
            } => {
                admin::set_totp_preference(&backend, &access_token, preference).await?;
                return Ok(None);
            }
            Self::AdminSetPreference {
                user_pool_id,
                username,
                preference,
            } => {
                admin::admin_set_totp_preference(&backend, &user_pool_id, &username, preference)
                    .await?;
                return Ok(None);
            }
            Self::Initiate {
                client,
                start,
                device,
            } => stale_device_warned(
                device.as_ref(),
                initiate(backend, &client, start, device.as_ref()).await,
            )?,
            Self::Respond {
                client,
                challenge,
                device,
            } => stale_device_warned(
                device.as_ref(),
                respond(backend, &client, challenge, device.as_ref()).await,
            )?,
            Self::Device(call) => return Ok(call.run(&backend).await?),
            Self::Enroll {
                access_token,
                enrollment,
            } => enroll(&backend, access_token, enrollment).await?,
            Self::SignIn {
                client,
                username,
                enrollment,
            } => sign_in(backend, &client, &username, enrollment).await?,
        };
        Ok(Some(output))
    }
}

/// AssociateSoftwareToken → `{"SecretCode", "Session"}`.
async fn associate(
    backend: &SdkBackend,
    auth: TokenAuth,
    account_name: String,
) -> Result<Value, Error> {
    let enrollment = MfaEnrollment::new(ISSUER).account_name(account_name);
    let pending = match auth {
        TokenAuth::AccessToken(token) => enrollment.start_with_access_token(backend, token).await?,
        TokenAuth::Session(session) => {
            enrollment
                .start_with_session(backend, session, DEFAULT_ACCOUNT_NAME)
                .await?
        }
    };
    let mut out = Map::new();
    out.insert("SecretCode".into(), pending.secret().expose_secret().into());
    if let Some(session) = pending.session() {
        out.insert("Session".into(), session.expose_secret().into());
    }
    Ok(Value::Object(out))
}

/// VerifySoftwareToken, leaving the preference alone → `{"Status", "Session"}`.
async fn verify(
    backend: &SdkBackend,
    auth: TokenAuth,
    code: &OneTimeCode,
    device_name: Option<String>,
) -> Result<Value, Error> {
    let mut enrollment = MfaEnrollment::new(ISSUER).after_verify(AfterVerify::LeavePreference);
    if let Some(name) = device_name {
        enrollment = enrollment.device_name(name);
    }
    let enrolled = enrollment
        .verify_associated(backend, auth, code.expose_secret())
        .await?;
    let mut out = Map::new();
    out.insert("Status".into(), "SUCCESS".into());
    if let Some(session) = enrolled.session() {
        out.insert("Session".into(), session.expose_secret().into());
    }
    Ok(Value::Object(out))
}

/// A sign-in with `--device-file` that Cognito refused with "Device does
/// not exist." (a refresh, or an answer after the device was forgotten):
/// the error, and the line saying the file is stale.
fn stale_device_warned<T>(
    device: Option<&DeviceFile>,
    result: Result<T, Failure>,
) -> Result<T, Failure> {
    if let (Some(device), Err(Failure::Cognito(Error::DeviceNotFound))) = (device, &result) {
        eprintln!("{}", one_line(&device.stale_warning(false)));
    }
    result
}

/// (Admin)InitiateAuth → the challenge or the tokens; on the device of
/// `--device-file` when given.
async fn initiate(
    backend: SdkBackend,
    client: &ClientConfig,
    start: Start,
    device: Option<&DeviceFile>,
) -> Result<Value, Failure> {
    let sign_in = client.sign_in(backend)?;
    let Some(file) = device else {
        return Ok(initiate_plain(&sign_in, start).await?);
    };
    let on_device = sign_in.on_device(&file.device);
    let signed = match start {
        Start::Password { username, password } => on_device.password(&username, &password).await?,
        Start::Srp { username, password } => on_device.password_srp(&username, &password).await?,
        Start::Refresh { token, username } => {
            let tokens = on_device.refresh(&token, username.as_deref()).await?;
            return Ok(json!({ "AuthenticationResult": tokens_json(&tokens) }));
        }
        // Refused with the input, before any call.
        Start::UserAuth { .. } => {
            return Err(Failure::Input(
                "--device-file: USER_AUTH is not signed in on a remembered device by this tool"
                    .into(),
            ));
        }
    };
    if signed.device_forgotten {
        eprintln!("{}", one_line(&file.stale_warning(true)));
    }
    Ok(step_json(signed.step))
}

/// (Admin)InitiateAuth with no device.
async fn initiate_plain(sign_in: &SignIn, start: Start) -> Result<Value, Error> {
    match start {
        Start::Password { username, password } => {
            Ok(step_json(sign_in.password(&username, &password).await?))
        }
        Start::Srp { username, password } => {
            Ok(step_json(sign_in.password_srp(&username, &password).await?))
        }
        Start::Refresh { token, username } => {
            let tokens = sign_in.refresh(&token, username.as_deref()).await?;
            Ok(json!({ "AuthenticationResult": tokens_json(&tokens) }))
        }
        Start::UserAuth {
            username,
            preferred,
        } => {
            let factor = preferred.as_ref().map(Choice::factor);
            Ok(step_json(sign_in.user_auth(&username, factor).await?))
        }
    }
}

/// (Admin)RespondToAuthChallenge through the typed challenge the library
/// rebuilds from the name, Session and user name.
async fn respond(
    backend: SdkBackend,
    client: &ClientConfig,
    call: ChallengeAnswer,
    device: Option<&DeviceFile>,
) -> Result<Value, Failure> {
    let sign_in = client.sign_in(backend)?;
    let name = call.answer.challenge_name();
    let step = match device {
        // The device steps that may follow the answer are answered here.
        Some(file) => {
            sign_in
                .on_device(&file.device)
                .resume_parts(name, call.session, &call.username)?
        }
        None => sign_in.resume_parts(name, call.session, &call.username)?,
    };
    let next = match (call.answer, step) {
        (Answer::Totp(code), SignInStep::TotpRequired(challenge)) => challenge
            .answer(&sign_in, code.expose_secret())
            .await
            .map_err(Rejected::into_error)?,
        (Answer::MfaSetup, SignInStep::MfaSetupRequired(challenge)) => {
            challenge.finish_after_verify(&sign_in).await?
        }
        (
            Answer::NewPassword {
                password,
                attributes,
            },
            SignInStep::NewPasswordRequired(challenge),
        ) => {
            let attributes: Vec<(&str, &str)> = attributes
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect();
            challenge
                .answer(&sign_in, &password, &attributes)
                .await
                .map_err(Rejected::into_error)?
        }
        (Answer::SelectMfaType(factor), SignInStep::SelectMfaType(challenge)) => challenge
            .choose(&sign_in, factor)
            .await
            .map_err(Rejected::into_error)?,
        // Rebuilt from parts, the challenge knows no AvailableChallenges, so
        // any factor is sent and Cognito judges it.
        (Answer::SelectChallenge(choice), SignInStep::SelectChallenge(challenge)) => challenge
            .choose(&sign_in, choice.factor())
            .await
            .map_err(Rejected::into_error)?,
        (Answer::Code { code, .. }, SignInStep::CodeRequired(challenge)) => challenge
            .answer(&sign_in, code.expose_secret())
            .await
            .map_err(Rejected::into_error)?,
        (Answer::WebAuthn(credential), SignInStep::WebAuthnRequired(challenge)) => challenge
            .answer(&sign_in, &credential)
            .await
            .map_err(Rejected::into_error)?,
        (_, other) => {
            return Err(Failure::Other(format!(
                "the library rebuilt {} for this challenge",
                other.challenge_name().unwrap_or("no challenge")
            )));
        }
    };
    Ok(step_json(next))
}

/// The AWS CLI's shape of a sign-in step.
fn step_json(step: SignInStep) -> Value {
    match step {
        SignInStep::Done(tokens) => json!({ "AuthenticationResult": tokens_json(&tokens) }),
        pending => pending
            .into_saved()
            .map_or(Value::Null, |saved| challenge_json(&saved)),
    }
}

/// `ChallengeName`, `Session`, `ChallengeParameters`, and
/// `AvailableChallenges` (a top-level member, as the AWS CLI prints
/// USER_AUTH's SELECT_CHALLENGE) when Cognito sent any.
fn challenge_json(saved: &SavedChallenge) -> Value {
    let mut out = json!({
        "ChallengeName": saved.challenge_name(),
        "Session": saved.session().expose_secret(),
        "ChallengeParameters": saved.parameters(),
    });
    if !saved.available_challenges().is_empty() {
        out["AvailableChallenges"] = saved.available_challenges().into();
    }
    out
}

/// `AuthenticationResult`, fields left out when absent.
fn tokens_json(tokens: &AuthTokens) -> Value {
    let mut out = Map::new();
    out.insert(
        "AccessToken".into(),
        tokens.access_token.expose_secret().into(),
    );
    out.insert("ExpiresIn".into(), tokens.expires_in.as_secs().into());
    out.insert("TokenType".into(), tokens.token_type.clone().into());
    if let Some(token) = &tokens.refresh_token {
        out.insert("RefreshToken".into(), token.expose_secret().into());
    }
    if let Some(token) = &tokens.id_token {
        out.insert("IdToken".into(), token.expose_secret().into());
    }
    if let Some(device) = &tokens.new_device {
        out.insert(
            "NewDeviceMetadata".into(),
            json!({ "DeviceKey": device.device_key, "DeviceGroupKey": device.device_group_key }),
        );
    }
    Value::Object(out)
}

// ---------------------------------------------------------------------------
// The interactive commands
// ---------------------------------------------------------------------------

/// Asks on stderr, reads the answer from stdin, a line at a time.
struct Prompter {
    lines: std::io::Lines<std::io::StdinLock<'static>>,
}

impl Prompter {
    fn new() -> Self {
        Self {
            lines: std::io::stdin().lines(),
        }
    }

    fn ask(&mut self, prompt: &str) -> Result<String, Failure> {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        match self.lines.next() {
            Some(Ok(line)) => Ok(line.trim_end_matches('\r').to_owned()),
            Some(Err(e)) => Err(Failure::Other(format!("cannot read stdin: {e}"))),
            None => Err(Failure::Other(
                "stdin closed before the answer was given".into(),
            )),
        }
    }
}

/// Asks for an answer and gives it, up to [`MAX_TRIES`] times while the
/// library hands the same state back (a wrong or mistyped code).
async fn ask_and_answer<T, R>(
    prompter: &mut Prompter,
    prompt: &str,
    mut state: T,
    mut answer: impl AsyncFnMut(T, String) -> Result<R, Rejected<T>>,
) -> Result<R, Failure> {
    let mut tries = 1;
    loop {
        let typed = prompter.ask(prompt)?;
        match answer(state, typed).await {
            Ok(done) => return Ok(done),
            Err(rejected) => match rejected.into_parts() {
                (e, Some(same)) if tries < MAX_TRIES => {
                    eprintln!("{}; try again", error_line(&e));
                    state = same;
                    tries += 1;
                }
                (e, _) => return Err(e.into()),
            },
        }
    }
}

/// The QR code and the setup key, for the person to scan or type.
fn show_enrollment(pending: &PendingEnrollment) -> Result<(), Error> {
    println!(
        "Scan this QR code with your authenticator app ({}: {}):",
        pending.issuer(),
        pending.account_name()
    );
    println!("{}", pending.qr_terminal()?);
    println!("Or type this setup key: {}", pending.setup_key());
    Ok(())
}

/// `enroll`: AssociateSoftwareToken, the QR code, then codes until one is
/// verified (VerifySoftwareToken, SetUserMFAPreference).
async fn enroll(
    backend: &SdkBackend,
    access_token: AccessToken,
    enrollment: MfaEnrollment,
) -> Result<Value, Failure> {
    let pending = enrollment
        .start_with_access_token(backend, access_token)
        .await?;
    show_enrollment(&pending)?;
    let mut prompter = Prompter::new();
    let enrolled = ask_and_answer(
        &mut prompter,
        "Code from the authenticator app: ",
        pending,
        async |pending: PendingEnrollment, code: String| pending.verify(backend, &code).await,
    )
    .await?;
    Ok(json!({
        "Status": "SUCCESS",
        "SoftwareTokenMfaSettings": {
            "Enabled": enrolled.totp_enabled(),
            "PreferredMfa": enrolled.totp_preferred(),
        },
    }))
}

/// `sign-in`: the password, then every challenge this tool can answer
/// from stdin, until the tokens.
async fn sign_in(
    backend: SdkBackend,
    client: &ClientConfig,
    username: &str,
    enrollment: MfaEnrollment,
) -> Result<Value, Failure> {
    let sign_in = client.sign_in(backend)?;
    let mut prompter = Prompter::new();
    let password = Password::new(prompter.ask("Password (shown as typed): ")?);
    let mut step = sign_in.password(username, &password).await?;
    loop {
        step = match step {
            SignInStep::Done(tokens) => {
                return Ok(json!({ "AuthenticationResult": tokens_json(&tokens) }));
            }
            SignInStep::TotpRequired(challenge) => {
                let prompt = format!(
                    "Code from {}: ",
                    challenge
                        .friendly_device_name()
                        .unwrap_or("your authenticator app")
                );
                ask_and_answer(
                    &mut prompter,
                    &prompt,
                    challenge,
                    async |c, code: String| c.answer(&sign_in, &code).await,
                )
                .await?
            }
            SignInStep::MfaSetupRequired(challenge) => {
                let setup = challenge.start_totp(&sign_in, enrollment.clone()).await?;
                show_enrollment(setup.enrollment())?;
                let prompt = "Code from the authenticator app: ";
                ask_and_answer(&mut prompter, prompt, setup, async |s, code: String| {
                    s.verify(&sign_in, &code).await
                })
                .await?
            }
            SignInStep::NewPasswordRequired(challenge) => {
                let mut attributes = Vec::new();
                for name in challenge.required_attributes() {
                    attributes.push((name.clone(), prompter.ask(&format!("{name}: "))?));
                }
                let attributes: Vec<(&str, &str)> = attributes
                    .iter()
                    .map(|(name, value)| (name.as_str(), value.as_str()))
                    .collect();
                let prompt = "New password (shown as typed): ";
                ask_and_answer(&mut prompter, prompt, challenge, async |c, new: String| {
                    c.answer(&sign_in, &Password::new(new), &attributes).await
                })
                .await?
            }
            SignInStep::SelectMfaType(challenge) => challenge
                .choose(&sign_in, MfaFactor::SoftwareToken)
                .await
                .map_err(Rejected::into_error)?,
            SignInStep::CodeRequired(challenge) => {
                let prompt = format!(
                    "Code sent to {}: ",
                    challenge.destination().unwrap_or("you")
                );
                ask_and_answer(
                    &mut prompter,
                    &prompt,
                    challenge,
                    async |c, code: String| c.answer(&sign_in, &code).await,
                )
                .await?
            }
            other => return Err(unhandled(other)),
        };
    }
}

/// A challenge `sign-in` can't answer: print it (to go on with
/// respond-to-auth-challenge) and fail.
fn unhandled(step: SignInStep) -> Failure {
    let name = step.challenge_name().unwrap_or("unknown").to_owned();
    if let Some(saved) = step.into_saved() {
        println!("{}", pretty(&challenge_json(&saved)));
    }
    Failure::Other(format!(
        "sign-in does not answer {name}; go on with respond-to-auth-challenge and the Session printed"
    ))
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

// ---------------------------------------------------------------------------

async fn execute(command: Command) -> Result<(), Failure> {
    // Every value is checked before the AWS config is even loaded.
    let call = prepare(command)?;
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let backend = SdkBackend::from_conf(&config);
    if let Some(output) = call.run(backend).await? {
        println!("{}", pretty(&output));
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    // Tracing only when asked for: errors must stay on one line.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let command = match Cli::parse().command {
        Command::VerifyToken(args) => return verify::run(args).await,
        other => other,
    };
    match execute(command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{}", failure.line());
            failure.exit_code()
        }
    }
}
