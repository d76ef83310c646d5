//! The server side of Cognito's SRP, for the in-memory pool (feature
//! `test-util`): a verifier per password, B, and the check of a client's
//! claim.

use super::*;

/// A salt as the server keeps and sends it (`SALT`): a signed integer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Salt(pub(super) SignedInt);

impl Salt {
    /// 16 random bytes read as a non-negative integer.
    pub(crate) fn random() -> Result<Self, SrpError> {
        let mut raw = [0u8; 16];
        random_bytes(&mut raw)?;
        Ok(Self::from_unsigned_bytes(&raw))
    }

    /// An unsigned big-endian integer.
    pub(crate) fn from_unsigned_bytes(bytes: &[u8]) -> Self {
        Self(SignedInt::from_unsigned(bytes))
    }

    /// A signed hex integer, as in `SALT` (`-16e4…` is negative).
    #[cfg_attr(not(test), allow(dead_code, reason = "known-answer tests only"))]
    pub(crate) fn from_hex(hex: &str) -> Result<Self, SrpError> {
        SignedInt::parse_hex("SALT", hex).map(Self)
    }

    /// The `SALT` challenge parameter: lowercase hex like Java's
    /// `BigInteger.toString(16)` (minimal, `-` for negative values).
    pub(crate) fn to_hex(&self) -> String {
        self.0.to_hex()
    }
}

/// What the server stores for a user or a device: the salt and v = g^x mod N.
#[derive(Clone)]
pub(crate) struct Verifier {
    salt: Salt,
    /// pad(v), 1 ≤ v < N
    v: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("salt", &self.salt.to_hex())
            .field("v", &"<redacted>")
            .finish()
    }
}

/// The verifier for a user's password, as Cognito stores it at sign-up.
pub(crate) fn verifier_for_password(
    pool_name: &str,
    user_id_for_srp: &str,
    password: &SecretString,
    salt: &Salt,
) -> Result<Verifier, SrpError> {
    let v = verifier_pad(
        &salt.0.pad(),
        pool_name,
        user_id_for_srp,
        password.expose_secret().as_bytes(),
    )?;
    Ok(Verifier {
        salt: salt.clone(),
        v,
    })
}

/// Checks a client's `SRP_A` as the server receives it at InitiateAuth: a
/// hex integer of at most 3072 bits, not ≡ 0 (mod N) (SRP-6a's safeguard: a
/// client sending A ≡ 0 would force S = 0 and "prove" any password).
/// [`ServerEphemeral::verify_claim`] checks the same again.
pub(crate) fn check_client_public(srp_a_hex: &str) -> Result<(), SrpError> {
    let big_a = SignedInt::parse_hex("SRP_A", srp_a_hex)?;
    let group = bn::Group::new()?;
    if group.reduce(&big_a.to_num()?)?.is_zero() {
        return Err(SrpError::ClientPublicZero);
    }
    Ok(())
}

impl Verifier {
    /// The verifier a client registered with ConfirmDevice
    /// (`PasswordVerifier`, `Salt`: base64 of Java-style signed big-endian bytes).
    pub(crate) fn from_device_config(
        password_verifier: &str,
        salt: &str,
    ) -> Result<Self, SrpError> {
        let v = Zeroizing::new(BASE64.decode(password_verifier).map_err(|_| {
            SrpError::InvalidBase64 {
                field: "PasswordVerifier",
            }
        })?);
        let salt = BASE64
            .decode(salt)
            .map_err(|_| SrpError::InvalidBase64 { field: "Salt" })?;
        let v = SignedInt::from_twos_complement(&v);
        let group = bn::Group::new()?;
        let v_num = v.to_num()?;
        if v.negative || v_num.is_zero() || !group.is_reduced(&v_num) {
            return Err(SrpError::InvalidVerifier);
        }
        Ok(Self {
            salt: Salt(SignedInt::from_twos_complement(&salt)),
            v: v.pad(),
        })
    }

    /// The salt (`SALT` is `self.salt().to_hex()`).
    #[cfg_attr(not(test), allow(dead_code, reason = "tests only"))]
    pub(crate) fn salt(&self) -> &Salt {
        &self.salt
    }
}

