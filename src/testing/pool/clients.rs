//! App clients.

use super::compare::same_secret;
use super::errors::{client_not_found, invalid_parameter, not_authorized};
use super::locks::{read, write};
use super::random::random_lower_alnum;
use super::{InMemoryPool, Inner};
use crate::backend::{AppClient, AuthFlow};
use crate::error::{Error, Operation, ServiceError};
use crate::secret::ClientSecret;
use crate::secret_hash::secret_hash;
use std::sync::Arc;
use std::time::Duration;

/// AuthSessionValidity when the app client does not set one (Cognito's default).
const DEFAULT_SESSION_VALIDITY: Duration = Duration::from_secs(3 * 60);
/// The shortest and longest AuthSessionValidity Cognito accepts.
const MIN_SESSION_VALIDITY: Duration = Duration::from_secs(3 * 60);
const MAX_SESSION_VALIDITY: Duration = Duration::from_secs(15 * 60);

/// The settings of an app client made with [`InMemoryPool::create_client`].
///
/// ```
/// use cognito_mfa::backend::AuthFlow;
/// use cognito_mfa::testing::ClientOptions;
/// use std::time::Duration;
///
/// let options = ClientOptions::new()
///     .generate_secret(true)
///     .explicit_auth_flows([AuthFlow::UserPassword, AuthFlow::RefreshToken])
///     .auth_session_validity(Duration::from_secs(5 * 60));
/// ```
#[derive(Debug, Clone)]
pub struct ClientOptions {
    name: String,
    generate_secret: bool,
    flows: Vec<AuthFlow>,
    session_validity: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            name: "test-client".to_owned(),
            generate_secret: false,
            flows: vec![
                AuthFlow::AdminUserPassword,
                AuthFlow::UserPassword,
                AuthFlow::RefreshToken,
                AuthFlow::UserSrp,
            ],
            session_validity: DEFAULT_SESSION_VALIDITY,
        }
    }
}

impl ClientOptions {
    /// A public client (no secret) allowing ADMIN_USER_PASSWORD_AUTH,
    /// USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH and USER_SRP_AUTH, with
    /// 3-minute Sessions.
    pub fn new() -> Self {
        Self::default()
    }

    /// The client's name (`ClientName`).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Whether the client gets a secret (`GenerateSecret`); with one, every
    /// sign-in request must carry SECRET_HASH.
    #[must_use]
    pub fn generate_secret(mut self, generate: bool) -> Self {
        self.generate_secret = generate;
        self
    }

    /// The flows the client allows (`ExplicitAuthFlows`), replacing the
    /// defaults.
    #[must_use]
    pub fn explicit_auth_flows(mut self, flows: impl IntoIterator<Item = AuthFlow>) -> Self {
        self.flows = flows.into_iter().collect();
        self
    }

    /// How long a challenge Session lives (`AuthSessionValidity`): whole
    /// minutes, 3 to 15. [`InMemoryPool::create_client`] refuses other values.
    #[must_use]
    pub fn auth_session_validity(mut self, validity: Duration) -> Self {
        self.session_validity = validity;
        self
    }
}

pub(super) struct ClientRecord {
    pub(super) id: String,
    name: String,
    secret: Option<ClientSecret>,
    pub(super) flows: Vec<AuthFlow>,
    pub(super) session_validity: Duration,
}

impl ClientRecord {
    pub(super) fn describe(&self) -> AppClient {
        AppClient {
            client_id: self.id.clone(),
            client_name: Some(self.name.clone()),
            client_secret: self.secret.clone(),
            explicit_auth_flows: self
                .flows
                .iter()
                .map(|f| f.explicit_auth_flow().to_owned())
                .collect(),
            auth_session_validity: Some(self.session_validity),
        }
    }

    /// SECRET_HASH, required and checked when the client has a secret.
    /// `names` are the user names the hash may have been computed over.
    pub(super) fn check_secret_hash(
        &self,
        hash: Option<&str>,
        names: &[&str],
    ) -> Result<(), ServiceError> {
        let Some(secret) = &self.secret else {
            // Cognito ignores SECRET_HASH for a client without a secret.
            return Ok(());
        };
        let Some(hash) = hash else {
            return Err(not_authorized(format!(
                "Client {} is configured for secret but secret was not received",
                self.id
            )));
        };
        // Every name is tried, in constant time each, so the answer's time
        // says nothing about the hash or which name it matched.
        let matched = names.iter().fold(false, |matched, name| {
            same_secret(hash, &secret_hash(secret, name, &self.id)) | matched
        });
        if matched {
            Ok(())
        } else {
            Err(not_authorized(format!(
                "Unable to verify secret hash for client {}",
                self.id
            )))
        }
    }
}

impl InMemoryPool {
    /// Creates an app client (CreateUserPoolClient) and describes it: the
    /// client id, and the secret when `generate_secret` was asked for.
    ///
    /// Refuses an AuthSessionValidity that is not whole minutes from 3 to 15
    /// (`InvalidParameterException`).
    pub fn create_client(&self, options: ClientOptions) -> Result<AppClient, Error> {
        self.add_client(options)
            .map_err(|e| Error::from_service(Operation::CreateUserPoolClient, e))
    }

    /// CreateUserPoolClient, answering with Cognito's exception as it goes
    /// on the wire (the local HTTP endpoint's entry point).
    pub(crate) fn add_client(&self, options: ClientOptions) -> Result<AppClient, ServiceError> {
        let validity = options.session_validity;
        if validity < MIN_SESSION_VALIDITY
            || validity > MAX_SESSION_VALIDITY
            || !validity.as_secs().is_multiple_of(60)
            || validity.subsec_nanos() != 0
        {
            return Err(invalid_parameter(
                "AuthSessionValidity must be a whole number of minutes from 3 to 15",
            ));
        }
        let record = ClientRecord {
            // Cognito's client ids: 26 lower-case letters and digits.
            id: random_lower_alnum(26),
            name: options.name,
            // Cognito's secrets: 51 lower-case letters and digits.
            secret: options
                .generate_secret
                .then(|| ClientSecret::new(random_lower_alnum(51))),
            flows: options.flows,
            session_validity: validity,
        };
        let described = record.describe();
        write(&self.inner.clients).insert(record.id.clone(), Arc::new(record));
        Ok(described)
    }

    /// The secret of an app client, if it has one.
    pub fn client_secret(&self, client_id: &str) -> Option<ClientSecret> {
        read(&self.inner.clients)
            .get(client_id)
            .and_then(|c| c.secret.clone())
    }
}

impl Inner {
    pub(super) fn client(&self, id: &str) -> Result<Arc<ClientRecord>, ServiceError> {
        read(&self.clients)
            .get(id)
            .cloned()
            .ok_or_else(|| client_not_found(id))
    }
}
