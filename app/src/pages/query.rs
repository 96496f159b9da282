//! The page's query string, each value percent-decoded exactly once.
//!
//! leptos_router 0.8's `use_query` and `use_query_map` decode every query value twice: the URL parser
//! decodes it, then `ParamsMap::insert` decodes it again (leptos-rs/leptos#4731, fixed only on the 0.9
//! branch). A value holding a literal `%`, such as an S3 key `reports/100%25.csv` or a user agent, then
//! reads as something else: `?user=%250a` became a newline instead of `%0a`, so the page filtered on
//! another value than `/api/events/search` and the exports, which decode once. Pages read their query here
//! instead; the links they draw (`encode_component`) read back as the same filters.
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use leptos_router::params::{Params, ParamsError, ParamsMap};

/// The pairs of `search` (the query string, with or without its leading `?`) as a map whose values are
/// decoded once, as `application/x-www-form-urlencoded` reads them (`form_urlencoded`, the same code in the
/// browser and on the server): `+` is a space, `%XX` a byte, a malformed escape stays as written, invalid UTF-8
/// becomes U+FFFD. Keys are decoded the same way.
pub fn query_params(search: &str) -> ParamsMap {
    let mut map = ParamsMap::new();
    for (key, value) in form_urlencoded::parse(search.trim_start_matches('?').as_bytes()) {
        // `insert` percent-decodes the value it is given (with the browser's `decodeURIComponent` in the WASM):
        // hand it the decoded value escaped again, every byte but letters and digits, so that decode is exact.
        let escaped =
            percent_encoding::utf8_percent_encode(&value, percent_encoding::NON_ALPHANUMERIC);
        map.insert(key.into_owned(), escaped.to_string());
    }
    map
}

/// The page's query parsed into `T` (a `#[derive(Params)]` struct), tracking the URL. Replaces
/// leptos_router's `use_query` (see the module documentation for why).
pub fn use_query_once<T>() -> Memo<Result<T, ParamsError>>
where
    T: Params + PartialEq + Send + Sync + 'static,
{
    let search = use_location().search;
    Memo::new(move |_| search.with(|s| T::from_map(&query_params(s))))
}

/// The page's query as a map, tracking the URL. Replaces leptos_router's `use_query_map`.
pub fn use_query_map_once() -> Memo<ParamsMap> {
    let search = use_location().search;
    Memo::new(move |_| search.with(|s| query_params(s)))
}

#[cfg(test)]
mod tests {
    use super::query_params;
    use crate::model::events::EventQuery;
    use leptos_router::params::Params;

    /// Found by fuzzing (`fuzz/run url_query`): the link drawn for the identity `%0a` read back as a newline.
    #[test]
    fn an_events_link_reads_back_as_the_same_filters() {
        for user in ["%0a", "100%", "a+b c", "%2525", "ünïcode/ARN:x", "&=?#"] {
            let query = EventQuery::default().with("user", Some(user.to_owned()));
            let link = query.to_query_string();
            let again = EventQuery::from_map(&query_params(&link)).expect("a link parses");
            assert_eq!(again.user.as_deref(), Some(user), "the link {link}");
        }
    }

    #[test]
    fn a_value_holding_a_literal_percent_reads_as_written_once() {
        let map = query_params("?user=%250a&resource=reports%2F100%25.csv");
        assert_eq!(map.get_str("user"), Some("%0a"));
        assert_eq!(map.get_str("resource"), Some("reports/100%.csv"));
    }

    #[test]
    fn form_encoding_reads_plus_as_a_space_and_keeps_repeated_keys() {
        let map = query_params("agent=aws-cli%2F2+Python&id=a&id=b&empty&=x");
        assert_eq!(map.get_str("agent"), Some("aws-cli/2 Python"));
        assert_eq!(
            map.get_all("id"),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(map.get_str("empty"), Some(""));
    }

    #[test]
    fn a_malformed_escape_stays_as_written_and_bad_utf8_is_replaced() {
        assert_eq!(query_params("user=100%").get_str("user"), Some("100%"));
        assert_eq!(query_params("user=%zz").get_str("user"), Some("%zz"));
        assert_eq!(query_params("user=100%25%").get_str("user"), Some("100%%"));
        assert_eq!(
            query_params("user=caf%E9").get_str("user"),
            Some("caf\u{fffd}")
        );
    }
}
