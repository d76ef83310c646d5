//! Which Cognito the example talks to: the crate's in-memory pool, seeded
//! (offline), or a real user pool, moto or the local endpoint through the
//! AWS SDK (online). Either way the app gets one `SignIn`, and through
//! `SignIn::backend` the one backend handle for every other call.

use cognito_mfa::backend::{AuthFlow, DeviceConfiguration, PoolMfaConfig, PoolMfaMode};
use cognito_mfa::clock::Clock;
use cognito_mfa::sign_in::SignIn;
use cognito_mfa::testing::{ClientOptions, InMemoryPool};
use cognito_mfa::verify::TokenVerifier;
use cognito_mfa::{ClientSecret, Error, SdkBackend};
use std::time::Duration;

/// The seeded user: a demo password, printed on purpose.
pub const SEED_USER: &str = "alice";
pub const SEED_PASSWORD: &str = "Example-Passw0rd!";

/// The challenge Session lifetime of the seeded app client (Cognito's
/// default, 3 minutes), told to the sign-in so a stale challenge is
/// refused without a call.
pub const SEED_SESSION_VALIDITY: Duration = Duration::from_secs(3 * 60);

/// An in-memory pool as a Cognito that demands MFA: MFA ON with TOTP, so
/// the seeded user's first sign-in asks them to set up an authenticator
/// (MFA_SETUP); devices tracked, remembered on the person's request; an
/// app client for USER_SRP_AUTH; the seeded user.
pub struct Offline {
    pub pool: InMemoryPool,
    pub client_id: String,
    pub sign_in: SignIn,
    /// Checks the pool's ID tokens against its key set, handed over as
    /// JSON: offline, nothing to fetch.
    pub verifier: TokenVerifier,
}

impl Offline {
    /// `clock` is the pool's and the sign-in's time: the system clock when
    /// a person uses an authenticator app, a manual one in tests.
    pub fn seeded(clock: impl Clock + 'static) -> Result<Self, Error> {
        let pool = InMemoryPool::with_clock(clock);
        pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::On, true));
        // Device tracking, opt-in: a device is remembered only when the
        // person ticks "remember this device" (UpdateDeviceStatus), and a
        // remembered one skips the code (Cognito's "suppress MFA").
        pool.set_device_configuration(Some(DeviceConfiguration::new(true, true)));
        let client = pool.create_client(
            ClientOptions::new()
                .name("web-example")
                .explicit_auth_flows([AuthFlow::UserSrp, AuthFlow::RefreshToken])
                .auth_session_validity(SEED_SESSION_VALIDITY),
        )?;
        pool.create_user(SEED_USER, SEED_PASSWORD)?;
        pool.set_user_attribute(SEED_USER, "email", "alice@example.com")?;
        let sign_in = SignIn::public(pool.clone(), &client.client_id)
            .user_pool_id(pool.pool_id())
            .session_validity(SEED_SESSION_VALIDITY)
            .clock(pool.clock())
            .build()?;
        let verifier = TokenVerifier::builder(pool.pool_id(), [client.client_id.as_str()])
            .keys_from_json(pool.jwks_json())
            .clock(pool.clock())
            .build()?;
        Ok(Self {
            pool,
            client_id: client.client_id,
            sign_in,
            verifier,
        })
    }
}

/// Where the online backend is.
pub struct Online {
    pub user_pool_id: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// moto or the local endpoint; `None`: the standard AWS environment
    /// decides (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER too).
    pub endpoint_url: Option<String>,
}

impl Online {
    /// A public-client sign-in over the AWS SDK: region and credentials
    /// from the standard AWS environment, as the cognito-idp example does.
    /// The calls it makes (USER_SRP_AUTH, the challenges, GetUser and the
    /// enrollment with the access token) need no IAM credentials. The
    /// verifier expects Cognito's issuer for the pool; its key set comes
    /// from Cognito, or from the endpoint given (moto and the local endpoint
    /// serve it at `/{poolId}/.well-known/jwks.json`).
    pub async fn sign_in(self) -> Result<(SignIn, TokenVerifier), Error> {
        let mut verifier = TokenVerifier::builder(&self.user_pool_id, [self.client_id.as_str()]);
        if let Some(url) = &self.endpoint_url {
            verifier = verifier.jwks_url(format!(
                "{}/{}/.well-known/jwks.json",
                url.trim_end_matches('/'),
                self.user_pool_id
            ));
        }
        let verifier = verifier.build()?;
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(url) = &self.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let config = loader.load().await;
        let backend = SdkBackend::from_conf(&config);
        let mut builder = SignIn::public(backend, self.client_id).user_pool_id(self.user_pool_id);
        if let Some(secret) = self.client_secret {
            builder = builder.client_secret(ClientSecret::new(secret));
        }
        Ok((builder.build()?, verifier))
    }
}
