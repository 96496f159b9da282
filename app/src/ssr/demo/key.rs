//! The demo's digest signing key: a 2048-bit RSA key (the size of CloudTrail's) made from the demo seed when the
//! archive is written, so the same seed gives the same archive. It signs nothing but demo digests: anyone with
//! the seed can make it, which is fine for a demo and why no private key is stored anywhere. Only its public
//! half is written, as `ListPublicKeys` would give it (PKCS#1 DER, here in PEM), named by its fingerprint.
use super::DemoError;
use crate::ssr::integrity::verify::fingerprint;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs1::LineEnding;
use rsa::rand_core::{TryCryptoRng, TryRng};
use rsa::{PrivateKey, PublicKey};
use sha2::{Digest as _, Sha256};
use std::convert::Infallible;
use std::path::Path;

/// The modulus size of CloudTrail's digest signing keys, in bits.
const KEY_BITS: usize = 2048;

/// A deterministic byte stream for key generation: SHA-256 of (domain, seed, block counter), block after
/// block (a hash in counter mode). Not the demo's SplitMix64, whose outputs are linear-looking.
struct SeededBytes {
    seed: u64,
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl SeededBytes {
    fn new(seed: u64) -> Self {
        Self {
            seed,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }
}

impl TryRng for SeededBytes {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut bytes = [0; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut bytes = [0; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for byte in dst {
            if self.used == self.block.len() {
                let mut hasher = Sha256::new();
                hasher.update(b"trailscope demo digest key");
                hasher.update(self.seed.to_le_bytes());
                hasher.update(self.counter.to_le_bytes());
                self.block = hasher.finalize().into();
                self.counter += 1;
                self.used = 0;
            }
            *byte = self.block[self.used];
            self.used += 1;
        }
        Ok(())
    }
}

impl TryCryptoRng for SeededBytes {}

/// The demo's signing key for `seed`.
///
/// Errors: the `rsa` crate refuses the generated primes (it does not for 2048 bits), as [`DemoError::Options`].
pub fn demo_signing_key(seed: u64) -> Result<PrivateKey, DemoError> {
    PrivateKey::new(&mut SeededBytes::new(seed), KEY_BITS)
        .map_err(|e| DemoError::Options(format!("cannot make the demo signing key: {e}")))
}

/// The public key's PKCS#1 DER, as `ListPublicKeys` returns it; its MD5 is the digests'
/// `digestPublicKeyFingerprint`.
pub fn public_der(signer: &PrivateKey) -> Result<Vec<u8>, DemoError> {
    let public: PublicKey = signer.to_public_key();
    public
        .to_pkcs1_der()
        .map(|der| der.as_bytes().to_vec())
        .map_err(|e| DemoError::Options(format!("cannot encode the demo public key: {e}")))
}

/// Writes the public half of `signer` into `folder` as `FINGERPRINT.pem` (PKCS#1 `RSA PUBLIC KEY`).
pub fn write_public_key(folder: &Path, signer: &PrivateKey) -> Result<(), DemoError> {
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DemoError::Write { path, source }
    };
    std::fs::create_dir_all(folder).map_err(fail(folder))?;
    let pem = signer
        .to_public_key()
        .to_pkcs1_pem(LineEnding::LF)
        .map_err(|e| DemoError::Options(format!("cannot encode the demo public key: {e}")))?;
    let path = folder.join(format!("{}.pem", fingerprint(&public_der(signer)?)));
    std::fs::write(&path, pem).map_err(fail(&path))
}
