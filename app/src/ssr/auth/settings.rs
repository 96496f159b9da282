//! How logins are checked beyond passwords, as `AppState` holds it.
use super::{proxy, throttle};

/// How logins are checked beyond passwords: the failed-login throttle and the proxy settings.
#[derive(Default)]
pub struct AuthSettings {
    /// The failed-login throttle.
    pub throttle: throttle::LoginThrottle,
    /// Proxy sign-on: which header names the user, and from which proxies it is trusted.
    pub proxy: proxy::ProxySettings,
}
