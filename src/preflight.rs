//! Pool preflight: what stands between a user pool and working TOTP MFA,
//! in plain words. An operator runs it once, when setting up.

use crate::backend::{
    AuthFlow, CognitoBackend, DeviceConfiguration, PoolMfaConfig, PoolMfaMode, UserPoolTier,
};
use crate::error::{Error, Field};
use crate::validate;
use std::fmt;
use std::time::Duration;

/// How much a finding matters.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// TOTP MFA won't work until this is fixed.
    Blocking,
    /// Worth knowing; nothing is broken.
    Info,
}

/// One thing the preflight found.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The pool's MFA is OFF: users can't register a factor.
    MfaOff,
    /// TOTP (software token MFA) is not enabled on the pool.
    TotpDisabled,
    /// The app client does not allow an auth flow the app will use.
    FlowNotAllowed(AuthFlow),
    /// The app client has a secret: every request needs SECRET_HASH, so
    /// configure [`SignInBuilder::client_secret`](crate::sign_in::SignInBuilder::client_secret).
    ClientSecretRequired,
    /// How long a challenge Session lives; the person has this long to type
    /// a code.
    SessionValidity(Duration),
    /// MFA is ON: users without a factor meet MFA_SETUP at sign-in and
    /// can't switch TOTP off.
    MfaRequired,
    /// How the pool treats devices (DescribeUserPool's
    /// `DeviceConfiguration`; `None`: it tracks none). Not read when the
    /// backend does not implement
    /// [`describe_user_pool`](crate::CognitoBackend::describe_user_pool).
    Devices(Option<DeviceConfiguration>),
    /// Email as a second factor (`EMAIL_OTP`): whether the pool has email
    /// MFA configured, and its feature plan when known (email MFA and
    /// USER_AUTH need Essentials or above).
    EmailMfa {
        /// `EmailMfaConfiguration` is set.
        enabled: bool,
        /// `UserPoolTier`, when DescribeUserPool was read.
        tier: Option<UserPoolTier>,
    },
}

impl Finding {
    /// How much it matters.
    pub fn severity(&self) -> Severity {
        match self {
            Self::MfaOff | Self::TotpDisabled | Self::FlowNotAllowed(_) => Severity::Blocking,
            _ => Severity::Info,
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MfaOff => f.write_str(
                "MFA is OFF on the pool: users can't register a factor (turn it on with preflight::enable_totp)",
            ),
            Self::TotpDisabled => f.write_str(
                "TOTP (software token MFA) is not enabled on the pool (turn it on with preflight::enable_totp)",
            ),
            Self::FlowNotAllowed(flow) => write!(
                f,
                "the app client does not allow {flow}: add {} to its ExplicitAuthFlows",
                flow.explicit_auth_flow()
            ),
            Self::ClientSecretRequired => f.write_str(
                "the app client has a secret: every sign-in request needs SECRET_HASH (give SignIn the client secret)",
            ),
            Self::SessionValidity(d) => write!(
                f,
                "a challenge Session lives {} minutes: the person has that long to type a code",
                d.as_secs() / 60
            ),
            Self::MfaRequired => f.write_str(
                "MFA is ON: users without a factor are asked to set one up (MFA_SETUP) at sign-in",
            ),
            Self::EmailMfa { enabled, tier } => {
                let tier_note = match tier {
                    Some(t) if !t.has_choice_based_sign_in() => format!(
                        "; this pool is on the {} tier: email MFA and USER_AUTH need ESSENTIALS or above",
                        t.as_str()
                    ),
                    Some(t) => format!("; tier {} allows it", t.as_str()),
                    None => "; it needs the Essentials tier or above".to_owned(),
                };
                if *enabled {
                    write!(f, "email MFA is on: EMAIL_OTP can be a second factor{tier_note}")
                } else {
                    write!(
                        f,
                        "email MFA is off (no EmailMfaConfiguration): users can't choose EMAIL_OTP{tier_note}"
                    )
                }
            }
            Self::Devices(None) => f.write_str(
                "devices are not remembered (no DeviceConfiguration): every sign-in asks for the second factor",
            ),
            Self::Devices(Some(c)) => {
                f.write_str("devices are tracked: ")?;
                f.write_str(if c.remembering_is_opt_in() {
                    "a confirmed device is remembered only when the person says so \
                     (DeviceOnlyRememberedOnUserPrompt; device::confirm sends the choice)"
                } else {
                    "every confirmed device is remembered (DeviceOnlyRememberedOnUserPrompt off)"
                })?;
                f.write_str(if c.remembered_devices_skip_mfa() {
                    "; remembered devices skip the second factor \
                     (ChallengeRequiredOnNewDevice on: despite its name, it means exactly that)"
                } else {
                    "; remembered devices are still asked for the second factor \
                     (ChallengeRequiredOnNewDevice off: turn it on to let them skip it)"
                })
            }
        }
    }
}

