//! The SRP maths against the known answers in the notes, and its edge cases.

use super::*;
use std::time::Duration;

const KA_SECRET_BLOCK: &str = "9ae77ec7154c14dcc487b47707fee4b4920cb96d8a8c045e4c8df879a7b375524aa736acdec6c9ad4ea606774d00621b";
const KA_TIMESTAMP: &str = "Mon Feb 10 18:30:12 UTC 2025";

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

fn known_answer(salt_hex: &str, srp_b_hex: &str) -> String {
    let client = ClientEphemeral::from_secret_bytes(&[1u8; 128]).unwrap();
    let challenge = VerifierChallenge {
        salt_hex,
        srp_b_hex,
        secret_block: KA_SECRET_BLOCK,
    };
    client
        .password_claim(
            pool_name("us-west-2_abc").unwrap(),
            "user_id",
            &secret("password"),
            &challenge,
            KA_TIMESTAMP,
        )
        .unwrap()
}

#[test]
fn k_is_cognitos() {
    let group = bn::Group::new().unwrap();
    assert_eq!(
        hex_minimal(&group.k().unwrap().to_be_bytes().unwrap()),
        "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
    );
}

#[test]
fn known_answer_short_b_and_salt() {
    let v = "36ef01c6dde9fe503da333b1acc758ba";
    assert_eq!(
        known_answer(v, v),
        "apNSb5GZpJciVc6cVNkDf4elCMoWUZcH4aukLlMPiFA="
    );
}

#[test]
fn known_answer_top_bits_set() {
    let b = format!("f0{}", "ab".repeat(383));
    let salt = format!("8{}", "1".repeat(31));
    assert_eq!(
        known_answer(&salt, &b),
        "uY4eKDy279JOj70vkOXRC+OM93ihj6G6TjyMzVVwuAg="
    );
    // Hex case and leading zeros do not change the numbers.
    assert_eq!(
        known_answer(&format!("000{}", salt.to_uppercase()), &format!("0{b}")),
        "uY4eKDy279JOj70vkOXRC+OM93ihj6G6TjyMzVVwuAg="
    );
}

#[test]
fn device_verifier_sample() {
    let mut salt = [0x11u8; 16];
    salt[0] = 0x80;
    let password = secret(&BASE64.encode([0u8; 40]));
    let config = device_verifier(
        "-Abc123",
        "us-west-2_00000000-1111-2222-3333-444444444444",
        &password,
        &salt,
    )
    .unwrap();
    assert_eq!(config.salt, "AIARERERERERERERERERERE=");
    assert!(
        config
            .password_verifier
            .starts_with("ANY705+GO9a+lhzPXJf89CWgV0sCgl/uUGo/bNBv6HvA"),
        "{}",
        config.password_verifier
    );
    assert_eq!(BASE64.decode(&config.password_verifier).unwrap().len(), 385);
}

#[test]
fn public_a_is_unpadded_lowercase_hex() {
    let client = ClientEphemeral::from_secret_bytes(&[1u8; 128]).unwrap();
    let hex = client.public_hex();
    assert!(!hex.starts_with('0'));
    assert!(
        hex.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    );
    // g^1 = 2
    assert_eq!(
        ClientEphemeral::from_secret_bytes(&[1])
            .unwrap()
            .public_hex(),
        "2"
    );
    // a generated one is a fresh 384-bit exponent with a non-trivial A
    let a = ClientEphemeral::generate().unwrap();
    let b = ClientEphemeral::generate().unwrap();
    assert_eq!(a.a.len(), EPHEMERAL_SECRET_BYTES);
    assert_ne!(a.public_hex(), b.public_hex());
    assert!(a.public_hex().len() > 700);
}

#[test]
fn zero_secret_exponent_is_refused() {
    assert_eq!(
        ClientEphemeral::from_secret_bytes(&[0; 48]).unwrap_err(),
        SrpError::DegenerateSecret
    );
}

fn user_server(password: &str, salt: &Salt) -> ServerEphemeral {
    let verifier = verifier_for_password("AbCdEf", "sub-123", &secret(password), salt).unwrap();
    ServerEphemeral::generate(&verifier).unwrap()
}

