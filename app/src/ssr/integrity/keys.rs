//! The public keys digests are verified with: from `ListPublicKeys` of the digest's Region (AWS-FACTS §4.3:
//! the SDK's `Value` blob is the key's DER, `Fingerprint` the hex MD5 of it), or from a folder of key files
//! (PEM, DER, or the base64 text `aws cloudtrail list-public-keys` prints), for archives validated offline.
use super::verify::{fingerprints, key_file_der};
use crate::model::time::format_rfc3339;
use crate::ssr::aws::clients::AwsClients;
use crate::ssr::aws::describe;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Public keys by fingerprint (DER bytes).
pub type KeyMap = HashMap<String, Vec<u8>>;

/// Where public keys come from.
pub enum Keyring {
    /// Every key of a folder, whatever its validity window.
    Folder(KeyMap),
    /// `ListPublicKeys` with the registry's default credential chain.
    Aws(Arc<AwsClients>),
}

/// The CloudTrail client of `region`: the one place validation makes CloudTrail clients, from the registry's
/// default credential chain (digests may come from any Region, configured or not).
async fn cloudtrail_client(aws: &AwsClients, region: &str) -> aws_sdk_cloudtrail::Client {
    aws_sdk_cloudtrail::Client::new(&aws.default_chain().sdk_config(region).await)
}

impl Keyring {
    /// The keys of every file in `dir`, each under the fingerprints of both its encodings. A file that holds
    /// no key is an error naming it.
    pub fn from_folder(dir: &Path) -> Result<Self, String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut keys = KeyMap::new();
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            if !path.is_file() {
                continue;
            }
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let der = key_file_der(&bytes)
                .ok_or_else(|| format!("{}: not a PEM, DER or base64 key", path.display()))?;
            for fingerprint in fingerprints(&der) {
                keys.insert(fingerprint, der.clone());
            }
        }
        Ok(Self::Folder(keys))
    }

    /// The keys of `region` that signed digests between `from_secs` and `to_secs`; an empty answer is the
    /// CLI's fatal "No public keys found between …".
    pub async fn load(&self, region: &str, from_secs: i64, to_secs: i64) -> Result<KeyMap, String> {
        let keys = match self {
            Self::Folder(keys) => keys.clone(),
            Self::Aws(aws) => {
                let answer = cloudtrail_client(aws, region)
                    .await
                    .list_public_keys()
                    .start_time(aws_sdk_cloudtrail::primitives::DateTime::from_secs(
                        from_secs,
                    ))
                    .end_time(aws_sdk_cloudtrail::primitives::DateTime::from_secs(to_secs))
                    .send()
                    .await
                    .map_err(|e| format!("ListPublicKeys in {region}: {}", describe(&e)))?;
                answer
                    .public_key_list()
                    .iter()
                    .filter_map(|key| {
                        Some((
                            key.fingerprint()?.to_owned(),
                            key.value()?.as_ref().to_vec(),
                        ))
                    })
                    .collect()
            }
        };
        if keys.is_empty() {
            return Err(format!(
                "No public keys found between {} and {}",
                format_rfc3339(from_secs),
                format_rfc3339(to_secs)
            ));
        }
        Ok(keys)
    }
}
