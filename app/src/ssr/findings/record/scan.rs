//! The byte scans behind [`super::LazyRecord`]: a JSON object's members, a value's extent, and the plain values
//! (strings without escapes, `true`, `false`, `null`) read from the text without building a `serde_json::Value`.
//! Strings and nesting are followed, nothing else is checked: a value the scan cannot decide is left to the parser.
use super::{Key, Member};
use rsigma_eval::EventValue;
use std::borrow::Cow;
use std::cell::OnceCell;
use std::ops::Range;

/// Whether two keys are equal: lengths and end bytes first, which tell most keys apart without comparing the rest.
pub(super) fn same_key(a: &str, b: &str) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    x.len() == y.len() && x.first() == y.first() && x.last() == y.last() && x == y
}

/// The value at `range` of `text` when it is plain: a string without escapes or control characters (borrowed),
/// `true`, `false` or `null`. `None` for anything else (the parser reads it).
pub(super) fn plain(text: &str, range: Range<usize>) -> Option<EventValue<'_>> {
    let value = text.get(range)?;
    match value {
        "true" => Some(EventValue::Bool(true)),
        "false" => Some(EventValue::Bool(false)),
        "null" => Some(EventValue::Null),
        _ => {
            let inner = value.strip_prefix('"')?.strip_suffix('"')?;
            let clean = inner.bytes().all(|b| b != b'\\' && b != b'"' && b >= 0x20);
            clean.then_some(EventValue::Str(Cow::Borrowed(inner)))
        }
    }
}

/// Where the `.`-separated `keys` lead from the value at `range` of `text`, when objects alone are crossed:
/// `Some(Some(range))` the value found, `Some(None)` nothing there (a key missing, or a scalar on the way).
/// `None` when only the parser can tell: an array crossed, a key with escapes, text the scan does not follow.
pub(super) fn walk(
    text: &str,
    mut range: Range<usize>,
    keys: &str,
) -> Option<Option<Range<usize>>> {
    let bytes = text.as_bytes();
    for key in keys.split('.') {
        match bytes.get(range.start)? {
            b'{' => match find_member(text, range.start, key)? {
                Some(found) => range = found,
                None => return Some(None),
            },
            b'[' => return None,
            _ => return Some(None),
        }
    }
    Some(Some(range))
}

/// The value of member `key` of the object starting at `start` (the last one when repeated, as `serde_json`
/// keeps): `Some(None)` when it has no such member, `None` when the scan cannot tell.
fn find_member(text: &str, start: usize, key: &str) -> Option<Option<Range<usize>>> {
    let bytes = text.as_bytes();
    let mut i = skip_space(bytes, start + 1);
    let mut found = None;
    if bytes.get(i) == Some(&b'}') {
        return Some(None);
    }
    loop {
        if bytes.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = string_end(bytes, i)?;
        let raw = text.get(i + 1..key_end - 1)?;
        if raw.contains('\\') {
            return None;
        }
        i = skip_space(bytes, key_end);
        if bytes.get(i) != Some(&b':') {
            return None;
        }
        let value_start = skip_space(bytes, i + 1);
        let end = value_end(bytes, value_start)?;
        if same_key(raw, key) {
            found = Some(value_start..end);
        }
        i = skip_space(bytes, end);
        match bytes.get(i) {
            Some(b',') => i = skip_space(bytes, i + 1),
            Some(b'}') => return Some(found),
            _ => return None,
        }
    }
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while bytes
        .get(i)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        i += 1;
    }
    i
}

/// The index after the string starting with the quote at `start`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        i += memchr::memchr2(b'"', b'\\', bytes.get(i..)?)?;
        match bytes[i] {
            b'\\' => i += 2,
            _ => return Some(i + 1),
        }
    }
}

/// The index after the JSON value starting at `start` (strings and nesting only; no checking of scalars,
/// which the parser checks when the value is read).
fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    match bytes.get(start)? {
        b'"' => string_end(bytes, start),
        b'{' | b'[' => {
            let (mut depth, mut i) = (0usize, start);
            while let Some(&b) = bytes.get(i) {
                match b {
                    b'"' => {
                        i = string_end(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let mut i = start;
            while bytes
                .get(i)
                .is_some_and(|b| !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
            {
                i += 1;
            }
            (i > start).then_some(i)
        }
    }
}

/// The top-level members of the JSON object `text`, or `None` when it is not one (then the whole record is
/// parsed for every question).
pub(super) fn split_members(text: &str) -> Option<Vec<Member>> {
    let bytes = text.as_bytes();
    let mut i = skip_space(bytes, 0);
    if bytes.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_space(bytes, i + 1);
    let mut members: Vec<Member> = Vec::with_capacity(24);
    if bytes.get(i) == Some(&b'}') {
        return (skip_space(bytes, i + 1) == bytes.len()).then_some(members);
    }
    loop {
        if bytes.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = string_end(bytes, i)?;
        let raw = text.get(i + 1..key_end - 1)?;
        let key = if raw.contains('\\') {
            Key::Unescaped(
                serde_json::from_str::<String>(text.get(i..key_end)?)
                    .ok()?
                    .into(),
            )
        } else {
            Key::At(i + 1..key_end - 1)
        };
        i = skip_space(bytes, key_end);
        if bytes.get(i) != Some(&b':') {
            return None;
        }
        let start = skip_space(bytes, i + 1);
        let end = value_end(bytes, start)?;
        let name = key.as_str(text);
        match members
            .iter_mut()
            .find(|m| same_key(m.key.as_str(text), name))
        {
            Some(member) => member.value = start..end,
            None => members.push(Member {
                key,
                value: start..end,
                parsed: OnceCell::new(),
            }),
        }
        i = skip_space(bytes, end);
        match bytes.get(i) {
            Some(b',') => i = skip_space(bytes, i + 1),
            Some(b'}') => return (skip_space(bytes, i + 1) == bytes.len()).then_some(members),
            _ => return None,
        }
    }
}