fn user_claim(server: &ServerEphemeral, password: &str, block: &str, ts: &str) -> String {
    let client = ClientEphemeral::generate().unwrap();
    let a_hex = client.public_hex();
    let (salt_hex, b_hex) = (server.salt_hex(), server.public_hex());
    let challenge = VerifierChallenge {
        salt_hex: &salt_hex,
        srp_b_hex: &b_hex,
        secret_block: block,
    };
    let sig = client
        .password_claim("AbCdEf", "sub-123", &secret(password), &challenge, ts)
        .unwrap();
    // stash A in the signature string for the caller
    format!("{a_hex} {sig}")
}

fn check(server: &ServerEphemeral, claim: &str, block: &str, ts: &str) -> Result<(), SrpError> {
    let (a_hex, sig) = claim.split_once(' ').unwrap();
    server.verify_claim(a_hex, "AbCdEf", "sub-123", block, ts, sig)
}

#[test]
fn round_trip_against_the_server() {
    let block = BASE64.encode([7u8; 300]);
    let ts = timestamp(UNIX_EPOCH + Duration::from_secs(1_796_893_503));
    for password in ["correct horse", "pässwörd €🔑", ""] {
        let server = user_server(password, &Salt::random().unwrap());
        let claim = user_claim(&server, password, &block, &ts);
        assert_eq!(check(&server, &claim, &block, &ts), Ok(()));
    }
}

#[test]
fn wrong_password_or_transcript_fails() {
    let block = BASE64.encode([7u8; 300]);
    let ts = "Thu Dec 10 09:05:03 UTC 2026";
    let server = user_server("right", &Salt::random().unwrap());
    let claim = user_claim(&server, "wrong", &block, ts);
    assert_eq!(
        check(&server, &claim, &block, ts),
        Err(SrpError::SignatureMismatch)
    );
    let claim = user_claim(&server, "right", &block, ts);
    assert_eq!(check(&server, &claim, &block, ts), Ok(()));
    // a zero-padded day signs a different TIMESTAMP
    assert_eq!(
        check(&server, &claim, &block, "Thu Dec 010 09:05:03 UTC 2026"),
        Err(SrpError::SignatureMismatch)
    );
    let other_block = BASE64.encode([8u8; 300]);
    assert_eq!(
        check(&server, &claim, &other_block, ts),
        Err(SrpError::SignatureMismatch)
    );
    let (a_hex, sig) = claim.split_once(' ').unwrap();
    assert_eq!(
        server.verify_claim(a_hex, "Other", "sub-123", &block, ts, sig),
        Err(SrpError::SignatureMismatch)
    );
    assert_eq!(
        server.verify_claim(a_hex, "AbCdEf", "sub-123", &block, ts, "not base64!"),
        Err(SrpError::InvalidBase64 {
            field: "PASSWORD_CLAIM_SIGNATURE"
        })
    );
}

/// A client with RFC 5054's k (g padded to |N|), as RustCrypto's `srp`
/// computes it, is refused by the server.
#[test]
fn rfc5054_k_client_fails() {
    let block = BASE64.encode([1u8; 64]);
    let ts = "Thu Dec 10 09:05:03 UTC 2026";
    let salt = Salt::random().unwrap();
    let server = user_server("pw", &salt);
    let client = ClientEphemeral::generate().unwrap();
    let group = bn::Group::new().unwrap();
    let mut g_padded = [0u8; 384];
    g_padded[383] = G;
    let n = SignedInt::parse_hex("N", N_HEX).unwrap();
    let mut h = Sha256::new();
    h.update(n.pad().as_slice());
    h.update(g_padded);
    let wrong_k = bn::Num::from_be_bytes(&h.finalize()).unwrap();
    let b = SignedInt::parse_hex("SRP_B", &server.public_hex()).unwrap();
    let x = compute_x(&salt.0.pad(), "AbCdEf", "sub-123", b"pw");
    let good_k = group.k().unwrap();
    for (k, expect) in [
        (good_k, Ok(())),
        (wrong_k, Err(SrpError::SignatureMismatch)),
    ] {
        let key = client_key(&group, &k, &client.a, &client.big_a, &b, &x).unwrap();
        let sig = sign(
            &key,
            "AbCdEf",
            "sub-123",
            &BASE64.decode(&block).unwrap(),
            ts,
        )
        .unwrap();
        assert_eq!(
            server.verify_claim(&client.public_hex(), "AbCdEf", "sub-123", &block, ts, &sig),
            expect
        );
    }
}

