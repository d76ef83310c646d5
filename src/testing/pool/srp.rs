//! USER_SRP_AUTH: the pool as an SRP server, with the maths of
//! [`crate::srp`]. InitiateAuth answers PASSWORD_VERIFIER (SALT, SRP_B,
//! SECRET_BLOCK, USER_ID_FOR_SRP, USERNAME); RespondToAuthChallenge checks
//! the client's proof here, and a good one goes on as a right password does
//! ([`after_password`](super::challenges::after_password)).

use super::Inner;
use super::challenges::{Next, SessionStep, challenge_parameters};
use super::clients::ClientRecord;
use super::compare::same_secret;
use super::errors::{
    device_not_found, internal_error, invalid_parameter, missing_parameter, timestamp_format,
    user_not_found, wrong_password,
};
use super::locks::lock;
use super::random::random_base64;
use super::store::{BlockRecord, Fault};
use super::users::UserRecord;
use crate::backend::{AuthResponse, Parameters};
use crate::error::ServiceError;
use crate::secret::Session;
use crate::srp::{self, Salt, ServerEphemeral, Verifier};
use secrecy::SecretString;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How far TIMESTAMP may be from the pool's clock, either way. Cognito
/// documents no window; five minutes is the pool's choice (what AWS allows
/// a request signature's time).
const TIMESTAMP_WINDOW: Duration = Duration::from_secs(5 * 60);
/// SECRET_BLOCK's random bytes: Cognito's block is about 1.5 KB of base64.
const SECRET_BLOCK_BYTES: usize = 1024;

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A PASSWORD_VERIFIER in flight: the server's ephemeral (b, B and the
/// verifier they were drawn for), the client's A, and the SECRET_BLOCK sent.
/// It lives in the Session's record, so the Session names it and the block
/// must match it; one answer, right or wrong, spends it. `b` is zeroized on
/// drop and nothing here has a `Debug`.
pub(super) struct SrpExchange {
    server: ServerEphemeral,
    srp_a: String,
    secret_block: String,
}

impl SrpExchange {
    /// The SECRET_BLOCK sent.
    pub(super) fn secret_block(&self) -> &str {
        &self.secret_block
    }

    /// SALT, SRP_B and SECRET_BLOCK, for the challenge's parameters.
    pub(super) fn parameters(&self) -> [(String, String); 3] {
        [
            ("SALT".to_owned(), self.server.salt_hex()),
            ("SRP_B".to_owned(), self.server.public_hex()),
            ("SECRET_BLOCK".to_owned(), self.secret_block.clone()),
        ]
    }
}

