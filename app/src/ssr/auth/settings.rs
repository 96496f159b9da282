//! How logins are checked beyond passwords, as `AppState` holds it.
use super::{proxy, throttle};

/// How logins are checked beyond passwords: the failed-login throttle and the proxy settings.
#[derive(Default)]
pub struct AuthSettings {
    pub throttle: throttle::LoginThrottle,
    pub proxy: proxy::ProxySettings,
}
