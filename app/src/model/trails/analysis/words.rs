//! Small helpers that turn wire values into words.

/// A member that is absent, `null`, empty or blank is none (moto sends `""` for unset strings).
pub(super) fn text(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Whole seconds from a wire time (epoch seconds with milliseconds) to `now`; never negative.
pub(super) fn age(now: i64, at: Option<f64>) -> Option<i64> {
    at.filter(|t| t.is_finite())
        .map(|t| now.saturating_sub(t.floor() as i64).max(0))
}

/// The smaller age, where `None` means "never".
pub(super) fn newest(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    a.into_iter().chain(b).min()
}

/// "4 min ago", "3 h ago", "5 days ago".
pub(super) fn ago(secs: i64) -> String {
    match secs {
        ..60 => "under a minute ago".to_owned(),
        60..3_600 => format!("{} min ago", secs / 60),
        3_600..172_800 => format!("{} h ago", secs / 3_600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

pub(super) fn scope(multi_region: bool) -> &'static str {
    if multi_region {
        "multi-Region"
    } else {
        "single-Region"
    }
}

pub(super) fn is_are(count: usize) -> &'static str {
    if count == 1 { "is" } else { "are" }
}

/// The `region` of a gap about these Regions (`None` for several) and "in …" naming them.
pub(super) fn place(regions: &[&str]) -> (Option<String>, String) {
    match regions {
        [one] => (Some((*one).to_owned()), format!("in {one}")),
        _ => (
            None,
            format!("in {} Regions ({})", regions.len(), and_list(regions)),
        ),
    }
}

pub(super) fn single(items: &[&str]) -> Option<String> {
    match items {
        [one] => Some((*one).to_owned()),
        _ => None,
    }
}

pub(super) fn unread_note(unreadable: usize) -> String {
    match unreadable {
        0 => String::new(),
        1 => "; 1 Region could not be read, so a trail may be missing here".to_owned(),
        n => format!("; {n} Regions could not be read, so a trail may be missing here"),
    }
}

/// `a`, `a and b`, `a, b and c`.
pub(super) fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [only] => only.as_ref().to_owned(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}

pub(super) fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

pub(super) fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
