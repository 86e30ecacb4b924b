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

#[cfg(test)]
mod tests {
    use super::*;

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
