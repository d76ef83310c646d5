//! One type per challenge, each with only the answers that make sense for it.

use super::{Pending, SavedChallenge, SignIn, SignInStep};
use crate::backend::{ChallengeName, MfaFactor, Parameters};
use crate::enrollment::{Enrolled, MfaEnrollment, PendingEnrollment, SavedEnrollment};
use crate::error::{Error, Field, Rejected};
use crate::secret::{OneTimeCode, Password};
use crate::validate;
use std::collections::BTreeMap;
use std::time::SystemTime;

/// The methods every challenge has.
macro_rules! challenge_common {
    ($ty:ident) => {
        impl $ty {
            /// The canonical user name Cognito returned for this sign-in.
            pub fn username(&self) -> &str {
                &self.pending.username
            }

            /// When the challenge's Session expires at the latest: the
            /// client's `AuthSessionValidity` after it was issued, if the
            /// sign-in was told it, else the longest Cognito allows.
            pub fn expires_at(&self) -> SystemTime {
                self.pending.expires_at
            }

            /// Saves the challenge to resume it later with
            /// [`SignIn::resume`]. The saved value is a bearer credential
            /// for this one challenge.
            pub fn into_saved(self) -> SavedChallenge {
                SavedChallenge::from_pending(self.pending)
            }

            pub(crate) fn pending(&self) -> &Pending {
                &self.pending
            }
        }
    };
}

/// Parses a list Cognito sends as JSON text in a string
/// (`"[\"SOFTWARE_TOKEN_MFA\"]"`). A bare name is a list of one; anything
/// else is an empty list, never a panic.
fn json_list(value: Option<&String>) -> Vec<String> {
    let Some(text) = value.map(|v| v.trim()) else {
        return Vec::new();
    };
    if text.starts_with('[') {
        return serde_json::from_str::<Vec<String>>(text).unwrap_or_default();
    }
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return vec![text.to_owned()];
    }
    Vec::new()
}

fn factors(value: Option<&String>) -> Vec<MfaFactor> {
    json_list(value)
        .iter()
        .filter_map(|n| MfaFactor::parse(n))
        .collect()
}

/// `SOFTWARE_TOKEN_MFA`: the person types the code from their authenticator.
#[derive(Debug)]
pub struct TotpChallenge {
    pending: Pending,
}
challenge_common!(TotpChallenge);

impl TotpChallenge {
    pub(crate) fn new(pending: Pending) -> Self {
        Self { pending }
    }

    /// The authenticator's friendly name (`FRIENDLY_DEVICE_NAME`), when
    /// Cognito sends it: "enter the code from *Alice's phone*".
    ///
    /// `None` too when the name is not one [`validate::device_name`] would
    /// send: control characters (terminal escape sequences), line
    /// separators, bidi overrides. Such a name is withheld rather than
    /// cleaned, so whatever an app prints here is safe to print as it is.
    pub fn friendly_device_name(&self) -> Option<&str> {
        self.pending
            .parameters
            .get("FRIENDLY_DEVICE_NAME")
            .map(String::as_str)
            .filter(|n| validate::device_name(n).is_ok())
    }

    /// Answers with a six-digit code (spaces ignored; checked before any
    /// call). A wrong, malformed or already-used code hands the challenge
    /// back in [`Rejected::retry`]; an expired Session or a time-out does
    /// not (restart the sign-in: the code may have been spent).
    pub async fn answer(
        self,
        sign_in: &SignIn,
        code: &str,
    ) -> Result<SignInStep, Rejected<TotpChallenge>> {
        let code = match validate::user_code(code) {
            Ok(code) => code,
            Err(e) => return Err(Rejected::new(e, self)),
        };
        let responses = Parameters::new().with("SOFTWARE_TOKEN_MFA_CODE", code);
        match sign_in.respond(&self.pending, responses).await {
            Ok(step) => Ok(step),
            Err(e) => Err(Rejected::new(e, self)),
        }
    }
}

