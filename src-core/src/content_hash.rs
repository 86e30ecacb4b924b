//! Content hash of a workspace file: FNV-1a over its bytes, 64 bits, as 16 lowercase hex digits.
//!
//! Reports print the hash of the file their numbers came from, so a printed page can be matched
//! to the exact version of the workspace. The hash only has to tell versions of one file apart,
//! not resist tampering, so a small, dependency-free, well-specified function is enough: FNV-1a
//! is stable across platforms and releases (unlike `std`'s hasher, whose output may change).

/// FNV-1a 64-bit offset basis.
const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64-bit prime.
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 64 of `bytes`.
#[must_use]
pub fn fnv1a_64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(OFFSET_BASIS, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(PRIME)
    })
}

/// The content hash of `bytes` as 16 lowercase hex digits.
#[must_use]
pub fn content_hash(bytes: &[u8]) -> String {
    format!("{:016x}", fnv1a_64(bytes))
}

/// Fingerprint of a large file's bytes, read in blocks: a 64-bit multiply-rotate hash over
/// 8-byte words (several times faster than byte-wise FNV-1a, so a multi-GB trace costs a small
/// part of its import) and the length, as `HASH-LENGTH` in hex and decimal.
///
/// It tells whether a file is one already imported; it is not a content hash for reports.
pub fn file_fingerprint(mut input: impl std::io::Read) -> std::io::Result<String> {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = OFFSET_BASIS;
    let mut len: u64 = 0;
    let mut buf = vec![0u8; 1 << 20];
    // Bytes of an unfinished word carried to the next block, so the result does not depend on
    // how reads split the file.
    let mut carry: Vec<u8> = Vec::with_capacity(8);
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        len += n as u64;
        let mut block = buf.get(..n).unwrap_or_default();
        if !carry.is_empty() {
            let take = (8 - carry.len()).min(block.len());
            carry.extend_from_slice(block.get(..take).unwrap_or_default());
            block = block.get(take..).unwrap_or_default();
            if carry.len() < 8 {
                continue;
            }
            let mut w = [0u8; 8];
            w.copy_from_slice(&carry);
            h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
            carry.clear();
        }
        let words = block.chunks_exact(8);
        carry.extend_from_slice(words.remainder());
        for word in words {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
        }
    }
    for &b in &carry {
        h = (h ^ u64::from(b)).wrapping_mul(PRIME);
    }
    h = (h ^ len).wrapping_mul(K);
    Ok(format!("{h:016x}-{len}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns at most `n` bytes per read.
    struct Trickle<'a>(&'a [u8], usize);

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(self.0.len()).min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_file_fingerprint_depends_on_the_bytes_not_on_how_they_are_read() {
        let bytes: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
        let whole = file_fingerprint(&bytes[..]).unwrap_or_default();
        for step in [1, 3, 7, 8, 13, 4096] {
            assert_eq!(
                file_fingerprint(Trickle(&bytes, step)).ok(),
                Some(whole.clone())
            );
        }
        let mut other = bytes.clone();
        other[4321] ^= 1;
        assert_ne!(file_fingerprint(&other[..]).ok(), Some(whole.clone()));
        assert!(whole.ends_with("-5000"));
        assert_ne!(file_fingerprint(&bytes[..4999]).ok(), Some(whole));
    }

    #[test]
    fn matches_the_published_test_vectors() {
        // Vectors from the FNV reference test suite (FNV-1a, 64 bit).
        assert_eq!(content_hash(b""), "cbf29ce484222325");
        assert_eq!(content_hash(b"a"), "af63dc4c8601ec8c");
        assert_eq!(content_hash(b"foobar"), "85944171f73967e8");
    }

    #[test]
    fn one_changed_byte_changes_the_hash() {
        assert_ne!(content_hash(b"lcpr: 0.0846"), content_hash(b"lcpr: 0.0847"));
        assert_eq!(content_hash(b"same"), content_hash(b"same"));
        assert_eq!(content_hash(b"x").len(), 16);
    }
}
