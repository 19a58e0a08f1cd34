//! HMAC-SHA256 signatures (hex) over the parts of an upload form or a download link, with the
//! site's secret.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The signature of `parts` joined by newlines (none of them holds one).
pub(super) fn sign(secret: &[u8], parts: &[&str]) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(parts.join("\n").as_bytes());
    Some(hex::encode(mac.finalize().into_bytes()))
}

pub(super) fn verify(secret: &[u8], parts: &[&str], signature: &str) -> bool {
    let Ok(given) = hex::decode(signature) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(parts.join("\n").as_bytes());
    mac.verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_check_out_and_depend_on_every_part() {
        let secret = b"0123456789abcdef";
        let signature = sign(secret, &["a", "b"]).unwrap();
        assert_eq!(signature.len(), 64);
        assert!(verify(secret, &["a", "b"], &signature));
        assert!(!verify(secret, &["a", "c"], &signature));
        assert!(!verify(b"other", &["a", "b"], &signature));
        assert!(!verify(secret, &["a", "b"], "not hex"));
    }
}
