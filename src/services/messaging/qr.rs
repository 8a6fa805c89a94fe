//! QR codes for access links: SVG for pages, PNG for email.

use qrcode::render::svg;
use qrcode::{Color, EcLevel, QrCode};

/// The largest PNG scale [`png`] uses (pixels per module).
pub const MAX_PNG_SCALE: u32 = 32;

/// Modules of light margin around the code, as the standard asks.
const QUIET_ZONE: usize = 4;

/// Medium error correction: still scannable when a little dirty or
/// damaged, small enough for long links.
fn code(text: &str) -> Option<QrCode> {
    match QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) {
        Ok(code) => Some(code),
        Err(error) => {
            tracing::warn!(%error, len = text.len(), "no QR code: the text does not fit");
            None
        }
    }
}

/// An SVG of `text`'s QR code: black modules on white with a quiet zone, one
/// unit per module and a `viewBox` but no fixed size, so it fills the width
/// of its container (size it with CSS). Ready to embed inline in HTML.
///
/// Text too long for a QR code (about 2,300 bytes; links are far shorter)
/// gives an empty string.
pub fn svg(text: &str) -> String {
    let Some(code) = code(text) else {
        return String::new();
    };
    let image = code
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .module_dimensions(1, 1)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build();
    // Drop the XML declaration (not allowed inside HTML) and the fixed size.
    let start = image.find("<svg").unwrap_or(0);
    let side = code.width() + 2 * QUIET_ZONE;
    image[start..].replacen(&format!(r#" width="{side}" height="{side}""#), "", 1)
}

/// A PNG of `text`'s QR code, `scale` pixels per module (kept within
/// 1..=[`MAX_PNG_SCALE`]), black on white, 1-bit grayscale, with a quiet
/// zone of 4 modules.
///
/// Text too long for a QR code gives an empty vector.
pub fn png(text: &str, scale: u32) -> Vec<u8> {
    let Some(code) = code(text) else {
        return Vec::new();
    };
    match encode_png(&code, scale.clamp(1, MAX_PNG_SCALE) as usize) {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::warn!(%error, "could not encode the QR code as PNG");
            Vec::new()
        }
    }
}

fn encode_png(code: &QrCode, scale: usize) -> Result<Vec<u8>, String> {
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * scale;
    let row_bytes = side.div_ceil(8);
    // 1-bit grayscale: a set bit is white. Start all white, clear dark pixels.
    let mut pixels = vec![0xFFu8; row_bytes * side];
    for (index, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (mx, my) = (index % modules, index / modules);
        for y in (my + QUIET_ZONE) * scale..(my + QUIET_ZONE + 1) * scale {
            for x in (mx + QUIET_ZONE) * scale..(mx + QUIET_ZONE + 1) * scale {
                pixels[y * row_bytes + x / 8] &= !(0x80 >> (x % 8));
            }
        }
    }
    let side = u32::try_from(side).map_err(|_| "the image is too large".to_string())?;
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&pixels).map_err(|e| e.to_string())?;
        writer.finish().map_err(|e| e.to_string())?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://doors.example.com/l/3q2-7bWJ4xQm9vXcT0aZpA";

    #[test]
    fn svg_scales_and_embeds() {
        let image = svg(URL);
        assert!(image.starts_with("<svg"), "{image}");
        assert!(image.contains("viewBox=\"0 0 "), "{image}");
        assert!(!image.contains("<?xml"));
        let opening = &image[..image.find('>').unwrap()];
        assert!(!opening.contains("width=") && !opening.contains("height="), "no fixed size: {opening}");
        assert!(image.contains("fill=\"#000\"") && image.contains("fill=\"#fff\""));
        assert!(image.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn png_decodes_with_quiet_zone_and_modules() {
        let bytes = png(URL, 4);
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = ::png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let info = reader.info();
        let (width, height) = (info.width, info.height);
        assert_eq!(width, height);
        let modules = code(URL).unwrap().width() as u32;
        assert_eq!(width, (modules + 8) * 4);
        assert_eq!(info.bit_depth, ::png::BitDepth::One);

        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut buf).unwrap();
        let row = frame.line_size;
        let pixel = |x: u32, y: u32| buf[y as usize * row + x as usize / 8] & (0x80 >> (x % 8)) != 0;
        // The quiet zone is white; the top-left finder pattern's corner is black.
        assert!((0..width).all(|x| pixel(x, 0) && pixel(x, 15)));
        assert!(pixel(15, 15));
        assert!(!pixel(16, 16));
        assert!(!pixel(19, 19));
    }

    #[test]
    fn too_long_gives_nothing() {
        let long = "x".repeat(5000);
        assert_eq!(svg(&long), "");
        assert!(png(&long, 4).is_empty());
    }
}
