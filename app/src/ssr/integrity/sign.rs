//! How CloudTrail signs a digest file (AWS CloudTrail User Guide, "Custom implementations of CloudTrail log
//! file integrity validation"; AWS-FACTS §4.2): the one home of the string to sign, used by the verifier and by
//! whatever writes signed digests (the demo archive, the test archives).
use rsa::PrivateKey;
use sha2::Sha256;

/// The string CloudTrail signs for a digest: `digestEndTime` verbatim, `digestS3Bucket/digestS3Object`, the
/// lower-case hex SHA-256 of the decompressed digest bytes, and the previous digest's signature (`null` for a
/// starting digest, "to match the Java implementation"), one per line.
pub fn string_to_sign(
    end_time: &str,
    bucket: &str,
    key: &str,
    content_sha256_hex: &str,
    previous_signature: Option<&str>,
) -> String {
    format!(
        "{end_time}\n{bucket}/{key}\n{content_sha256_hex}\n{}",
        previous_signature.unwrap_or("null")
    )
}

/// Signs `string_to_sign` as CloudTrail does (`SHA256withRSA`: RSASSA-PKCS1-v1_5 with SHA-256) and returns
/// the signature as lower-case hex, the form of the digest's `signature` S3 object metadata.
///
/// Errors: the key is too small for a SHA-256 DigestInfo (the `rsa` crate's error, as text).
pub fn sign_hex(signer: &PrivateKey, string_to_sign: &str) -> Result<String, String> {
    signer
        .pkcs1v15_sign::<Sha256>(string_to_sign.as_bytes())
        .map(hex::encode)
        .map_err(|e| format!("cannot sign the digest: {e}"))
}