#[test]
fn device_round_trip() {
    let password = generate_device_password().unwrap();
    assert_eq!(BASE64.decode(password.expose_secret()).unwrap().len(), 40);
    let salt = generate_device_salt().unwrap();
    let (group_key, device_key) = ("-Grp_1", "us-east-1_5f3c2a8e-0000-4000-8000-000000000001");
    let config = device_verifier(group_key, device_key, &password, &salt).unwrap();
    let verifier = Verifier::from_device_config(&config.password_verifier, &config.salt).unwrap();
    let server = ServerEphemeral::generate(&verifier).unwrap();
    let (salt_hex, b_hex) = (server.salt_hex(), server.public_hex());
    let block = BASE64.encode(b"device block");
    let ts = timestamp(UNIX_EPOCH + Duration::from_secs(1_796_893_503));
    let challenge = VerifierChallenge {
        salt_hex: &salt_hex,
        srp_b_hex: &b_hex,
        secret_block: &block,
    };
    for (pw, expect) in [
        (password.expose_secret().to_owned(), Ok(())),
        (BASE64.encode([9u8; 40]), Err(SrpError::SignatureMismatch)),
    ] {
        let client = ClientEphemeral::generate().unwrap();
        let a_hex = client.public_hex();
        let sig = client
            .device_claim(group_key, device_key, &secret(&pw), &challenge, &ts)
            .unwrap();
        assert_eq!(
            server.verify_claim(&a_hex, group_key, device_key, &block, &ts, &sig),
            expect
        );
    }
}

#[test]
fn negative_salt_is_twos_complement() {
    let cases = [
        ("-1", "ff"),
        ("-80", "80"),
        ("-81", "ff7f"),
        ("-ff", "ff01"),
        ("-100", "ff00"),
        ("-8000", "8000"),
        ("-8001", "ff7fff"),
        ("-16e4", "e91c"),
        ("-0", "00"),
        ("0", "00"),
        ("7f", "7f"),
        ("80", "0080"),
        ("abc", "0abc"),
        ("ABC", "0abc"),
    ];
    for (hex, padded) in cases {
        let v = SignedInt::parse_hex("SALT", hex).unwrap();
        assert_eq!(
            hex_minimal(&v.pad()).trim_start_matches('0'),
            padded.trim_start_matches('0'),
            "{hex}"
        );
        assert_eq!(v.pad().len(), padded.len() / 2, "{hex}");
        assert_eq!(SignedInt::from_twos_complement(&v.pad()), v, "{hex}");
    }
    // A user whose SALT is negative signs in against a server that keeps it.
    let salt = Salt::from_hex("-16e48ee8d8e3e1a04ee2f0d1a2b3c4d5").unwrap();
    assert_eq!(salt.to_hex(), "-16e48ee8d8e3e1a04ee2f0d1a2b3c4d5");
    let server = user_server("pw", &salt);
    assert!(server.salt_hex().starts_with('-'));
    let block = BASE64.encode([3u8; 10]);
    let claim = user_claim(&server, "pw", &block, KA_TIMESTAMP);
    assert_eq!(check(&server, &claim, &block, KA_TIMESTAMP), Ok(()));
}

#[test]
fn odd_length_hex() {
    let v = "36ef01c6dde9fe503da333b1acc758ba";
    let odd_b = format!("{}{v}", "5");
    let a = known_answer("6ef01c6dde9fe503da333b1acc758ba", &odd_b);
    let b = known_answer("06ef01c6dde9fe503da333b1acc758ba", &format!("0{odd_b}"));
    assert_eq!(a, b);
}

