//! The captcha image: the answer drawn with a tiny built-in 5x7 bitmap font, scaled up, each
//! letter nudged up or down, over light noise, encoded as PNG.

use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder, ImageError, Rgb, RgbImage};
use rand::Rng;

const GLYPH_WIDTH: u32 = 5;
const GLYPH_HEIGHT: u32 = 7;
/// Screen pixels per font pixel.
const SCALE: u32 = 5;
/// Font pixels between letters and around the text.
const GAP: u32 = 2;
const MARGIN: u32 = 3;
const NOISE_DOTS: usize = 220;

/// Rows top to bottom; bit 4 is the leftmost pixel.
fn glyph(c: char) -> Option<[u8; 7]> {
    Some(match c {
        'a' => [0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F],
        'b' => [0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E],
        'c' => [0x00, 0x00, 0x0E, 0x10, 0x10, 0x11, 0x0E],
        'd' => [0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F],
        'e' => [0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E],
        'f' => [0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08],
        'h' => [0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11],
        'j' => [0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0C],
        'k' => [0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12],
        'm' => [0x00, 0x00, 0x1A, 0x15, 0x15, 0x11, 0x11],
        'n' => [0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11],
        'p' => [0x00, 0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10],
        'r' => [0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10],
        's' => [0x00, 0x00, 0x0E, 0x10, 0x0E, 0x01, 0x1E],
        't' => [0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06],
        'u' => [0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0D],
        'v' => [0x00, 0x00, 0x11, 0x11, 0x11, 0x0A, 0x04],
        'w' => [0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0A],
        'x' => [0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11],
        'y' => [0x00, 0x11, 0x11, 0x11, 0x0F, 0x01, 0x0E],
        'z' => [0x00, 0x00, 0x1F, 0x02, 0x04, 0x08, 0x1F],
        '2' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        '3' => [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        '4' => [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        '5' => [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        '6' => [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        '7' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        _ => return None,
    })
}

/// The PNG showing `text` (letters without a glyph are left blank).
pub(super) fn captcha_png(text: &str) -> Result<Vec<u8>, ImageError> {
    let letters = u32::try_from(text.chars().count()).unwrap_or(0);
    let width = (2 * MARGIN + letters * GLYPH_WIDTH + letters.saturating_sub(1) * GAP) * SCALE;
    // One font pixel of room above and below for the nudges.
    let height = (2 * MARGIN + GLYPH_HEIGHT + 2) * SCALE;
    let mut rng = rand::rng();
    let mut canvas = RgbImage::from_pixel(width, height, Rgb([246, 243, 232]));
    for _ in 0..NOISE_DOTS {
        let (x, y) = (rng.random_range(0..width), rng.random_range(0..height));
        canvas.put_pixel(x, y, Rgb([190, 186, 200]));
    }
    for (index, c) in (0u32..).zip(text.chars()) {
        let Some(rows) = glyph(c) else { continue };
        let left = (MARGIN + index * (GLYPH_WIDTH + GAP)) * SCALE;
        let top = (MARGIN + rng.random_range(0..=2)) * SCALE;
        let ink = Rgb([
            rng.random_range(20..90),
            rng.random_range(20..70),
            rng.random_range(60..130),
        ]);
        for (row, bits) in (0u32..).zip(rows) {
            for column in 0..GLYPH_WIDTH {
                if bits & (0x10 >> column) == 0 {
                    continue;
                }
                for dy in 0..SCALE {
                    for dx in 0..SCALE {
                        canvas.put_pixel(left + column * SCALE + dx, top + row * SCALE + dy, ink);
                    }
                }
            }
        }
    }
    let mut png = Vec::new();
    PngEncoder::new(&mut png).write_image(
        canvas.as_raw(),
        width,
        height,
        ExtendedColorType::Rgb8,
    )?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::super::sessions::CAPTCHA_ALPHABET;
    use super::*;

    #[test]
    fn every_answer_letter_has_a_glyph() {
        for &letter in CAPTCHA_ALPHABET {
            assert!(
                glyph(char::from(letter)).is_some(),
                "{}",
                char::from(letter)
            );
        }
    }

    #[test]
    fn the_image_is_a_png_of_the_right_size() {
        let png = captcha_png("ab23xy").unwrap();
        let decoded = image::load_from_memory(&png).unwrap();
        let width = (2 * MARGIN + 6 * GLYPH_WIDTH + 5 * GAP) * SCALE;
        assert_eq!(decoded.width(), width);
        assert_eq!(decoded.height(), (2 * MARGIN + GLYPH_HEIGHT + 2) * SCALE);
    }
}