/// `MFA_SETUP`: the user has no factor and the pool requires one.
///
/// For TOTP: [`start_totp`](Self::start_totp) associates a token with the
/// challenge's Session and returns a [`PendingMfaSetup`] to show and verify;
/// verifying it answers this challenge.
#[derive(Debug)]
pub struct MfaSetupChallenge {
    pending: Pending,
}
challenge_common!(MfaSetupChallenge);

impl MfaSetupChallenge {
    pub(crate) fn new(pending: Pending) -> Self {
        Self { pending }
    }

    /// The factors Cognito offers to set up (`MFAS_CAN_SETUP`). Empty when
    /// unknown (a challenge rebuilt from parts).
    pub fn can_set_up(&self) -> Vec<MfaFactor> {
        factors(self.pending.parameters.get("MFAS_CAN_SETUP"))
    }

    /// Starts TOTP enrollment with this challenge's Session
    /// (AssociateSoftwareToken). The enrollment's account name defaults to
    /// the canonical user name.
    pub async fn start_totp(
        self,
        sign_in: &SignIn,
        enrollment: MfaEnrollment,
    ) -> Result<PendingMfaSetup, Error> {
        sign_in.check_owner(&self.pending)?;
        sign_in.check_expiry(&self.pending)?;
        let enrollment = enrollment
            .start_with_session(
                sign_in.backend(),
                self.pending.session.clone(),
                &self.pending.username,
            )
            .await?;
        // Associate returned a new Session, with a new validity window.
        let pending = Pending {
            expires_at: sign_in.expiry_from_now(),
            ..self.pending
        };
        Ok(PendingMfaSetup {
            pending,
            enrollment,
        })
    }

    /// Answers MFA_SETUP after the token was verified elsewhere with this
    /// challenge's Session; the Session here must be the one
    /// VerifySoftwareToken returned. This is the command-line path, where
    /// each call is its own process.
    pub async fn finish_after_verify(self, sign_in: &SignIn) -> Result<SignInStep, Error> {
        sign_in.respond(&self.pending, Parameters::new()).await
    }
}

/// A TOTP enrollment inside a sign-in: the secret to show, and the
/// challenge it will answer once verified.
#[derive(Debug)]
pub struct PendingMfaSetup {
    pending: Pending,
    enrollment: PendingEnrollment,
}

impl PendingMfaSetup {
    /// The enrollment: its URI, setup key, QR codes and secret.
    pub fn enrollment(&self) -> &PendingEnrollment {
        &self.enrollment
    }

    /// The canonical user name of the sign-in.
    pub fn username(&self) -> &str {
        &self.pending.username
    }

    /// Saves the setup to verify in a later request: the challenge with the
    /// Session AssociateSoftwareToken returned, **without the TOTP secret**
    /// (shown by now, and dropped here). Finish it with
    /// [`SignIn::finish_mfa_setup`]. A bearer credential: keep it server
    /// side.
    pub fn into_saved(self) -> SavedEnrollment {
        let enrollment = self.enrollment.into_saved();
        let challenge = match enrollment.credential_session() {
            // The Session to verify with is the one Associate returned.
            Some(session) => Pending {
                session,
                ..self.pending
            },
            None => self.pending,
        };
        enrollment.with_mfa_setup(SavedChallenge::from_pending(challenge))
    }

    /// Verifies the code (VerifySoftwareToken with the Session), then
    /// answers MFA_SETUP with the Session that returned. A wrong code hands
    /// this pending setup back in [`Rejected::retry`].
    pub async fn verify(
        self,
        sign_in: &SignIn,
        code: &str,
    ) -> Result<SignInStep, Rejected<PendingMfaSetup>> {
        if let Err(e) = sign_in.check_expiry(&self.pending) {
            return Err(Rejected::fatal(e));
        }
        let pending = self.pending;
        let enrolled: Enrolled = match self.enrollment.verify(sign_in.backend(), code).await {
            Ok(enrolled) => enrolled,
            Err(rejected) => {
                return Err(match rejected.into_parts() {
                    (e, Some(enrollment)) => Rejected::new(
                        e,
                        PendingMfaSetup {
                            pending,
                            enrollment,
                        },
                    ),
                    (e, None) => Rejected::fatal(e),
                });
            }
        };
        sign_in
            .answer_mfa_setup(pending, enrolled)
            .await
            .map_err(Rejected::fatal)
    }
}

