//! What the pool-level calls (the pool's MFA configuration, an app client)
//! send and receive.

use super::{AuthFlow, DeviceConfiguration};
use crate::secret::ClientSecret;
use std::time::Duration;

/// A user pool's MFA mode (`MfaConfiguration`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolMfaMode {
    /// No MFA: users can't register a factor.
    Off,
    /// Every user must have a factor; users without one get MFA_SETUP.
    On,
    /// Users with an enabled factor are challenged.
    Optional,
}

impl PoolMfaMode {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "OFF",
            Self::On => "ON",
            Self::Optional => "OPTIONAL",
        }
    }
}

/// A user pool's MFA configuration, as far as TOTP is concerned.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolMfaConfig {
    /// OFF, ON or OPTIONAL.
    pub mode: PoolMfaMode,
    /// Whether TOTP (`SoftwareTokenMfaConfiguration.Enabled`) is on.
    pub software_token_enabled: bool,
    /// Whether email MFA and email sign-in codes are configured
    /// (`EmailMfaConfiguration` present): Essentials tier or above.
    pub email_enabled: bool,
}

impl PoolMfaConfig {
    /// A configuration with the mode and the TOTP switch, email off (or
    /// left as it is, when set: SetUserPoolMfaConfig sends no
    /// EmailMfaConfiguration then).
    pub const fn new(mode: PoolMfaMode, software_token_enabled: bool) -> Self {
        Self {
            mode,
            software_token_enabled,
            email_enabled: false,
        }
    }

    /// The same with email MFA on or off.
    #[must_use]
    pub const fn with_email(mut self, email_enabled: bool) -> Self {
        self.email_enabled = email_enabled;
        self
    }
}

/// What DescribeUserPoolClient says about an app client.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct AppClient {
    /// The client id.
    pub client_id: String,
    /// The client's name.
    pub client_name: Option<String>,
    /// The client secret; present means SECRET_HASH is needed.
    pub client_secret: Option<ClientSecret>,
    /// `ExplicitAuthFlows`, as sent (`ALLOW_USER_PASSWORD_AUTH`, ...).
    pub explicit_auth_flows: Vec<String>,
    /// How long a challenge Session lives (`AuthSessionValidity`, 3–15
    /// minutes); `None` when the service did not say (3 minutes).
    pub auth_session_validity: Option<Duration>,
}

impl AppClient {
    /// A client with no secret, no allowed flows and the default Session
    /// validity; add what the service said with the `with_` methods.
    pub fn new(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_name: None,
            client_secret: None,
            explicit_auth_flows: Vec::new(),
            auth_session_validity: None,
        }
    }

    /// The client's name.
    #[must_use]
    pub fn with_name(mut self, name: Option<String>) -> Self {
        self.client_name = name;
        self
    }

    /// The client's secret.
    #[must_use]
    pub fn with_secret(mut self, secret: Option<ClientSecret>) -> Self {
        self.client_secret = secret;
        self
    }

    /// `ExplicitAuthFlows`, as sent.
    #[must_use]
    pub fn with_auth_flows(mut self, flows: Vec<String>) -> Self {
        self.explicit_auth_flows = flows;
        self
    }

    /// `AuthSessionValidity`.
    #[must_use]
    pub fn with_session_validity(mut self, validity: Option<Duration>) -> Self {
        self.auth_session_validity = validity;
        self
    }

    /// Whether the client allows `flow`.
    pub fn allows(&self, flow: AuthFlow) -> bool {
        self.explicit_auth_flows
            .iter()
            .any(|f| f == flow.explicit_auth_flow())
    }
}

/// A user pool's feature plan (`UserPoolTier`). Choice-based sign-in
/// (USER_AUTH) and email MFA need Essentials or above.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UserPoolTier {
    /// `LITE`.
    Lite,
    /// `ESSENTIALS`: the default for pools created since November 2024.
    Essentials,
    /// `PLUS`.
    Plus,
    /// A tier this crate does not know, as sent.
    Other(String),
}

impl UserPoolTier {
    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Lite => "LITE",
            Self::Essentials => "ESSENTIALS",
            Self::Plus => "PLUS",
            Self::Other(name) => name,
        }
    }

    /// Reads the wire name.
    pub fn parse(name: &str) -> Self {
        match name {
            "LITE" => Self::Lite,
            "ESSENTIALS" => Self::Essentials,
            "PLUS" => Self::Plus,
            other => Self::Other(other.to_owned()),
        }
    }

    /// Whether USER_AUTH and email MFA are available (Essentials or Plus).
    pub fn has_choice_based_sign_in(&self) -> bool {
        matches!(self, Self::Essentials | Self::Plus)
    }
}

/// What DescribeUserPool says that sign-in depends on.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserPoolDescription {
    /// `DeviceConfiguration`; `None` when the pool tracks no devices.
    pub device_configuration: Option<DeviceConfiguration>,
    /// `UserPoolTier`, when the service says.
    pub tier: Option<UserPoolTier>,
    /// `Policies.SignInPolicy.AllowedFirstAuthFactors` (`PASSWORD`,
    /// `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`): what USER_AUTH may offer.
    pub first_auth_factors: Vec<String>,
}

impl UserPoolDescription {
    /// A description with nothing known.
    pub fn new() -> Self {
        Self::default()
    }

    /// The DeviceConfiguration.
    #[must_use]
    pub fn with_device_configuration(mut self, config: Option<DeviceConfiguration>) -> Self {
        self.device_configuration = config;
        self
    }

    /// The tier.
    #[must_use]
    pub fn with_tier(mut self, tier: Option<UserPoolTier>) -> Self {
        self.tier = tier;
        self
    }

    /// The allowed first factors.
    #[must_use]
    pub fn with_first_auth_factors(mut self, factors: Vec<String>) -> Self {
        self.first_auth_factors = factors;
        self
    }
}

/// The issuer a user pool's tokens name:
/// `https://cognito-idp.REGION.amazonaws.com/POOL_ID` (the region is the
/// pool id's part before `_`). What the in-memory pool signs and what the
/// verifier expects.
#[cfg(any(feature = "verify", feature = "test-util"))]
pub(crate) fn token_issuer(user_pool_id: &str) -> String {
    let region = user_pool_id
        .split_once('_')
        .map(|(region, _)| region)
        .unwrap_or_default();
    format!("https://cognito-idp.{region}.amazonaws.com/{user_pool_id}")
}