#[test]
fn bad_hex_is_refused_with_the_field_name() {
    let client = || ClientEphemeral::from_secret_bytes(&[1u8; 32]).unwrap();
    let claim = |salt: &str, b: &str| {
        client().password_claim(
            "abc",
            "u",
            &secret("p"),
            &VerifierChallenge {
                salt_hex: salt,
                srp_b_hex: b,
                secret_block: "AAAA",
            },
            KA_TIMESTAMP,
        )
    };
    for bad in ["", "-", "0x12", "12 ", "+12", "1g", "--1", "é"] {
        assert_eq!(
            claim(bad, "abcd"),
            Err(SrpError::InvalidHex { field: "SALT" }),
            "{bad:?}"
        );
        assert_eq!(
            claim("abcd", bad),
            Err(SrpError::InvalidHex { field: "SRP_B" }),
            "{bad:?}"
        );
    }
    let huge = "1".repeat(769);
    assert_eq!(
        claim(&huge, "abcd"),
        Err(SrpError::TooLarge { field: "SALT" })
    );
    assert_eq!(
        claim("abcd", &huge),
        Err(SrpError::TooLarge { field: "SRP_B" })
    );
    assert!(claim("abcd", &format!("{}{}", "0".repeat(2000), "abcd")).is_ok());
}

#[test]
fn b_congruent_to_zero_is_refused() {
    let n_lower = N_HEX.to_lowercase();
    for b in ["0", "-0", "000", N_HEX, &n_lower, &format!("-{N_HEX}")] {
        let client = ClientEphemeral::from_secret_bytes(&[1u8; 32]).unwrap();
        let r = client.password_claim(
            "abc",
            "u",
            &secret("p"),
            &VerifierChallenge {
                salt_hex: "abcd",
                srp_b_hex: b,
                secret_block: "AAAA",
            },
            KA_TIMESTAMP,
        );
        assert_eq!(r, Err(SrpError::ServerPublicZero), "{b}");
    }
    // B = N + 1 ≡ 1 is accepted (the base is reduced).
    let mut n_plus_1 = n_lower.clone();
    n_plus_1.pop();
    n_plus_1.push('0');
    let client = ClientEphemeral::from_secret_bytes(&[1u8; 32]).unwrap();
    let ok = client.password_claim(
        "abc",
        "u",
        &secret("p"),
        &VerifierChallenge {
            salt_hex: "abcd",
            srp_b_hex: &n_plus_1,
            secret_block: "AAAA",
        },
        KA_TIMESTAMP,
    );
    assert!(ok.is_ok());
}

#[test]
fn a_congruent_to_zero_is_refused_by_the_server() {
    let server = user_server("pw", &Salt::random().unwrap());
    for a in ["0", N_HEX] {
        assert_eq!(
            server.verify_claim(a, "AbCdEf", "sub-123", "AAAA", KA_TIMESTAMP, "AAAA"),
            Err(SrpError::ClientPublicZero)
        );
        assert_eq!(check_client_public(a), Err(SrpError::ClientPublicZero));
    }
    let client = ClientEphemeral::generate().unwrap();
    assert_eq!(check_client_public(&client.public_hex()), Ok(()));
    assert_eq!(
        check_client_public("xyz"),
        Err(SrpError::InvalidHex { field: "SRP_A" })
    );
    assert_eq!(
        check_client_public(&"1".repeat(769)),
        Err(SrpError::TooLarge { field: "SRP_A" })
    );
}

#[test]
fn u_zero_is_refused() {
    assert_eq!(check_scrambler([0; 32]), Err(SrpError::ScramblerZero));
    let mut one = [0; 32];
    one[31] = 1;
    assert_eq!(check_scrambler(one), Ok(one));
}

#[test]
fn invalid_device_verifiers_are_refused() {
    let n = SignedInt::parse_hex("N", N_HEX).unwrap();
    for v in [
        BASE64.encode([0u8]),
        BASE64.encode(n.pad().as_slice()),
        BASE64.encode([0xffu8, 1]),
    ] {
        assert_eq!(
            Verifier::from_device_config(&v, "AAAA").unwrap_err(),
            SrpError::InvalidVerifier
        );
    }
    assert_eq!(
        Verifier::from_device_config("%%", "AAAA").unwrap_err(),
        SrpError::InvalidBase64 {
            field: "PasswordVerifier"
        }
    );
}

