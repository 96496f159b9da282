//! Where the browser may be sent after logging in: only a path on this site (the `next` of `/login?next=…`).

/// Layers of percent-encoding undone before a target is judged; a target still encoded deeper is refused.
const MAX_DECODE_ROUNDS: usize = 4;

/// `next` itself when it names a path on this site, else `None`.
///
/// A browser resolves a `Location` by the WHATWG URL Standard, which is laxer than a glance suggests, so a
/// value is accepted only when it, and every percent-decoded form of it (up to [`MAX_DECODE_ROUNDS`] layers,
/// since a proxy, a framework or a later page may decode once more), is a path-absolute reference:
///
/// - It starts with `/`. Refused: `https://evil`, `javascript:…`, `\/evil` (a browser reads `\` as `/`).
/// - Its path (before the first `?` or `#`) has no `//` and no `\`. Refused: `//evil` (scheme-relative, another
///   host), `/\evil` (the same, as a browser reads it), `/%2F/evil`, `/%5Cevil`, `/%252F%252Fevil`.
/// - No ASCII control character, raw or decoded: browsers drop tabs and newlines anywhere in a URL, so
///   `/<TAB>/evil`, `/%09/evil` and `/%0a/evil` become `//evil`. The raw value is visible ASCII only (what a
///   request's own path and query are).
/// - No `.` or `..` path segment: `/.//evil` resolves to the path `//evil`, which a later redirect would send
///   off-site. Trailscope's own paths never have them.
///
/// Anything past that stays exactly as given, so `/events?user=alice&range=7d` and
/// `/trails/trail?arn=arn%3Aaws%3A…` come back unchanged.
pub fn same_origin_path(next: &str) -> Option<&str> {
    if !next.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    let mut layer = next.as_bytes().to_vec();
    for _ in 0..=MAX_DECODE_ROUNDS {
        if !is_path_absolute(&layer) {
            return None;
        }
        let decoded = percent_decode(&layer);
        if decoded == layer {
            return Some(next);
        }
        layer = decoded;
    }
    None
}

/// Where a successful login goes: `next` when [`same_origin_path`] accepts it, else the home page `/`.
pub fn after_login(next: Option<&str>) -> &str {
    next.and_then(same_origin_path).unwrap_or("/")
}

/// One layer of `next` (raw or decoded) as a browser would read it: a path-absolute reference whose path has
/// no `//`, no `\`, no dot segment, and no control character anywhere.
fn is_path_absolute(layer: &[u8]) -> bool {
    if layer.first() != Some(&b'/') || layer.iter().any(|b| b.is_ascii_control()) {
        return false;
    }
    let path_end = layer
        .iter()
        .position(|b| matches!(b, b'?' | b'#'))
        .unwrap_or(layer.len());
    let path = &layer[..path_end];
    let segments = path[1..].split(|b| *b == b'/').count();
    !path.contains(&b'\\')
        && path[1..]
            .split(|b| *b == b'/')
            .enumerate()
            .all(|(i, segment)| match segment {
                // Only the last segment may be empty (`/`, `/events/`); any other empty one means `//`.
                b"" => i + 1 == segments,
                b"." | b".." => false,
                _ => true,
            })
}

/// Undoes one layer of percent-encoding; a `%` not followed by two hex digits stays as it is.
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let escaped = match input.get(i..i + 3) {
            Some([b'%', hi, lo]) => hex(*hi).zip(hex(*lo)).map(|(h, l)| (h << 4) | l),
            _ => None,
        };
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(input[i]);
                i += 1;
            }
        }
    }
    out
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_on_this_site_are_kept_exactly() {
        for good in [
            "/",
            "/events/",
            "/events?user=alice&range=7d",
            "/trails/trail?arn=arn%3Aaws%3Acloudtrail%3Aus-east-1%3A111122223333%3Atrail%2Fmanagement",
            "/events?q=100%25",
            "/event?id=abc#raw",
            "/activity?range=custom&from=2026-11-01T10%3A00%3A00Z",
            "/events?resource=https%3A%2F%2Fexample.com%2Fx",
        ] {
            assert_eq!(same_origin_path(good), Some(good), "{good}");
            assert_eq!(after_login(Some(good)), good, "{good}");
        }
    }

    #[test]
    fn every_known_bypass_shape_falls_back_to_home() {
        for hostile in [
            "",
            "/\\evil.example/x",
            "//evil.example/x",
            "///evil.example",
            "/%2F/evil.example",
            "/%2f/evil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/%252F%252Fevil.example",
            "/%25252F%25252Fevil.example",
            "/%2525252F%2525252Fevil.example",
            "/\t/evil.example",
            "/%09/evil.example",
            "/%0a/evil.example",
            "/%0D%0A/evil.example",
            "/\n/evil.example",
            " //evil.example",
            "\\/evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "http:evil.example",
            "evil.example",
            "javascript:alert(1)",
            "/.//evil.example",
            "/./%2Fevil.example",
            "/%2e//evil.example",
            "/../evil.example",
            "/events/../../evil.example",
            "/events?x=1\r\nLocation: //evil.example",
            "/évènements",
        ] {
            assert_eq!(same_origin_path(hostile), None, "{hostile:?}");
            assert_eq!(after_login(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(after_login(None), "/");
    }

    #[test]
    fn slashes_in_the_query_are_not_the_path() {
        // Only the path decides the host; a query value may hold a URL.
        let next = "/events?q=//evil.example";
        assert_eq!(same_origin_path(next), Some(next));
        // But an encoded `?` does not end the raw path, so the `//` after it counts.
        assert_eq!(same_origin_path("/%3F//evil.example"), None);
    }

    #[test]
    fn percent_decoding_undoes_one_layer_and_keeps_stray_percents() {
        assert_eq!(percent_decode(b"/%252F%2f%zz%4"), b"/%2F/%zz%4".to_vec());
    }
}
