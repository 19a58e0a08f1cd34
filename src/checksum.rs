//! Content hashes of local files, read in large blocks.

use std::io::Read;
use std::path::Path;

use md5::Digest;

const BLOCK: usize = 1024 * 1024;

/// The md5 of a file, as lowercase hex. Blocking: call from `spawn_blocking`.
pub fn md5_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut hasher = md5::Md5::new();
    let mut buf = vec![0u8; BLOCK];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// [`md5_file`] off the async runtime.
pub async fn md5_file_async(path: &Path) -> std::io::Result<String> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || md5_file(&path))
        .await
        .map_err(std::io::Error::other)?
}

#[cfg(test)]
mod tests {
    #[test]
    fn md5_of_known_content() {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), b"abc").unwrap();
        assert_eq!(
            super::md5_file(f.path()).unwrap(),
            "900150983cd24fb0d6963f7d28e17f72"
        );
    }
}