/// `SELECT_MFA_TYPE`: several factors are enabled and none is preferred.
#[derive(Debug)]
pub struct SelectMfaTypeChallenge {
    pending: Pending,
}
challenge_common!(SelectMfaTypeChallenge);

impl SelectMfaTypeChallenge {
    pub(crate) fn new(pending: Pending) -> Self {
        Self { pending }
    }

    /// The factors to choose from (`MFAS_CAN_CHOOSE`). Empty when unknown.
    pub fn choices(&self) -> Vec<MfaFactor> {
        factors(self.pending.parameters.get("MFAS_CAN_CHOOSE"))
    }

    /// Picks a factor (`ANSWER`); Cognito then issues that factor's
    /// challenge. A factor not on offer is refused locally.
    pub async fn choose(
        self,
        sign_in: &SignIn,
        factor: MfaFactor,
    ) -> Result<SignInStep, Rejected<SelectMfaTypeChallenge>> {
        let choices = self.choices();
        if !choices.is_empty() && !choices.contains(&factor) {
            let e = Error::invalid(Field::MfaSetting, format!("{factor} is not offered"));
            return Err(Rejected::keep(e, self));
        }
        let responses = Parameters::new().with("ANSWER", factor.as_str());
        match sign_in.respond(&self.pending, responses).await {
            Ok(step) => Ok(step),
            Err(e) => Err(Rejected::new(e, self)),
        }
    }
}

/// `NEW_PASSWORD_REQUIRED`: an administrator created the user with a
/// temporary password.
#[derive(Debug)]
pub struct NewPasswordChallenge {
    pending: Pending,
}
challenge_common!(NewPasswordChallenge);

impl NewPasswordChallenge {
    pub(crate) fn new(pending: Pending) -> Self {
        Self { pending }
    }

    /// Attributes the person must supply (`requiredAttributes`, without the
    /// `userAttributes.` prefix).
    pub fn required_attributes(&self) -> Vec<String> {
        json_list(self.pending.parameters.get("requiredAttributes"))
            .into_iter()
            .map(|a| a.strip_prefix("userAttributes.").unwrap_or(&a).to_owned())
            .collect()
    }

