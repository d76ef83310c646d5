//! QR codes of the otpauth URI from [`key_uri`](crate::otpauth::key_uri), as
//! SVG, PNG or text for a terminal.
//!
//! All three use error correction level M (15% of the code may be damaged)
//! and keep the 4-module quiet zone that scanners need around the code.
//!
//! The input is any text, but the errors are worded for the otpauth URI:
//! only an issuer or account name can make that URI too long for a QR code,
//! so a refusal is reported as [`Field::AccountName`]. The output holds the
//! secret: show it to the person enrolling, never log or cache it.

use crate::error::{Error, Field};
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder, Luma};
use qrcode::render::{svg, unicode};
use qrcode::types::QrError;
use qrcode::{EcLevel, QrCode};
use zeroize::Zeroizing;

/// Smallest side in pixels of the SVG and PNG: a phone camera reads even a
/// large version-10 code at this size from a screen.
const MIN_PIXELS: u32 = 256;

fn encode(data: &str) -> Result<QrCode, Error> {
    QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).map_err(|e| match e {
        QrError::DataTooLong => Error::invalid(
            Field::AccountName,
            "makes the otpauth URI too long for a QR code",
        ),
        // Automatic version choice with byte mode leaves no other failure in
        // practice; still never panic on one.
        _ => Error::invalid(
            Field::AccountName,
            "makes the otpauth URI impossible to encode as a QR code",
        ),
    })
}

/// The QR code of `data` as an SVG document (black on white, at least
/// 256×256 user units, quiet zone included).
///
/// # Errors
///
/// [`Error::InvalidInput`] for [`Field::AccountName`] when `data` is too long
/// for a QR code at error correction level M (2331 bytes).
pub fn svg(data: &str) -> Result<String, Error> {
    let code = encode(data)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .min_dimensions(MIN_PIXELS, MIN_PIXELS)
        .build())
}

/// The QR code of `data` as a PNG file: 8-bit greyscale, black on white, at
/// least 256×256 pixels, quiet zone included.
///
/// # Errors
///
/// [`Error::InvalidInput`] for [`Field::AccountName`] when `data` is too long
/// for a QR code at error correction level M, or (not expected in practice:
/// the image is valid and written to memory) when the PNG encoder fails.
pub fn png(data: &str) -> Result<Vec<u8>, Error> {
    let code = encode(data)?;
    let image = code
        .render::<Luma<u8>>()
        .quiet_zone(true)
        .min_dimensions(MIN_PIXELS, MIN_PIXELS)
        .build();
    let (width, height) = image.dimensions();
    // The bitmap is a picture of the secret: wiped once encoded. (The QR
    // matrix and the encoders' own buffers are the crates' and out of reach.)
    let pixels = Zeroizing::new(image.into_raw());
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(&pixels, width, height, ExtendedColorType::L8)
        // No variant fits an encoder failure better, and none is expected:
        // the buffer matches its size and a Vec cannot fail to grow short of
        // an abort.
        .map_err(|_| {
            Error::invalid(
                Field::AccountName,
                "makes the otpauth URI impossible to render as a PNG",
            )
        })?;
    Ok(out)
}

/// The QR code of `data` as lines of Unicode half blocks (`█`, `▀`, `▄` and
/// space) for printing to a terminal, two modules per character cell
/// vertically.
///
/// Colours are inverted as qrcode's documentation recommends for terminals:
/// the glyphs (the text colour, light on a dark terminal) draw the light
/// modules and the quiet zone, and the terminal's dark background shows
/// through as the dark modules. The result scans on a dark-background
/// terminal; on a light background it is a negative image, which not
/// every scanner reads. Lines are separated by `\n`, with no trailing newline.
///
/// # Errors
///
/// [`Error::InvalidInput`] for [`Field::AccountName`] when `data` is too long
/// for a QR code at error correction level M.
pub fn terminal(data: &str) -> Result<String, Error> {
    let code = encode(data)?;
    Ok(code
        .render::<unicode::Dense1x2>()
        .quiet_zone(true)
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .build())
}