impl Inner {
    /// The SRP verifier of `password` for the user named `username`, from a
    /// fresh random salt. The identity is the user name: what Cognito sends
    /// as USER_ID_FOR_SRP and proves the password over.
    pub(super) fn srp_verifier(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Verifier, ServiceError> {
        let pool_name = srp::pool_name(&self.pool_id).map_err(|_| internal_error())?;
        let salt = Salt::random().map_err(|_| internal_error())?;
        let password = SecretString::from(password.to_owned());
        srp::verifier_for_password(pool_name, username, &password, &salt)
            .map_err(|_| internal_error())
    }

    /// InitiateAuth or AdminInitiateAuth with USER_SRP_AUTH: USERNAME,
    /// SRP_A, and SECRET_HASH when the client has a secret.
    pub(super) fn srp_auth(
        &self,
        client: &ClientRecord,
        parameters: &Parameters,
        now: SystemTime,
    ) -> Result<AuthResponse, ServiceError> {
        let (srp_a, resolved) = self.first_factor(client, parameters, "SRP_A")?;
        if srp::check_client_public(srp_a).is_err() {
            // Checked before the user is looked up, as before.
            return Err(invalid_parameter("Invalid SRP_A value."));
        }
        let (username, user) = resolved.ok_or_else(user_not_found)?;
        let verifier = {
            let user = lock(&user);
            user.may_sign_in(parameters)?;
            user.srp.clone().ok_or_else(wrong_password)?
        };
        // B = k·v + g^b: the pool's share of the maths, outside the lock.
        let next = Next::Challenge(password_verifier(&verifier, srp_a)?);
        let params = challenge_parameters(&lock(&user), &next, self.config());
        Ok(self.answer(next, params, &username, client, parameters, now))
    }

    /// Files a PASSWORD_VERIFIER's Session under its SECRET_BLOCK: Cognito
    /// finds an answer by its secret block, and a client may send it
    /// without the Session (pycognito does).
    pub(super) fn file_secret_block(
        &self,
        block: String,
        session: &Session,
        validity: Duration,
        now: SystemTime,
    ) {
        self.srp_blocks.insert(
            block,
            BlockRecord {
                session: session.expose_secret().to_owned(),
                expires_at: now + validity,
            },
            now,
        );
    }

    /// The Session of the PASSWORD_VERIFIER whose SECRET_BLOCK an answer
    /// without a Session claims, once.
    pub(super) fn session_of_block(&self, block: &str) -> Option<Session> {
        self.srp_blocks
            .take(block)
            .map(|record| Session::new(record.session))
    }

    /// Checks PASSWORD_VERIFIER's answer against the exchange its Session
    /// holds (see [`claim_holds`]). A missing parameter or a TIMESTAMP that
    /// does not parse at all leaves the Session usable; anything else
    /// refused is a wrong password, as on Cognito (it counts toward the
    /// lockout), and ends the sign-in.
    pub(super) fn check_password_claim(
        &self,
        exchange: &SrpExchange,
        user: &mut UserRecord,
        responses: &Parameters,
        now: SystemTime,
    ) -> Result<(), Fault> {
        let claim = Claim::read(responses)?;
        let pool_name = srp::pool_name(&self.pool_id).map_err(|_| Fault::end(internal_error()))?;
        user.password_attempt(now, |user| {
            claim.holds(exchange, pool_name, &user.username, now)
        })
        .map_err(Fault::end)
    }

    /// DEVICE_SRP_AUTH's answer: the device's DEVICE_KEY and a fresh SRP_A,
    /// answered with DEVICE_PASSWORD_VERIFIER against the verifier
    /// ConfirmDevice registered.
    pub(super) fn device_srp(
        &self,
        user: &UserRecord,
        device_key: &str,
        responses: &Parameters,
    ) -> Result<SessionStep, Fault> {
        let sent = responses
            .get("DEVICE_KEY")
            .ok_or_else(|| missing_parameter("DEVICE_KEY"))?;
        let srp_a = responses
            .get("SRP_A")
            .ok_or_else(|| missing_parameter("SRP_A"))?;
        if sent != device_key {
            // Undocumented: the challenge was issued for one device.
            return Err(Fault::end(device_not_found()));
        }
        if srp::check_client_public(srp_a).is_err() {
            return Err(Fault::end(invalid_parameter("Invalid SRP_A value.")));
        }
        let verifier = user
            .device(device_key)
            .and_then(|d| d.verifier.as_ref())
            .ok_or_else(|| Fault::end(device_not_found()))?;
        let server =
            ServerEphemeral::generate(verifier).map_err(|_| Fault::end(internal_error()))?;
        Ok(SessionStep::DevicePasswordVerifier {
            exchange: Box::new(SrpExchange {
                server,
                srp_a: srp_a.to_owned(),
                secret_block: random_base64(SECRET_BLOCK_BYTES),
            }),
            device_key: device_key.to_owned(),
        })
    }

    /// DEVICE_PASSWORD_VERIFIER's answer: the same proof as a password's,
    /// with the DeviceGroupKey for the pool's name, the DeviceKey for the
    /// user and the device password for the password. A wrong proof ends
    /// the sign-in as a wrong password does (undocumented: Cognito's
    /// message for it is not published), without counting toward the
    /// user's lockout.
    pub(super) fn check_device_claim(
        &self,
        exchange: &SrpExchange,
        device_key: &str,
        user: &mut UserRecord,
        responses: &Parameters,
        now: SystemTime,
    ) -> Result<(), Fault> {
        let claim = Claim::read(responses)?;
        if responses.get("DEVICE_KEY") != Some(device_key) {
            return Err(Fault::end(device_not_found()));
        }
        let group = user.device_group_key.clone().unwrap_or_default();
        if !claim.holds(exchange, &group, device_key, now) {
            return Err(Fault::end(wrong_password()));
        }
        if let Some(device) = user.device_mut(device_key) {
            device.last_authenticated = Some(now);
        }
        Ok(())
    }
}

/// PASSWORD_VERIFIER for a client's SRP_A against the user's verifier:
/// B = k·v + g^b and a fresh SECRET_BLOCK.
pub(super) fn password_verifier(
    verifier: &Verifier,
    srp_a: &str,
) -> Result<SessionStep, ServiceError> {
    if srp::check_client_public(srp_a).is_err() {
        // Undocumented message; not hex, over 3072 bits, or A ≡ 0 (mod N).
        return Err(invalid_parameter("Invalid SRP_A value."));
    }
    let server = ServerEphemeral::generate(verifier).map_err(|_| internal_error())?;
    Ok(SessionStep::PasswordVerifier(Box::new(SrpExchange {
        server,
        srp_a: srp_a.to_owned(),
        secret_block: random_base64(SECRET_BLOCK_BYTES),
    })))
}

/// A PASSWORD_VERIFIER or DEVICE_PASSWORD_VERIFIER answer's three values.
struct Claim<'a> {
    block: &'a str,
    signature: &'a str,
    timestamp: &'a str,
    signed_at: SystemTime,
}

