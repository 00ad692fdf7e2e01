//! QR codes of recruit links, as PNG (for posters and chat apps) and SVG (for print, where it
//! scales without blur). Both carry the standard quiet zone of four light modules around the
//! symbol, which scanners need to find it.

use qrcode::render::svg;
use qrcode::{Color, EcLevel, QrCode};

use crate::error::{AppError, AppResult};

/// Light modules around the symbol on every side (ISO/IEC 18004 asks for four).
pub const QUIET_ZONE: usize = 4;
/// Pixels per module of a PNG unless asked otherwise: a link of ~60 characters makes a symbol of
/// 41 modules, so about 400 pixels wide, sharp on a phone and on an A6 poster.
pub const DEFAULT_SCALE: u32 = 8;
/// Pixels per module at most: 40 × (a large symbol of 57 + 8 modules) stays under 3000 pixels.
pub const MAX_SCALE: u32 = 40;

/// The symbol for `text`: medium error correction (15 % of the symbol can be damaged or covered
/// and it still reads), the level poster printers expect.
pub fn encode(text: &str) -> AppResult<QrCode> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| AppError::internal(format!("QR code of {} bytes: {e}", text.len())))
}

/// The symbol as rows of modules, `true` for dark, quiet zone included.
pub fn modules(code: &QrCode) -> Vec<Vec<bool>> {
    let width = code.width();
    let colors = code.to_colors();
    let side = width + 2 * QUIET_ZONE;
    (0..side)
        .map(|y| {
            (0..side)
                .map(|x| {
                    let inside = (QUIET_ZONE..QUIET_ZONE + width).contains(&x)
                        && (QUIET_ZONE..QUIET_ZONE + width).contains(&y);
                    inside && colors[(y - QUIET_ZONE) * width + (x - QUIET_ZONE)] == Color::Dark
                })
                .collect()
        })
        .collect()
}

/// A 1-bit greyscale PNG of `text`, `scale` pixels per module (1–[`MAX_SCALE`]).
pub fn png(text: &str, scale: u32) -> AppResult<Vec<u8>> {
    let scale = scale.clamp(1, MAX_SCALE) as usize;
    let rows = modules(&encode(text)?);
    let side = rows.len() * scale;
    let stride = side.div_ceil(8);
    let mut pixels = Vec::with_capacity(stride * side);
    for row in &rows {
        // One packed line per module row, repeated `scale` times: bit 1 is white in greyscale.
        let mut line = vec![0u8; stride];
        for (x, dark) in row.iter().enumerate() {
            if !dark {
                for px in x * scale..(x + 1) * scale {
                    line[px / 8] |= 0x80 >> (px % 8);
                }
            }
        }
        for _ in 0..scale {
            pixels.extend_from_slice(&line);
        }
    }
    let side = u32::try_from(side).map_err(AppError::internal)?;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let mut writer = encoder.write_header().map_err(AppError::internal)?;
    writer
        .write_image_data(&pixels)
        .map_err(AppError::internal)?;
    writer.finish().map_err(AppError::internal)?;
    Ok(out)
}

/// An SVG of `text`, one user unit per module (the viewBox lets it scale to any size).
pub fn svg(text: &str) -> AppResult<String> {
    Ok(encode(text)?
        .render::<svg::Color>()
        .quiet_zone(true)
        .module_dimensions(1, 1)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_has_the_symbol_at_the_scale() {
        let text = "https://shop.example.com/shop/tea/join?ref=K7Q2M9XD";
        let bytes = png(text, 4).unwrap_or_default();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        let code = encode(text).unwrap();
        let side = (code.width() + 2 * QUIET_ZONE) * 4;
        let width = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
        assert_eq!(width as usize, side);
    }

    #[test]
    fn svg_is_a_document_of_the_symbol() {
        let out = svg("https://example.com/shop/tea/join").unwrap_or_default();
        assert!(out.starts_with("<?xml"));
        assert!(out.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(out.ends_with("</svg>"));
    }
}
