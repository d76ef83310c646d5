//! Sign-in steps and the `ChallengeParameters` that describe them.

use super::random::random_digits;
use super::srp::SrpExchange;
use super::users::{AccountStatus, UserRecord};
use crate::backend::{ChallengeName, MfaFactor, PoolMfaConfig, PoolMfaMode};
use std::collections::BTreeMap;

/// Where a sign-in stands: what the Session it is bound to may be used for.
pub(super) enum SessionStep {
    /// USER_SRP_AUTH answered; the client's proof next. Boxed: it holds
    /// the exchange's big numbers, a few KB the other steps don't need.
    PasswordVerifier(Box<SrpExchange>),
    NewPassword,
    /// MFA_SETUP issued; AssociateSoftwareToken next.
    MfaSetup,
    /// Associated; VerifySoftwareToken next.
    MfaSetupAssociated,
    /// Verified; RespondToAuthChallenge(MFA_SETUP) next.
    MfaSetupVerified,
    SelectMfaType(Vec<MfaFactor>),
    SoftwareToken,
    /// SMS_MFA or EMAIL_OTP, with the code that was "sent".
    Delivered {
        factor: MfaFactor,
        code: String,
    },
    /// USER_AUTH without a preferred factor: the choice next, among these
    /// (`AvailableChallenges`).
    SelectChallenge(Vec<String>),
    /// USER_AUTH's email or SMS code as the first factor (`EMAIL_OTP` /
    /// `SMS_OTP`), with the code that was "sent".
    FirstFactorCode {
        factor: MfaFactor,
        code: String,
    },
    /// A confirmed device was presented: its SRP_A next.
    DeviceSrpAuth {
        device_key: String,
    },
    /// The device's proof next, against the exchange (boxed, as for the
    /// password).
    DevicePasswordVerifier {
        exchange: Box<SrpExchange>,
        device_key: String,
    },
}

impl SessionStep {
    pub(super) fn challenge(&self) -> ChallengeName {
        match self {
            Self::PasswordVerifier(_) => ChallengeName::PasswordVerifier,
            Self::NewPassword => ChallengeName::NewPasswordRequired,
            Self::MfaSetup | Self::MfaSetupAssociated | Self::MfaSetupVerified => {
                ChallengeName::MfaSetup
            }
            Self::SelectMfaType(_) => ChallengeName::SelectMfaType,
            Self::SoftwareToken => ChallengeName::SoftwareTokenMfa,
            Self::Delivered {
                factor: MfaFactor::Email,
                ..
            } => ChallengeName::EmailOtp,
            Self::Delivered { .. } => ChallengeName::SmsMfa,
            Self::SelectChallenge(_) => ChallengeName::SelectChallenge,
            Self::FirstFactorCode {
                factor: MfaFactor::Email,
                ..
            } => ChallengeName::EmailOtp,
            Self::FirstFactorCode { .. } => ChallengeName::SmsOtp,
            Self::DeviceSrpAuth { .. } => ChallengeName::DeviceSrpAuth,
            Self::DevicePasswordVerifier { .. } => ChallengeName::DevicePasswordVerifier,
        }
    }

    /// `AvailableChallenges`, a top-level answer field: SELECT_CHALLENGE's
    /// choices.
    pub(super) fn available_challenges(&self) -> Vec<String> {
        match self {
            Self::SelectChallenge(choices) => choices.clone(),
            _ => Vec::new(),
        }
    }

    /// The code "sent" with this step, by what medium, and whether it
    /// stands for the password (a first factor) rather than MFA.
    pub(super) fn sent_code(&self) -> Option<(MfaFactor, &str, bool)> {
        match self {
            Self::Delivered { factor, code } => Some((*factor, code, false)),
            Self::FirstFactorCode { factor, code } => Some((*factor, code, true)),
            _ => None,
        }
    }

    /// Whether this is the second factor's step, which a remembered device
    /// may skip.
    pub(super) fn is_mfa(&self) -> bool {
        matches!(
            self,
            Self::SoftwareToken | Self::Delivered { .. } | Self::SelectMfaType(_)
        )
    }
}

/// What follows a successful step.
pub(super) enum Next {
    Tokens,
    Challenge(SessionStep),
}

/// A list of names as JSON text inside a string, as ChallengeParameters
/// carries lists (`["SOFTWARE_TOKEN_MFA"]`).
fn json_list(names: impl IntoIterator<Item = &'static str>) -> String {
    let items: Vec<String> = names.into_iter().map(|n| format!("\"{n}\"")).collect();
    format!("[{}]", items.join(","))
}

/// `+15555550100` → `+*******0100`.
fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let keep = chars.len().saturating_sub(4);
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i >= keep || c == '+' { c } else { '*' })
        .collect()
}

/// `alice@example.com` → `a***@e***`.
fn mask_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    format!("{}***@{}***", first(local), first(domain))
}

/// What follows a right password, or a good SRP proof of it: a new password
/// for a user with a temporary one, else the MFA step.
pub(super) fn after_password(user: &mut UserRecord, config: PoolMfaConfig) -> Next {
    if user.status == AccountStatus::ForceChangePassword {
        Next::Challenge(SessionStep::NewPassword)
    } else {
        mfa_step(user, config)
    }
}

