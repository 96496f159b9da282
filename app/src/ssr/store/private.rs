//! The store holds password hashes, session IDs and every event of the accounts it reads: only the server's own
//! user may read it. Data folders and backups are made owner-only (0700), and database files owner-only (0600),
//! whatever the process's umask.
use std::path::Path;

/// Makes `path` readable and writable by its owner only: 0700 for a folder, 0600 for a file. Best effort: a
/// path this user does not own (a mounted volume's root, say) keeps its mode, with a warning. No-op off Unix.
pub fn owner_only(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if path.is_dir() { 0o700 } else { 0o600 };
        if let Err(error) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
            tracing::warn!(path = %path.display(), %error, "cannot make this store path owner-only");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// [`owner_only`] for an SQLite file and its `-wal` and `-shm` companions where they exist.
pub fn database_owner_only(path: &Path) {
    owner_only(path);
    for suffix in ["-wal", "-shm"] {
        let mut companion = path.as_os_str().to_owned();
        companion.push(suffix);
        let companion = Path::new(&companion);
        if companion.exists() {
            owner_only(companion);
        }
    }
}
