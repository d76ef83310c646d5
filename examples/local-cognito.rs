//! A local Cognito endpoint: the crate's in-memory user pool over HTTP, in
//! Cognito's JSON protocol, for any AWS SDK, boto3 or the AWS CLI.
//!
//! ```text
//! cargo run --example local-cognito --features local-endpoint -- --port 9229 --seed
//! aws --endpoint-url http://127.0.0.1:9229 --region us-east-1 cognito-idp \
//!     admin-initiate-auth --user-pool-id POOL --client-id CLIENT \
//!     --auth-flow ADMIN_USER_PASSWORD_AUTH --auth-parameters USERNAME=alice,PASSWORD=...
//! ```
//!
//! Like moto, it checks no AWS credentials or signatures (any will do), so
//! it listens on 127.0.0.1 only. Stop it with Ctrl-C; its pools live in
//! memory and go with it.

use clap::Parser;
use cognito_mfa::backend::{PoolMfaConfig, PoolMfaMode};
use cognito_mfa::testing::{ClientOptions, LocalCognito};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The in-memory Cognito user pool over HTTP.
#[derive(Parser)]
struct Args {
    /// The port on 127.0.0.1 (0: a free one).
    #[arg(long, default_value_t = 9229)]
    port: u16,
    /// Create a pool (MFA OPTIONAL, TOTP on), an app client and a user, and
    /// print their ids and the user's password.
    #[arg(long)]
    seed: bool,
}

const SEED_USER: &str = "alice";
const SEED_PASSWORD: &str = "Passw0rd-1!";

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let server = LocalCognito::builder().port(args.port).start().await?;
    println!("endpoint      {}", server.endpoint());
    println!("credentials   none checked (any access key, any region)");
    if args.seed {
        let pool = server.create_pool("seed");
        pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true));
        let client = pool.create_client(ClientOptions::new().name("seed-client"))?;
        pool.create_user(SEED_USER, SEED_PASSWORD)?;
        println!("user pool id  {}", pool.pool_id());
        println!("client id     {}", client.client_id);
        println!(
            "user          {SEED_USER} / {SEED_PASSWORD} (a demo password, printed on purpose)"
        );
    }
    tokio::signal::ctrl_c().await?;
    Ok(())
}
