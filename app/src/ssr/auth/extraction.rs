//! What a server function learns about its request from the gate: the [`Principal`] (checked by
//! [`authorize`]) and the client's address.
use super::{Principal, Role};
use crate::error::AppError;
use std::net::IpAddr;

/// The client's address as the gate worked it out (the peer, or a trusted proxy's `X-Forwarded-For`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

/// Checks that the current request may act with `needed`. Call first in every server function.
pub async fn authorize(needed: Role) -> Result<Principal, AppError> {
    let axum::Extension(principal) = leptos_axum::extract::<axum::Extension<Principal>>()
        .await
        .map_err(|_| AppError::Unauthorized)?;
    if principal.role.allows(needed) {
        Ok(principal)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The current request's client address, if known.
pub async fn client_address() -> Option<IpAddr> {
    leptos_axum::extract::<axum::Extension<ClientAddress>>()
        .await
        .ok()
        .and_then(|axum::Extension(ClientAddress(ip))| ip)
}