impl<'a> Claim<'a> {
    /// Reads the answer; a missing value or a TIMESTAMP that does not
    /// parse leaves the Session usable.
    fn read(responses: &'a Parameters) -> Result<Self, Fault> {
        let required = |name: &str| responses.get(name).ok_or_else(|| missing_parameter(name));
        let block = required("PASSWORD_CLAIM_SECRET_BLOCK")?;
        let signature = required("PASSWORD_CLAIM_SIGNATURE")?;
        let timestamp = required("TIMESTAMP")?;
        let signed_at = parse_timestamp(timestamp).ok_or_else(timestamp_format)?;
        Ok(Self {
            block,
            signature,
            timestamp,
            signed_at,
        })
    }

    /// PASSWORD_CLAIM_SECRET_BLOCK is the block sent; TIMESTAMP is in the
    /// exact format (`EEE MMM d HH:mm:ss 'UTC' yyyy`: the text the time it
    /// reads as is written in) and within [`TIMESTAMP_WINDOW`] of the
    /// pool's clock; PASSWORD_CLAIM_SIGNATURE verifies, in constant time,
    /// over `realm` and `identity`.
    fn holds(&self, exchange: &SrpExchange, realm: &str, identity: &str, now: SystemTime) -> bool {
        let skew = now
            .duration_since(self.signed_at)
            .unwrap_or_else(|early| early.duration());
        // A zero-padded day or a wrong weekday reads, but is not the exact
        // text: Cognito answers those as a wrong password.
        srp::timestamp(self.signed_at) == self.timestamp
            && skew <= TIMESTAMP_WINDOW
            && same_secret(self.block, &exchange.secret_block)
            && exchange
                .server
                .verify_claim(
                    &exchange.srp_a,
                    realm,
                    identity,
                    &exchange.secret_block,
                    self.timestamp,
                    self.signature,
                )
                .is_ok()
    }
}

