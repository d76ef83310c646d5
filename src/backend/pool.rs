//! What the pool-level calls (the pool's MFA configuration, an app client)
//! send and receive.

use super::AuthFlow;
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
}

impl PoolMfaConfig {
    /// A configuration with the mode and the TOTP switch.
    pub const fn new(mode: PoolMfaMode, software_token_enabled: bool) -> Self {
        Self {
            mode,
            software_token_enabled,
        }
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