/// The server's one-shot secret `b` and public `B = (k·v + g^b) mod N`.
pub(crate) struct ServerEphemeral {
    b: Zeroizing<Vec<u8>>,
    /// pad(B)
    big_b: Vec<u8>,
    verifier: Verifier,
}

impl fmt::Debug for ServerEphemeral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerEphemeral")
            .field("b", &"<redacted>")
            .field("B_bits", &(self.big_b.len() * 8))
            .finish()
    }
}

impl ServerEphemeral {
    /// Draws `b` and computes B for this verifier.
    pub(crate) fn generate(verifier: &Verifier) -> Result<Self, SrpError> {
        for _ in 0..4 {
            let mut b = Zeroizing::new(vec![0u8; EPHEMERAL_SECRET_BYTES]);
            random_bytes(&mut b)?;
            match Self::with_secret(verifier, b) {
                Err(SrpError::DegenerateSecret) => continue,
                other => return other,
            }
        }
        Err(SrpError::Random)
    }

    /// A fixed `b`, for tests.
    #[cfg_attr(not(test), allow(dead_code, reason = "tests only"))]
    pub(crate) fn from_secret_bytes(verifier: &Verifier, b: &[u8]) -> Result<Self, SrpError> {
        Self::with_secret(verifier, Zeroizing::new(b.to_vec()))
    }

    fn with_secret(verifier: &Verifier, b: Zeroizing<Vec<u8>>) -> Result<Self, SrpError> {
        if b.iter().all(|&x| x == 0) {
            return Err(SrpError::DegenerateSecret);
        }
        let group = bn::Group::new()?;
        let v = bn::Num::from_be_bytes(&verifier.v)?;
        let g_b = group.pow(group.generator(), &bn::Num::from_be_bytes(&b)?)?;
        let big_b = group.add(&group.mul(&group.k()?, &v)?, &g_b)?;
        if big_b.is_zero() {
            return Err(SrpError::DegenerateSecret);
        }
        Ok(Self {
            b,
            big_b: pad_unsigned(&big_b.to_be_bytes()?).to_vec(),
            verifier: verifier.clone(),
        })
    }

    /// `SRP_B`: lowercase hex of B without padding.
    pub(crate) fn public_hex(&self) -> String {
        hex_minimal(&self.big_b)
    }

    /// `SALT` for the challenge.
    pub(crate) fn salt_hex(&self) -> String {
        self.verifier.salt.to_hex()
    }

    /// Checks a PASSWORD_CLAIM_SIGNATURE: S = (A·v^u)^b mod N, the same key
    /// derivation, and a constant-time comparison of the HMAC.
    /// `realm`/`identity` are (pool name, USER_ID_FOR_SRP) or
    /// (DeviceGroupKey, DeviceKey); `secret_block` is the block the server sent.
    pub(crate) fn verify_claim(
        &self,
        srp_a_hex: &str,
        realm: &str,
        identity: &str,
        secret_block: &str,
        timestamp: &str,
        signature_b64: &str,
    ) -> Result<(), SrpError> {
        let big_a = SignedInt::parse_hex("SRP_A", srp_a_hex)?;
        let group = bn::Group::new()?;
        let a_mod_n = group.reduce(&big_a.to_num()?)?;
        if a_mod_n.is_zero() {
            return Err(SrpError::ClientPublicZero);
        }
        let u = scrambler(&big_a.pad(), &self.big_b)?;
        let v = bn::Num::from_be_bytes(&self.verifier.v)?;
        let v_u = group.pow(&v, &bn::Num::from_be_bytes(&u)?)?;
        let base = group.mul(&a_mod_n, &v_u)?;
        let s = group.pow(&base, &bn::Num::from_be_bytes(&self.b)?)?;
        let key = derive_key(&u, &s)?;
        let block = secret_block_bytes(secret_block)?;
        let signature = BASE64
            .decode(signature_b64)
            .map_err(|_| SrpError::InvalidBase64 {
                field: "PASSWORD_CLAIM_SIGNATURE",
            })?;
        mac(&key, realm, identity, &block, timestamp)?
            .verify_slice(&signature)
            .map_err(|_| SrpError::SignatureMismatch)
    }
}