/// The MFA step after the password (or the new password): tokens on an OFF
/// pool or for a user with no factor on an OPTIONAL pool, MFA_SETUP for one
/// with no factor on an ON pool, else the preferred or only factor, or
/// SELECT_MFA_TYPE.
pub(super) fn mfa_step(user: &mut UserRecord, config: PoolMfaConfig) -> Next {
    if config.mode == PoolMfaMode::Off {
        return Next::Tokens;
    }
    let factors = user.active_factors(config.mode);
    let chosen = match (
        user.preferred.filter(|p| factors.contains(p)),
        factors.as_slice(),
    ) {
        (Some(preferred), _) => preferred,
        (None, []) if config.mode == PoolMfaMode::On => {
            return Next::Challenge(SessionStep::MfaSetup);
        }
        (None, []) => return Next::Tokens,
        (None, [only]) => *only,
        (None, _) => return Next::Challenge(SessionStep::SelectMfaType(factors)),
    };
    Next::Challenge(factor_step(user, chosen))
}

/// The challenge for one factor; SMS and email codes are "sent" here.
pub(super) fn factor_step(user: &mut UserRecord, factor: MfaFactor) -> SessionStep {
    match factor {
        MfaFactor::SoftwareToken => SessionStep::SoftwareToken,
        MfaFactor::Sms | MfaFactor::Email => {
            let code = random_digits(6);
            user.last_delivered_code = Some(code.clone());
            SessionStep::Delivered { factor, code }
        }
    }
}

/// `ChallengeParameters` for `next`; every challenge names the canonical
/// user in USERNAME and USER_ID_FOR_SRP.
pub(super) fn challenge_parameters(
    user: &UserRecord,
    next: &Next,
    config: PoolMfaConfig,
) -> BTreeMap<String, String> {
    let Next::Challenge(step) = next else {
        return BTreeMap::new();
    };
    let mut params = BTreeMap::new();
    params.insert("USERNAME".to_owned(), user.username.clone());
    params.insert("USER_ID_FOR_SRP".to_owned(), user.username.clone());
    match step {
        SessionStep::PasswordVerifier(exchange)
        | SessionStep::DevicePasswordVerifier { exchange, .. } => {
            params.extend(exchange.parameters());
        }
        SessionStep::DeviceSrpAuth { .. } => {}
        SessionStep::NewPassword => {
            params.insert("requiredAttributes".to_owned(), "[]".to_owned());
            let attributes: serde_json::Map<String, serde_json::Value> = user
                .attributes
                .iter()
                .filter(|(name, _)| name.as_str() != "sub")
                .map(|(name, value)| (name.clone(), serde_json::Value::String(value.clone())))
                .collect();
            params.insert(
                "userAttributes".to_owned(),
                serde_json::Value::Object(attributes).to_string(),
            );
        }
        SessionStep::MfaSetup | SessionStep::MfaSetupAssociated | SessionStep::MfaSetupVerified => {
            // What the pool can set up during sign-in: TOTP when it is on.
            // An ON pool without TOTP would offer SMS, which this pool can't
            // set up in a sign-in.
            let can_setup = if config.software_token_enabled {
                "SOFTWARE_TOKEN_MFA"
            } else {
                "SMS_MFA"
            };
            params.insert("MFAS_CAN_SETUP".to_owned(), json_list([can_setup]));
        }
        SessionStep::SelectMfaType(factors) => {
            params.insert(
                "MFAS_CAN_CHOOSE".to_owned(),
                json_list(factors.iter().map(|f| f.as_str())),
            );
        }
        SessionStep::SoftwareToken => {
            if let Some(name) = user.totp.as_ref().and_then(|t| t.friendly_name.clone()) {
                params.insert("FRIENDLY_DEVICE_NAME".to_owned(), name);
            }
        }
        SessionStep::SelectChallenge(_) => {}
        SessionStep::Delivered { factor, .. } | SessionStep::FirstFactorCode { factor, .. } => {
            let (medium, destination) = if *factor == MfaFactor::Email {
                let email = user.attributes.get("email").map_or("", String::as_str);
                ("EMAIL", mask_email(email))
            } else {
                let phone = user
                    .attributes
                    .get("phone_number")
                    .map_or("", String::as_str);
                ("SMS", mask_phone(phone))
            };
            params.insert(
                "CODE_DELIVERY_DELIVERY_MEDIUM".to_owned(),
                medium.to_owned(),
            );
            params.insert("CODE_DELIVERY_DESTINATION".to_owned(), destination);
        }
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_phone("+15555550100"), "+*******0100");
        assert_eq!(mask_email("alice@example.com"), "a***@e***");
        assert_eq!(
            json_list(["SOFTWARE_TOKEN_MFA"]),
            "[\"SOFTWARE_TOKEN_MFA\"]"
        );
        assert_eq!(
            json_list(["SOFTWARE_TOKEN_MFA", "SMS_MFA"]),
            "[\"SOFTWARE_TOKEN_MFA\",\"SMS_MFA\"]"
        );
    }
}