    /// The user's current attributes (`userAttributes`, JSON text), as far
    /// as they are strings.
    pub fn user_attributes(&self) -> BTreeMap<String, String> {
        self.pending
            .parameters
            .get("userAttributes")
            .and_then(|t| serde_json::from_str::<BTreeMap<String, serde_json::Value>>(t).ok())
            .map(|m| {
                m.into_iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Sets the new password, with the required attributes as
    /// `(name, value)` pairs. Missing required attributes are refused
    /// locally. A password the pool's policy rejects hands the challenge
    /// back in [`Rejected::retry`].
    pub async fn answer(
        self,
        sign_in: &SignIn,
        new_password: &Password,
        attributes: &[(&str, &str)],
    ) -> Result<SignInStep, Rejected<NewPasswordChallenge>> {
        if let Err(e) = validate::password(new_password.expose_secret()) {
            return Err(Rejected::keep(e, self));
        }
        if let Some(missing) = self
            .required_attributes()
            .into_iter()
            .find(|r| !attributes.iter().any(|(name, _)| name == r))
        {
            let e = Error::invalid(
                Field::Challenge,
                format!("the required attribute {missing} is missing"),
            );
            return Err(Rejected::keep(e, self));
        }
        let mut responses = Parameters::new().with("NEW_PASSWORD", new_password.expose_secret());
        for (name, value) in attributes {
            responses.insert(format!("userAttributes.{name}"), *value);
        }
        match sign_in.respond(&self.pending, responses).await {
            Ok(step) => Ok(step),
            Err(e) => Err(Rejected::new(e, self)),
        }
    }
}

/// How a one-time code reached the person.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeDelivery {
    /// By text message.
    Sms,
    /// By email.
    Email,
}

/// `SMS_MFA`, `EMAIL_OTP` or `SMS_OTP`: a code was sent to the person.
#[derive(Debug)]
pub struct CodeChallenge {
    pending: Pending,
}
challenge_common!(CodeChallenge);

impl CodeChallenge {
    pub(crate) fn new(pending: Pending) -> Self {
        Self { pending }
    }

    /// How the code was sent.
    pub fn delivery(&self) -> CodeDelivery {
        match self.pending.name {
            ChallengeName::EmailOtp => CodeDelivery::Email,
            _ => CodeDelivery::Sms,
        }
    }

    /// The MFA factor this code is, or `None` for a first factor
    /// (USER_AUTH's `SMS_OTP`: a text-message code that stands for the
    /// password, not an `SMS_MFA` second factor).
    pub fn factor(&self) -> Option<MfaFactor> {
        match self.pending.name {
            ChallengeName::SmsMfa => Some(MfaFactor::Sms),
            ChallengeName::EmailOtp => Some(MfaFactor::Email),
            _ => None,
        }
    }

    /// The `ChallengeResponses` key the code goes under: each challenge has
    /// its own (`SMS_MFA_CODE`, `EMAIL_OTP_CODE`, `SMS_OTP_CODE`).
    fn answer_key(&self) -> &'static str {
        self.pending.name.code_parameter().unwrap_or("SMS_MFA_CODE")
    }

    /// Where the code went, masked (`+*******1234`, `a***@e***`).
    ///
    /// `None` when Cognito sent none, or sent one that is not plain
    /// printable text (control characters such as a terminal escape
    /// sequence, line separators, bidi overrides): withheld rather than
    /// cleaned, so what is returned is safe to show as it is.
    pub fn destination(&self) -> Option<&str> {
        self.pending
            .parameters
            .get("CODE_DELIVERY_DESTINATION")
            .map(String::as_str)
            .filter(|d| validate::is_display_text(d))
    }

    /// How it went (`SMS`, `EMAIL`). `None` when absent or not plain
    /// printable text, as for [`destination`](Self::destination).
    pub fn medium(&self) -> Option<&str> {
        self.pending
            .parameters
            .get("CODE_DELIVERY_DELIVERY_MEDIUM")
            .map(String::as_str)
            .filter(|m| validate::is_display_text(m))
    }

    /// Answers with the delivered code (6 to 8 digits, spaces ignored).
    pub async fn answer(
        self,
        sign_in: &SignIn,
        code: &str,
    ) -> Result<SignInStep, Rejected<CodeChallenge>> {
        let digits = match validate::delivered_code(code) {
            Ok(digits) => OneTimeCode::new(digits),
            Err(e) => return Err(Rejected::new(e, self)),
        };
        let responses = Parameters::new().with(self.answer_key(), digits.expose_secret());
        match sign_in.respond(&self.pending, responses).await {
            Ok(step) => Ok(step),
            Err(e) => Err(Rejected::new(e, self)),
        }
    }
}

/// A first factor USER_AUTH offers (`AvailableChallenges`), by name.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FirstFactorKind {
    /// `PASSWORD`: the password, sent.
    Password,
    /// `PASSWORD_SRP`: the password, proven over SRP.
    PasswordSrp,
    /// `EMAIL_OTP`: a code sent by email.
    EmailOtp,
    /// `SMS_OTP`: a code sent by text message.
    SmsOtp,
    /// `WEB_AUTHN`: a passkey.
    WebAuthn,
    /// A name this crate does not know, as sent.
    Other(String),
}

impl FirstFactorKind {
    /// Reads Cognito's name.
    pub fn parse(name: &str) -> Self {
        match name {
            "PASSWORD" => Self::Password,
            "PASSWORD_SRP" => Self::PasswordSrp,
            "EMAIL_OTP" => Self::EmailOtp,
            "SMS_OTP" => Self::SmsOtp,
            "WEB_AUTHN" => Self::WebAuthn,
            other => Self::Other(other.to_owned()),
        }
    }