/// TIMESTAMP read as Cognito reads `EEE MMM d HH:mm:ss z yyyy`, as far as
/// the pool models it: English names, single spaces, a day of one or two
/// digits, a real date, UTC. The weekday must be a weekday's name but is not
/// checked against the date here: like a zero-padded day, a wrong one reads,
/// and the caller refuses it for not being the exact text.
fn parse_timestamp(text: &str) -> Option<SystemTime> {
    let mut fields = text.split(' ');
    let (weekday, month, day, time, zone, year) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if fields.next().is_some() || !WEEKDAYS.contains(&weekday) || zone != "UTC" {
        return None;
    }
    let month = i64::try_from(MONTHS.iter().position(|m| *m == month)?).ok()? + 1;
    let day = number(day, 1..=2)?;
    let year = number(year, 4..=4)?;
    let mut clock = time.split(':');
    let (hours, minutes, seconds) = (
        number(clock.next()?, 2..=2)?,
        number(clock.next()?, 2..=2)?,
        number(clock.next()?, 2..=2)?,
    );
    if clock.next().is_some()
        || hours > 23
        || minutes > 59
        || seconds > 59
        || !(1..=days_in_month(year, month)).contains(&day)
    {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + hours * 3600 + minutes * 60 + seconds;
    match u64::try_from(secs) {
        Ok(after) => UNIX_EPOCH.checked_add(Duration::from_secs(after)),
        Err(_) => UNIX_EPOCH.checked_sub(Duration::from_secs(secs.unsigned_abs())),
    }
}

/// An unsigned decimal of `digits` digits (at most four: no overflow).
fn number(text: &str, digits: std::ops::RangeInclusive<usize>) -> Option<i64> {
    if !digits.contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// (year, month 1..=12, day) → days since 1970-01-01, proleptic Gregorian
/// (H. Hinnant's `days_from_civil`, the inverse of the one TIMESTAMP is
/// written with).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400); // [0, 399]
    let mp = (month + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + day - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::backend::{
        Api, AuthFlow, ChallengeName, CognitoBackend, InitiateAuthRequest,
        RespondToAuthChallengeRequest,
    };
    use crate::error::Error;
    use crate::srp::{ClientEphemeral, VerifierChallenge};
    use crate::testing::{ClientOptions, InMemoryPool, ManualClock};

    /// One SRP sign-in by a raw client: this crate's maths, over the inputs
    /// the test picks (realm, identity, password, TIMESTAMP text signed and
    /// sent).
    async fn raw_sign_in(
        pool: &InMemoryPool,
        client_id: &str,
        realm: &str,
        identity: &str,
        password: &str,
        timestamp: &str,
    ) -> Result<AuthResponse, Error> {
        let client = ClientEphemeral::generate().unwrap();
        let initiate = InitiateAuthRequest::new(
            Api::Public,
            client_id,
            AuthFlow::UserSrp,
            Parameters::new()
                .with("USERNAME", "alice")
                .with("SRP_A", client.public_hex()),
        );
        let verifier = pool.initiate_auth(initiate).await.unwrap();
        let p = &verifier.parameters;
        let block = p["SECRET_BLOCK"].clone();
        let challenge = VerifierChallenge {
            salt_hex: &p["SALT"],
            srp_b_hex: &p["SRP_B"],
            secret_block: &block,
        };
        let password = SecretString::from(password.to_owned());
        let signature = client
            .password_claim(realm, identity, &password, &challenge, timestamp)
            .unwrap();
        let answer = RespondToAuthChallengeRequest::new(
            Api::Public,
            client_id,
            ChallengeName::PasswordVerifier,
            verifier.session,
            Parameters::new()
                .with("USERNAME", "alice")
                .with("PASSWORD_CLAIM_SECRET_BLOCK", block)
                .with("PASSWORD_CLAIM_SIGNATURE", signature)
                .with("TIMESTAMP", timestamp),
        );
        pool.respond_to_auth_challenge(answer).await
    }

    /// Only Cognito's transcript proves the password: a client that signs
    /// (and sends) a zero-padded day or a wrong weekday, proves over the
    /// whole pool id or another identity, or hashes another password, is
    /// told "Incorrect username or password.".
    #[tokio::test]
    async fn only_cognitos_transcript_proves_the_password() {
        let dec_1 = UNIX_EPOCH + Duration::from_secs(1_796_089_570);
        let pool = InMemoryPool::with_clock(ManualClock::new(dec_1));
        let client = pool.create_client(ClientOptions::new()).unwrap();
        pool.create_user("alice", "correct horse").unwrap();
        let (id, name) = (pool.pool_id(), srp::pool_name(pool.pool_id()).unwrap());
        let canonical = srp::timestamp(dec_1);
        assert_eq!(canonical, "Tue Dec 1 01:46:10 UTC 2026");
        let cases = [
            (name, "alice", "correct horse", canonical.as_str(), true),
            (
                name,
                "alice",
                "correct horse",
                "Tue Dec 01 01:46:10 UTC 2026",
                false,
            ),
            (
                name,
                "alice",
                "correct horse",
                "Wed Dec 1 01:46:10 UTC 2026",
                false,
            ),
            (id, "alice", "correct horse", canonical.as_str(), false),
            (name, "Alice", "correct horse", canonical.as_str(), false),
            (name, "alice", "correct horse ", canonical.as_str(), false),
        ];
        for (realm, identity, password, timestamp, proves) in cases {
            let result = raw_sign_in(
                &pool,
                &client.client_id,
                realm,
                identity,
                password,
                timestamp,
            )
            .await;
            match (proves, result) {
                (true, Ok(answer)) => assert!(answer.tokens.is_some()),
                (false, Err(Error::WrongCredentials)) => {}
                (_, other) => panic!("{realm} {identity} {timestamp}: {other:?}"),
            }
        }
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn timestamps_read_back_to_the_second_they_were_written() {
        let mut secs = 0u64;
        // Every day from 1970 to past 2100 (a leap-year gap), at an odd time.
        while secs < 4_200_000_000 {
            let t = at(secs + 3_723);
            assert_eq!(parse_timestamp(&srp::timestamp(t)), Some(t), "{secs}");
            secs += 86_400;
        }
        let before = UNIX_EPOCH - Duration::from_secs(2_203_891_199);
        assert_eq!(parse_timestamp("Thu Mar 1 00:00:01 UTC 1900"), Some(before));
        assert_eq!(
            parse_timestamp("Fri Dec 31 23:59:59 UTC 9999"),
            Some(at(253_402_300_799))
        );
    }

    #[test]
    fn a_padded_day_or_wrong_weekday_reads_but_is_not_canonical() {
        let dec_1 = at(1_796_089_570);
        for text in [
            "Tue Dec 01 01:46:10 UTC 2026",
            "Mon Dec 1 01:46:10 UTC 2026",
        ] {
            let read = parse_timestamp(text).unwrap();
            assert_eq!(read, dec_1, "{text}");
            assert_ne!(srp::timestamp(read), text);
        }
    }

    #[test]
    fn what_does_not_parse() {
        for text in [
            "",
            "Thu Dec 10 09:05:03 UTC",
            "Thu Dec 10 09:05:03 UTC 2026 ",
            "Thu Dec  10 09:05:03 UTC 2026",
            "Thu Dec 10 9:05:03 UTC 2026",
            "Thu Dec 10 09:05 UTC 2026",
            "Thu Dec 10 09:05:03:00 UTC 2026",
            "Thu Dec 10 24:00:00 UTC 2026",
            "Thu Dec 10 09:60:03 UTC 2026",
            "Thu Dec 32 09:05:03 UTC 2026",
            "Thu Dec 0 09:05:03 UTC 2026",
            "Thu Dec 100 09:05:03 UTC 2026",
            "Thu Feb 29 09:05:03 UTC 2026",
            "Thu Dec 10 09:05:03 GMT 2026",
            "Thu Dec 10 09:05:03 +0000 2026",
            "thu dec 10 09:05:03 UTC 2026",
            "Thursday Dec 10 09:05:03 UTC 2026",
            "Thu December 10 09:05:03 UTC 2026",
            "Thu Dez 10 09:05:03 UTC 2026",
            "Thu Dec +1 09:05:03 UTC 2026",
            "Thu Dec 10 09:05:03 UTC 26",
            "2026-12-10T09:05:03Z",
        ] {
            assert_eq!(parse_timestamp(text), None, "{text:?}");
        }
        assert!(parse_timestamp("Mon Feb 29 09:05:03 UTC 2028").is_some());
    }
}
