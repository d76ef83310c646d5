//! The otpauth URI and its QR codes, through the public API: the QR codes
//! are decoded back with rqrr and must give the URI unchanged.
#![cfg(feature = "qr")]

use cognito_mfa::otpauth::{key_uri, setup_key};
use cognito_mfa::{Error, Field, TotpSecret, qr};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const SECRET: &str = "JBSWY3DPEHPK3PXP";

/// An issuer with a space and non-ASCII letters, an account with '@'.
fn sample_uri() -> Result<String, Error> {
    key_uri(
        &TotpSecret::new(SECRET),
        "Zürich Bank AG",
        "jürgen@example.com",
    )
}

/// Every QR code rqrr finds in a prepared image, decoded. A macro because
/// rqrr's image-buffer trait is not public, so a function can't name it.
macro_rules! decode_all {
    ($prepared:expr) => {{
        let mut prepared = $prepared;
        prepared
            .detect_grids()
            .iter()
            .map(|grid| grid.decode().map(|(_, text)| text))
            .collect::<Result<Vec<String>, _>>()
    }};
}

#[test]
fn key_uri_golden() -> TestResult {
    assert_eq!(
        sample_uri()?,
        "otpauth://totp/Z%C3%BCrich%20Bank%20AG:j%C3%BCrgen%40example.com\
         ?secret=JBSWY3DPEHPK3PXP&issuer=Z%C3%BCrich%20Bank%20AG\
         &algorithm=SHA1&digits=6&period=30"
    );
    assert_eq!(
        key_uri(&TotpSecret::new("asdfasdfasdf"), "Example", "alice")?,
        "otpauth://totp/Example:alice?secret=ASDFASDFASDF&issuer=Example\
         &algorithm=SHA1&digits=6&period=30"
    );
    Ok(())
}

#[test]
fn setup_key_golden() -> TestResult {
    assert_eq!(setup_key(&TotpSecret::new(SECRET))?, "JBSW Y3DP EHPK 3PXP");
    assert_eq!(
        setup_key(&TotpSecret::new("asdfasdfasdf"))?,
        "ASDF ASDF ASDF"
    );
    Ok(())
}

#[test]
fn colon_is_refused_before_any_qr_code() {
    let err = key_uri(&TotpSecret::new(SECRET), "Example", "a:b").unwrap_err();
    assert!(matches!(err, Error::InvalidInput(ref i) if i.field() == Field::AccountName));
}

#[test]
fn png_decodes_to_the_uri() -> TestResult {
    let uri = sample_uri()?;
    let png = qr::png(&uri)?;
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let image = image::load_from_memory(&png)?.to_luma8();
    assert!(image.width() >= 256 && image.height() >= 256);
    assert_eq!(image.width(), image.height());
    let decoded = decode_all!(rqrr::PreparedImage::prepare(image))?;
    assert_eq!(decoded, [uri]);
    Ok(())
}

#[test]
fn svg_is_an_svg_document() -> TestResult {
    let svg = qr::svg(&sample_uri()?)?;
    assert!(svg.starts_with("<?xml"));
    assert!(svg.contains("<svg"));
    assert!(svg.trim_end().ends_with("</svg>"));
    Ok(())
}

#[test]
fn terminal_rendering_shape_and_content() -> TestResult {
    let uri = sample_uri()?;
    let text = qr::terminal(&uri)?;
    let modules =
        qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M)?.width();
    // Four modules of quiet zone each side; two module rows per text line.
    let side = modules + 8;
    let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
    assert_eq!(lines.len(), side.div_ceil(2));
    assert!(!text.ends_with('\n'));
    for line in &lines {
        assert_eq!(line.len(), side);
        assert!(line.iter().all(|c| matches!(c, ' ' | '█' | '▀' | '▄')));
    }

    // Rebuild the module grid and scan it. A glyph's painted half is a light
    // module (text colour on a dark terminal), so an unpainted half is dark.
    let painted = |x: usize, y: usize| -> bool {
        match lines[y / 2][x] {
            '█' => true,
            '▀' => y.is_multiple_of(2),
            '▄' => !y.is_multiple_of(2),
            _ => false,
        }
    };
    // The quiet zone is painted all round.
    for i in 0..side {
        for (x, y) in [(i, 0), (i, side - 1), (0, i), (side - 1, i)] {
            assert!(painted(x, y), "quiet zone at ({x}, {y})");
        }
    }
    const SCALE: usize = 4;
    let prepared = rqrr::PreparedImage::prepare_from_bitmap(side * SCALE, side * SCALE, |x, y| {
        !painted(x / SCALE, y / SCALE)
    });
    assert_eq!(decode_all!(prepared)?, [uri]);
    Ok(())
}

#[test]
fn too_long_for_a_qr_code_is_refused() -> TestResult {
    // Past version 40-M's 2331 bytes.
    let account = "a".repeat(2400);
    let uri = key_uri(&TotpSecret::new(SECRET), "Example", &account)?;
    for err in [
        qr::png(&uri).unwrap_err(),
        qr::svg(&uri).unwrap_err(),
        qr::terminal(&uri).unwrap_err(),
    ] {
        match err {
            Error::InvalidInput(i) => {
                assert_eq!(i.field(), Field::AccountName);
                assert!(i.reason().contains("too long"));
            }
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }
    Ok(())
}