    /// Cognito's name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Password => "PASSWORD",
            Self::PasswordSrp => "PASSWORD_SRP",
            Self::EmailOtp => "EMAIL_OTP",
            Self::SmsOtp => "SMS_OTP",
            Self::WebAuthn => "WEB_AUTHN",
            Self::Other(name) => name,
        }
    }
}

/// A first factor chosen for USER_AUTH, with what it needs: the password
/// for the password factors; the codes and the passkey come in the next
/// step.
#[non_exhaustive]
#[derive(Debug, Clone, Copy)]
pub enum FirstFactor<'a> {
    /// `PASSWORD`: the password is sent (over TLS).
    Password(&'a Password),
    /// `PASSWORD_SRP`: the password is proven over SRP and never sent; the
    /// library answers PASSWORD_VERIFIER.
    PasswordSrp(&'a Password),
    /// `EMAIL_OTP`: Cognito emails a code ([`SignInStep::CodeRequired`] next).
    EmailOtp,
    /// `SMS_OTP`: Cognito texts a code ([`SignInStep::CodeRequired`] next).
    SmsOtp,
    /// `WEB_AUTHN`: a passkey ([`SignInStep::WebAuthnRequired`] next).
    WebAuthn,
}

impl FirstFactor<'_> {
    /// Its kind.
    pub fn kind(&self) -> FirstFactorKind {
        match self {
            Self::Password(_) => FirstFactorKind::Password,
            Self::PasswordSrp(_) => FirstFactorKind::PasswordSrp,
            Self::EmailOtp => FirstFactorKind::EmailOtp,
            Self::SmsOtp => FirstFactorKind::SmsOtp,
            Self::WebAuthn => FirstFactorKind::WebAuthn,
        }
    }
}

/// `SELECT_CHALLENGE`: USER_AUTH asks which first factor to use.
#[derive(Debug)]
pub struct SelectChallenge {
    pending: Pending,
}
challenge_common!(SelectChallenge);

impl SelectChallenge {
    pub(crate) fn new(pending: Pending) -> Self {
        Self { pending }
    }

    /// The first factors offered (`AvailableChallenges`), in Cognito's
    /// order. A user with MFA is offered only the password factors.
    pub fn choices(&self) -> Vec<FirstFactorKind> {
        self.pending
            .available_challenges
            .iter()
            .map(|name| FirstFactorKind::parse(name))
            .collect()
    }

    /// Answers with `factor` (`ANSWER`, and the password or SRP_A it
    /// needs). A factor not on offer is refused locally, and so is a
    /// password outside Cognito's limits; both hand the challenge back.
    pub async fn choose(
        self,
        sign_in: &SignIn,
        factor: FirstFactor<'_>,
    ) -> Result<SignInStep, Rejected<SelectChallenge>> {
        let kind = factor.kind();
        let choices = self.choices();
        if !choices.is_empty() && !choices.contains(&kind) {
            let e = Error::invalid(
                Field::Challenge,
                format!("{} is not offered", kind.as_str()),
            );
            return Err(Rejected::keep(e, self));
        }
        let (payload, autopilot) = match sign_in.first_factor(factor, true) {
            Ok(found) => found,
            Err(e) => return Err(Rejected::keep(e, self)),
        };
        let responses = payload.with("ANSWER", kind.as_str());
        let pending = Pending {
            autopilot: autopilot.with_device_of(&self.pending.autopilot),
            ..self.pending.clone()
        };
        match sign_in.respond(&pending, responses).await {
            Ok(step) => Ok(step),
            Err(e) => Err(Rejected::new(e, self)),
        }
    }
}

/// `WEB_AUTHN`: a passkey's assertion. Hand
/// [`credential_request_options`](Self::credential_request_options) to the
/// browser (`navigator.credentials.get`), and its answer, as JSON, to
/// [`answer`](Self::answer).
#[derive(Debug)]
pub struct WebAuthnChallenge {
    pending: Pending,
}
challenge_common!(WebAuthnChallenge);

impl WebAuthnChallenge {
    pub(crate) fn new(pending: Pending) -> Self {
        Self { pending }
    }

