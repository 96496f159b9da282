//! Running behind a reverse proxy: which peers are trusted proxies, the client's own address from their
//! `X-Forwarded-For`, and optional single sign-on where a trusted proxy (e.g. oauth2-proxy) names the user in a
//! header. Headers from any other peer are ignored: anyone can send them.
use super::roles::Role;
use axum::http::{HeaderMap, HeaderName};
use ipnet::IpNet;
use std::net::IpAddr;

/// What the server trusts its proxies with. Empty (the default): no proxy is trusted, no header counts.
#[derive(Clone, Debug, Default)]
pub struct ProxySettings {
    /// Peers whose forwarding headers are believed.
    pub trusted: Vec<IpNet>,
    /// The header a trusted proxy names the signed-in user in; `None` turns proxy sign-on off.
    pub user_header: Option<HeaderName>,
    /// The role of a proxy-named user who has no Trailscope user; `None` refuses them.
    pub default_role: Option<Role>,
}

impl ProxySettings {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.trusted.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy, then the nearest address in
    /// `X-Forwarded-For` that is not one of ours (entries further left are the client's to forge).
    pub fn client_ip(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?;
        if !self.trusts(peer) {
            return Some(peer);
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|hop| hop.trim().parse().ok())
            .collect();
        Some(
            forwarded
                .iter()
                .rev()
                .find(|ip| !self.trusts(**ip))
                .or(forwarded.first())
                .copied()
                .unwrap_or(peer),
        )
    }

    /// The user a trusted proxy says is signed in, if sign-on is on and the peer is trusted.
    pub fn signed_in_user(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<String> {
        let header = self.user_header.as_ref()?;
        if !peer.is_some_and(|ip| self.trusts(ip)) {
            return None;
        }
        headers
            .get(header)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ProxySettings {
        ProxySettings {
            trusted: vec!["10.0.0.0/24".parse().expect("net")],
            user_header: Some(HeaderName::from_static("x-forwarded-user")),
            default_role: None,
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().expect("header"));
        }
        map
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().expect("ip"))
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let s = settings();
        let forged = headers(&[("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(s.client_ip(ip("203.0.113.5"), &forged), ip("203.0.113.5"));
        let via_proxy = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.20, 10.0.0.7")]);
        assert_eq!(
            s.client_ip(ip("10.0.0.2"), &via_proxy),
            ip("198.51.100.20"),
            "the nearest untrusted hop, not the forgeable leftmost"
        );
        assert_eq!(
            s.client_ip(ip("10.0.0.2"), &HeaderMap::new()),
            ip("10.0.0.2")
        );
        assert_eq!(s.client_ip(None, &via_proxy), None);
        assert_eq!(
            ProxySettings::default().client_ip(ip("10.0.0.2"), &via_proxy),
            ip("10.0.0.2"),
            "nothing trusted by default"
        );
    }

    #[test]
    fn the_user_header_counts_only_from_a_trusted_proxy_when_sign_on_is_on() {
        let s = settings();
        let named = headers(&[("x-forwarded-user", " alice ")]);
        assert_eq!(
            s.signed_in_user(ip("10.0.0.9"), &named).as_deref(),
            Some("alice")
        );
        assert_eq!(s.signed_in_user(ip("192.0.2.1"), &named), None);
        assert_eq!(s.signed_in_user(None, &named), None);
        let off = ProxySettings {
            user_header: None,
            ..settings()
        };
        assert_eq!(off.signed_in_user(ip("10.0.0.9"), &named), None);
    }
}