/// What the preflight found.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct PreflightReport {
    /// The pool's MFA configuration.
    pub pool: PoolMfaConfig,
    /// Whether the app client has a secret.
    pub client_has_secret: bool,
    /// The app client's Session validity (3 minutes when not set).
    pub session_validity: Duration,
    /// The pool's DeviceConfiguration: `Some(None)` when it tracks no
    /// devices, `None` when the backend could not say.
    pub devices: Option<Option<DeviceConfiguration>>,
    /// The pool's feature plan, when DescribeUserPool said.
    pub tier: Option<UserPoolTier>,
    /// Everything found, blocking first.
    pub findings: Vec<Finding>,
}

impl PreflightReport {
    /// Whether nothing blocks TOTP MFA.
    pub fn is_ready(&self) -> bool {
        self.findings
            .iter()
            .all(|f| f.severity() != Severity::Blocking)
    }
}

impl fmt::Display for PreflightReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.is_ready() {
            "ready for TOTP MFA"
        } else {
            "NOT ready for TOTP MFA"
        };
        writeln!(f, "user pool: {verdict}")?;
        for finding in &self.findings {
            let mark = match finding.severity() {
                Severity::Blocking => "✗",
                Severity::Info => "·",
            };
            writeln!(f, "  {mark} {finding}")?;
        }
        Ok(())
    }
}

/// Checks a pool and an app client for TOTP MFA with the auth flows the app
/// will use (GetUserPoolMfaConfig, DescribeUserPoolClient, DescribeUserPool
/// for the devices; IAM credentials).
pub async fn check(
    backend: &dyn CognitoBackend,
    user_pool_id: &str,
    client_id: &str,
    flows: &[AuthFlow],
) -> Result<PreflightReport, Error> {
    validate::user_pool_id(user_pool_id)?;
    validate::client_id(client_id)?;
    let pool = backend
        .get_user_pool_mfa_config(user_pool_id.to_owned())
        .await?;
    let client = backend
        .describe_user_pool_client(user_pool_id.to_owned(), client_id.to_owned())
        .await?;
    let mut findings = Vec::new();
    if pool.mode == PoolMfaMode::Off {
        findings.push(Finding::MfaOff);
    }
    if !pool.software_token_enabled {
        findings.push(Finding::TotpDisabled);
    }
    findings.extend(
        flows
            .iter()
            .filter(|f| !client.allows(**f))
            .map(|f| Finding::FlowNotAllowed(*f)),
    );
    if client.client_secret.is_some() {
        findings.push(Finding::ClientSecretRequired);
    }
    if pool.mode == PoolMfaMode::On {
        findings.push(Finding::MfaRequired);
    }
    let session_validity = client
        .auth_session_validity
        .unwrap_or(crate::sign_in::MIN_SESSION_VALIDITY);
    findings.push(Finding::SessionValidity(session_validity));
    let description = match backend.describe_user_pool(user_pool_id.to_owned()).await {
        Ok(description) => Some(description),
        Err(Error::NotSupported { .. }) => None,
        Err(e) => return Err(e),
    };
    let devices = description.as_ref().map(|d| d.device_configuration);
    let tier = description.and_then(|d| d.tier);
    findings.push(Finding::EmailMfa {
        enabled: pool.email_enabled,
        tier: tier.clone(),
    });
    if let Some(devices) = devices {
        findings.push(Finding::Devices(devices));
    }
    Ok(PreflightReport {
        pool,
        client_has_secret: client.client_secret.is_some(),
        session_validity,
        devices,
        tier,
        findings,
    })
}

/// Turns TOTP on for the pool in the mode the caller picks (ON or OPTIONAL)
/// with SetUserPoolMfaConfig. OFF is refused locally: it would turn MFA off.
///
/// Only the TOTP setting is sent; check the pool's SMS and email MFA
/// settings afterwards if it uses them.
pub async fn enable_totp(
    backend: &dyn CognitoBackend,
    user_pool_id: &str,
    mode: PoolMfaMode,
) -> Result<PoolMfaConfig, Error> {
    validate::user_pool_id(user_pool_id)?;
    if mode == PoolMfaMode::Off {
        return Err(Error::invalid(
            Field::MfaSetting,
            "mode must be ON or OPTIONAL to enable TOTP",
        ));
    }
    backend
        .set_user_pool_mfa_config(user_pool_id.to_owned(), PoolMfaConfig::new(mode, true))
        .await
}