    /// `CREDENTIAL_REQUEST_OPTIONS`: the PublicKeyCredentialRequestOptions
    /// JSON for the browser, as Cognito sent it; `None` when absent.
    pub fn credential_request_options(&self) -> Option<&str> {
        self.pending
            .parameters
            .get("CREDENTIAL_REQUEST_OPTIONS")
            .map(String::as_str)
    }

    /// Answers with the browser's credential (`CREDENTIAL`: the
    /// PublicKeyCredential as JSON). Refused locally, handing the
    /// challenge back: anything but a JSON object, or over 64 KiB.
    pub async fn answer(
        self,
        sign_in: &SignIn,
        credential_json: &str,
    ) -> Result<SignInStep, Rejected<WebAuthnChallenge>> {
        if let Err(e) = validate::web_authn_credential(credential_json) {
            return Err(Rejected::keep(e, self));
        }
        let responses = Parameters::new().with("CREDENTIAL", credential_json);
        match sign_in.respond(&self.pending, responses).await {
            Ok(step) => Ok(step),
            Err(e) => Err(Rejected::new(e, self)),
        }
    }
}

/// A challenge this crate does not handle. Its name and parameter names
/// are here; answering it is up to the caller.
#[derive(Debug)]
pub struct UnsupportedChallenge {
    pending: Pending,
}
challenge_common!(UnsupportedChallenge);

impl UnsupportedChallenge {
    pub(crate) fn new(pending: Pending) -> Self {
        Self { pending }
    }

    /// The challenge name as Cognito sent it.
    pub fn name(&self) -> &str {
        self.pending.name.as_str()
    }

    /// The challenge parameters' names.
    pub fn parameter_names(&self) -> impl Iterator<Item = &str> {
        self.pending.parameters.keys().map(String::as_str)
    }

    /// A challenge parameter's value.
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.pending.parameters.get(name).map(String::as_str)
    }

    /// The error to report when the caller does not handle it.
    pub fn to_error(&self) -> Error {
        Error::UnsupportedChallenge {
            name: self.name().to_owned(),
        }
    }

    /// Answers with raw `ChallengeResponses`; USERNAME and SECRET_HASH are
    /// added. An escape hatch for challenges this crate does not model.
    pub async fn respond_raw(
        self,
        sign_in: &SignIn,
        responses: Parameters,
    ) -> Result<SignInStep, Error> {
        sign_in.respond(&self.pending, responses).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign_in::ChallengeParameters;

    #[test]
    fn challenge_parameters_find_by_name() {
        let map: BTreeMap<String, String> = [("USER_ID_FOR_SRP", "u"), ("A", "1"), ("Z", "26")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let params = ChallengeParameters::from(map.clone());
        assert_eq!(params.get("A").map(String::as_str), Some("1"));
        assert_eq!(params.get("USER_ID_FOR_SRP").map(String::as_str), Some("u"));
        assert_eq!(params.get("Z").map(String::as_str), Some("26"));
        assert_eq!(params.get("B"), None);
        assert_eq!(
            params.keys().collect::<Vec<_>>(),
            ["A", "USER_ID_FOR_SRP", "Z"]
        );
        assert_eq!(params.into_map(), map);
        assert_eq!(ChallengeParameters::default().get("A"), None);
    }

    #[test]
    fn lists_in_every_shape() {
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(
            json_list(s(r#"["SOFTWARE_TOKEN_MFA"]"#).as_ref()),
            ["SOFTWARE_TOKEN_MFA"]
        );
        assert_eq!(
            json_list(s(r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#).as_ref()),
            ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
        );
        assert_eq!(
            json_list(s("SOFTWARE_TOKEN_MFA").as_ref()),
            ["SOFTWARE_TOKEN_MFA"]
        );
        assert!(json_list(s("[not json").as_ref()).is_empty());
        assert!(json_list(s(r#"[1, 2]"#).as_ref()).is_empty());
        assert!(json_list(s("").as_ref()).is_empty());
        assert!(json_list(None).is_empty());
        assert_eq!(
            factors(s(r#"["SMS_MFA","WEB_AUTHN","EMAIL_OTP"]"#).as_ref()),
            [MfaFactor::Sms, MfaFactor::Email]
        );
    }
}