#[test]
fn secret_block_base64_or_raw() {
    assert_eq!(secret_block_bytes("AAEC").unwrap(), vec![0, 1, 2]);
    let moto = "1d2b7f2e-55aa-4c8e-9d4f-0f3a2b1c4d5e";
    assert_eq!(secret_block_bytes(moto).unwrap(), moto.as_bytes());
    assert_eq!(secret_block_bytes(""), Err(SrpError::EmptySecretBlock));
    // A moto block still yields a signature.
    let client = ClientEphemeral::generate().unwrap();
    let challenge = VerifierChallenge {
        salt_hex: "1f",
        srp_b_hex: "2f3e",
        secret_block: moto,
    };
    assert!(
        client
            .password_claim("abc", "sub", &secret("p"), &challenge, KA_TIMESTAMP)
            .is_ok()
    );
}

#[test]
fn pool_names() {
    assert_eq!(pool_name("us-west-2_abc"), Ok("abc"));
    assert_eq!(pool_name("us-east-1_AbCdEf"), Ok("AbCdEf"));
    for bad in ["abc", "_abc", "us-east-1_", ""] {
        assert_eq!(pool_name(bad), Err(SrpError::InvalidPoolId), "{bad}");
    }
}

#[test]
fn timestamps() {
    let table: &[(i64, &str)] = &[
        (1796089570, "Tue Dec 1 01:46:10 UTC 2026"),
        (1796893503, "Thu Dec 10 09:05:03 UTC 2026"),
        (1739212212, "Mon Feb 10 18:30:12 UTC 2025"),
        (1709164800, "Thu Feb 29 00:00:00 UTC 2024"),
        (951868799, "Tue Feb 29 23:59:59 UTC 2000"),
        (4107585600, "Mon Mar 1 12:00:00 UTC 2100"),
        (1735689599, "Tue Dec 31 23:59:59 UTC 2024"),
        (1735689600, "Wed Jan 1 00:00:00 UTC 2025"),
        (0, "Thu Jan 1 00:00:00 UTC 1970"),
        (-1, "Wed Dec 31 23:59:59 UTC 1969"),
        (2147483648, "Tue Jan 19 03:14:08 UTC 2038"),
        (1773040089, "Mon Mar 9 07:08:09 UTC 2026"),
        (1774951200, "Tue Mar 31 10:00:00 UTC 2026"),
        (-2203891199, "Thu Mar 1 00:00:01 UTC 1900"),
        (253402300799, "Fri Dec 31 23:59:59 UTC 9999"),
    ];
    for &(secs, want) in table {
        let t = if secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
        } else {
            UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
        };
        assert_eq!(timestamp(t), want, "{secs}");
        // sub-second parts are dropped (floor), also before 1970
        assert_eq!(timestamp(t + Duration::from_millis(999)), want, "{secs}");
    }
    // every day of a month: no padding, no leading zero
    let dec_2026 = 1796083200; // Tue Dec 1 00:00:00 UTC 2026
    let names = ["Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Mon"];
    for day in 1..=31u64 {
        let t = UNIX_EPOCH + Duration::from_secs(dec_2026 + (day - 1) * 86_400 + 3_723);
        let want = format!(
            "{} Dec {day} 01:02:03 UTC 2026",
            names[(day as usize - 1) % 7]
        );
        assert_eq!(timestamp(t), want);
    }
}

#[test]
fn nothing_secret_in_debug_or_errors() {
    let client = ClientEphemeral::from_secret_bytes(&[0xab; 48]).unwrap();
    let debug = format!("{client:?}");
    assert!(
        !debug.contains("ab, ") && !debug.contains("abab") && !debug.contains("171"),
        "{debug}"
    );
    let verifier = verifier_for_password(
        "p",
        "u",
        &secret("hunter2"),
        &Salt::from_unsigned_bytes(&[1]),
    )
    .unwrap();
    let debug = format!("{verifier:?}");
    assert!(debug.contains("<redacted>") && !debug.contains("hunter2"));
    let server = ServerEphemeral::from_secret_bytes(&verifier, &[0xcd; 48]).unwrap();
    assert!(!format!("{server:?}").contains("cdcd"));
    for e in [
        SrpError::InvalidHex { field: "SALT" },
        SrpError::ServerPublicZero,
        SrpError::SignatureMismatch,
    ] {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ClientEphemeral>();
    assert_send_sync::<ServerEphemeral>();
    assert_send_sync::<Verifier>();
    assert_send_sync::<SrpError>();
}
