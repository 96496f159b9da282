//! A CloudTrail record as the rules read it, parsed only as far as they read it. Splitting the record's text
//! into its top-level members is a byte scan; a member is parsed into JSON the first time a rule (or rsigma's
//! candidate index, which picks the rules a record can match from the fields it holds) asks for a field under
//! it, and the whole record only for what needs every value (keyword rules) or for paths with brackets or
//! escapes. A plain value (a string without escapes, a boolean, null), at the top or under objects, is read
//! straight from the text (`record/scan.rs`), so most questions build nothing at all. Most records match no rule,
//! so most of each record is never built, which was most of the cost of evaluating (BENCHMARKS.md, Findings). Every answer is the one `rsigma_eval::JsonEvent` gives on the whole
//! record (the tests below compare them), so what matches is unchanged.
use rsigma_eval::{Event, EventValue, JsonEvent};
use serde_json::Value;
use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::ops::Range;

mod derived;
mod scan;
use scan::{plain, same_key, split_members, walk};

/// One top-level member of the record: its key, its value's byte range in the text (the last one when the key
/// is repeated, as `serde_json` keeps), and the value once parsed.
struct Member {
    key: Key,
    value: Range<usize>,
    parsed: OnceCell<Option<Value>>,
}

/// A member's key: where it is in the text (most keys: nothing to allocate), or unescaped when it has escapes.
enum Key {
    At(Range<usize>),
    Unescaped(Box<str>),
}

impl Key {
    fn as_str<'t>(&'t self, text: &'t str) -> &'t str {
        match self {
            Key::At(range) => text.get(range.clone()).unwrap_or_default(),
            Key::Unescaped(key) => key,
        }
    }
}

/// A record's JSON text with its members parsed on demand. `to_json` is only `{"event_id": eventID}`: what the
/// correlation windows keep of an event.
pub struct LazyRecord<'a> {
    text: Cow<'a, str>,
    /// `None` when the text is not a JSON object the scan understands: every question goes to the whole record.
    members: Option<Vec<Member>>,
    whole: OnceCell<Option<JsonEvent<'static>>>,
    whole_value: OnceCell<Option<Value>>,
    /// The fields Trailscope derives (`record/derived.rs`), once asked for.
    derived: OnceCell<Option<Value>>,
    /// Why a part the rules read could not be parsed (the evaluation reports the record as unreadable).
    failure: RefCell<Option<String>>,
}

impl<'a> LazyRecord<'a> {
    /// The record whose JSON text is `text`; nothing is parsed yet.
    pub fn new(text: impl Into<Cow<'a, str>>) -> Self {
        let text = text.into();
        let members = split_members(&text);
        Self {
            text,
            members,
            whole: OnceCell::new(),
            whole_value: OnceCell::new(),
            derived: OnceCell::new(),
            failure: RefCell::new(None),
        }
    }

    /// The same record owning its text, keeping what was parsed (to hand it to another thread).
    pub fn into_owned(self) -> LazyRecord<'static> {
        LazyRecord {
            text: Cow::Owned(self.text.into_owned()),
            members: self.members,
            whole: self.whole,
            whole_value: self.whole_value,
            derived: self.derived,
            failure: self.failure,
        }
    }

    /// Errors: why a part the rules read could not be parsed, if one could not.
    pub fn check(&self) -> Result<(), String> {
        match self.failure.borrow().as_ref() {
            Some(why) => Err(why.clone()),
            None => Ok(()),
        }
    }

    /// The value of top-level member `key`: what `serde_json::Value::get` answers on the whole record.
    pub fn top(&self, key: &str) -> Option<&Value> {
        if self.members.is_some() {
            return self.member_value(key);
        }
        self.whole_value
            .get_or_init(|| self.parse(&self.text))
            .as_ref()?
            .get(key)
    }

    fn parse(&self, text: &str) -> Option<Value> {
        match serde_json::from_str::<Value>(text) {
            Ok(value) => Some(value),
            Err(why) => {
                self.failure.borrow_mut().get_or_insert(why.to_string());
                None
            }
        }
    }

    fn whole_event(&self) -> Option<&JsonEvent<'static>> {
        self.whole
            .get_or_init(|| self.parse(&self.text).map(JsonEvent::owned))
            .as_ref()
    }

    fn member(&self, key: &str) -> Option<&Member> {
        let text: &str = &self.text;
        self.members
            .as_ref()?
            .iter()
            .find(|m| same_key(m.key.as_str(text), key))
    }

    /// The derived fields (`record/derived.rs`): `None` on a record that has none.
    fn derived(&self) -> Option<&Value> {
        self.derived
            .get_or_init(|| {
                let (Some(EventValue::Str(source)), Some(EventValue::Str(name))) =
                    (self.get_field("eventSource"), self.get_field("eventName"))
                else {
                    return None;
                };
                derived::derive(&source, &name, |pointer| {
                    let (root, rest) = pointer.strip_prefix('/')?.split_once('/')?;
                    self.top(root)?.pointer(&format!("/{rest}"))
                })
            })
            .as_ref()
    }

    fn member_value(&self, key: &str) -> Option<&Value> {
        self.parsed(self.member(key)?)
    }

    fn parsed<'s>(&'s self, member: &'s Member) -> Option<&'s Value> {
        member
            .parsed
            .get_or_init(|| self.parse(&self.text[member.value.clone()]))
            .as_ref()
    }
}

impl Event for LazyRecord<'_> {
    /// As `JsonEvent::get_field`: a top-level key equal to the whole path first, then the path's segments
    /// (separated by `.`, each crossing arrays member by member; several values found come back as an array).
    fn get_field(&self, path: &str) -> Option<EventValue<'_>> {
        // Derived fields first: a record cannot pose as one with a member of that name.
        if let Some(key) = path
            .strip_prefix(derived::ROOT)
            .and_then(|rest| rest.strip_prefix('.'))
        {
            if key == derived::IDENTITY {
                return derived::IDENTITY_FIELDS.iter().find_map(|field| {
                    match self.get_field(field) {
                        Some(EventValue::Str(s)) if !s.is_empty() => Some(EventValue::Str(s)),
                        _ => None,
                    }
                });
            }
            return self.derived()?.get(key).map(EventValue::from);
        }
        if self.members.is_none() {
            return self.whole_event()?.get_field(path);
        }
        // A plain value (a string without escapes, a boolean, null) is read from the text; others are parsed.
        if let Some(member) = self.member(path) {
            if let Some(value) = plain(&self.text, member.value.clone()) {
                return Some(value);
            }
            if let Some(value) = self.parsed(member) {
                return Some(EventValue::from(value));
            }
        }
        if !path.contains(['.', '[', '\\']) {
            return None;
        }
        if path.contains(['[', '\\']) || path.starts_with('.') {
            return self.whole_event()?.get_field(path);
        }
        let (root, rest) = path.split_once('.')?;
        let member = self.member(root)?;
        // Through objects only, to a plain value: from the text. Anything else: the member parsed.
        match walk(&self.text, member.value.clone(), rest) {
            Some(None) => return None,
            Some(Some(range)) => {
                if let Some(value) = plain(&self.text, range) {
                    return Some(value);
                }
            }
            None => {}
        }
        let value = self.parsed(member)?;
        let keys: Vec<&str> = rest.split('.').collect();
        let mut found = Vec::new();
        collect(value, &keys, &mut found);
        match found.len() {
            0 => None,
            1 => found.pop(),
            _ => Some(EventValue::Array(found)),
        }
    }

    fn any_string_value(&self, pred: &dyn Fn(&str) -> bool) -> bool {
        self.whole_event().is_some_and(|e| e.any_string_value(pred))
    }

    fn all_string_values(&self) -> Vec<Cow<'_, str>> {
        self.whole_event()
            .map(|e| e.all_string_values())
            .unwrap_or_default()
    }

    fn visit_string_values(&self, visit: &mut dyn FnMut(&str)) {
        if let Some(event) = self.whole_event() {
            event.visit_string_values(visit);
        }
    }

    fn to_json(&self) -> Value {
        let event_id = self
            .top("eventID")
            .and_then(Value::as_str)
            .unwrap_or_default();
        serde_json::json!({ "event_id": event_id })
    }

    fn top_level_keys(&self) -> Option<Vec<Cow<'_, str>>> {
        let mut keys = match &self.members {
            Some(members) => members
                .iter()
                .map(|m| Cow::from(m.key.as_str(&self.text)))
                .collect(),
            None => self.whole_event()?.top_level_keys()?,
        };
        // Always there: `trailscope.identity` is on (almost) every record.
        keys.push(Cow::Borrowed(derived::ROOT));
        Some(keys)
    }

    fn visit_top_level_keys(&self, visit: &mut dyn FnMut(&str)) -> bool {
        visit(derived::ROOT);
        match &self.members {
            Some(members) => {
                members.iter().for_each(|m| visit(m.key.as_str(&self.text)));
                true
            }
            None => self
                .whole_event()
                .is_some_and(|e| e.visit_top_level_keys(visit)),
        }
    }
}

/// The values at `keys` under `current`, arrays crossed member by member (`JsonEvent`'s path walk).
fn collect<'v>(current: &'v Value, keys: &[&str], out: &mut Vec<EventValue<'v>>) {
    let Some((key, rest)) = keys.split_first() else {
        out.push(EventValue::from(current));
        return;
    };
    match current {
        Value::Object(map) => {
            if let Some(next) = map.get(*key) {
                collect(next, rest, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect(item, keys, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = r#"{
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice",
            "sessionContext": {"sessionIssuer": {"userName": "Admin"}, "attributes": {"mfaAuthenticated": "true"}}},
        "eventTime": "2026-11-20T10:00:00Z", "eventSource": "s3.amazonaws.com", "eventName": "PutBucketPolicy",
        "requestParameters": {"bucketName": "logs", "policy": [{"Effect": "Allow"}, {"Effect": "Deny", "n": 2}],
            "quote\"d": "x]}", "nothing": null, "escaped": "a\u0041b", "flag": true, "nested": {"n": 1, "n": "last"}},
        "resources": [{"ARN": "arn:aws:s3:::logs", "type": "AWS::S3::Bucket"}, {"ARN": "arn:aws:s3:::other"}],
        "userIdentity.type": "flat key wins",
        "event\u004eame": "escaped key",
        "readOnly": false, "count": 12, "ratio": 0.5,
        "eventName": "RepeatedKeyLastWins",
        "eventID": "3f0c9b6e-0000-4000-8000-000000000001"
    }"#;

    const PATHS: &[&str] = &[
        "eventName",
        "eventSource",
        "userIdentity.type",
        "userIdentity.arn",
        "userIdentity.sessionContext.sessionIssuer.userName",
        "userIdentity.sessionContext.attributes",
        "userIdentity",
        "requestParameters.policy.Effect",
        "requestParameters.policy.n",
        "requestParameters.quote\"d",
        "requestParameters.nothing",
        "requestParameters.escaped",
        "requestParameters.flag",
        "requestParameters.nested.n",
        "requestParameters.nested.absent",
        "requestParameters.bucketName.deeper",
        "userIdentity.sessionContext.attributes.mfaAuthenticated",
        "userIdentity.sessionContext.absent.deeper",
        "requestParameters.absent",
        "resources.ARN",
        "resources.type",
        "resources[0].ARN",
        "resources[-1].ARN",
        "readOnly",
        "count",
        "ratio",
        "absent",
        "absent.child",
        ".eventName",
        "eventName.",
        "requestParameters..bucketName",
        "event\\[Name",
    ];

    #[test]
    fn every_field_reads_as_on_the_whole_record() {
        let whole: Value = serde_json::from_str(RECORD).expect("json");
        let reference = JsonEvent::borrow(&whole);
        let lazy = LazyRecord::new(RECORD);
        for path in PATHS {
            assert_eq!(lazy.get_field(path), reference.get_field(path), "{path}");
        }
        for key in ["eventName", "userIdentity", "absent", "event\u{4e}ame"] {
            assert_eq!(lazy.top(key), whole.get(key), "{key}");
        }
        let mut keys = Vec::new();
        assert!(lazy.visit_top_level_keys(&mut |k| keys.push(k.to_owned())));
        let mut expected = Vec::new();
        assert!(reference.visit_top_level_keys(&mut |k| expected.push(k.to_owned())));
        expected.insert(0, "trailscope".to_owned());
        assert_eq!(
            keys, expected,
            "the record's keys and the derived fields' one"
        );
        assert_eq!(lazy.all_string_values(), reference.all_string_values());
        assert!(lazy.any_string_value(&|s| s == "x]}"));
        assert_eq!(
            lazy.to_json(),
            serde_json::json!({"event_id": "3f0c9b6e-0000-4000-8000-000000000001"})
        );
        assert_eq!(lazy.check(), Ok(()));
    }

    #[test]
    fn a_policy_call_carries_the_derived_field_and_a_record_cannot_pose_as_having_it() {
        let text = r#"{"eventSource": "s3.amazonaws.com", "eventName": "PutBucketPolicy",
            "trailscope": {"policyAllowsAnyone": false}, "trailscope.policyAllowsAnyone": false,
            "requestParameters": {"bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": "*"}]}}}"#;
        let lazy = LazyRecord::new(text);
        assert_eq!(
            lazy.get_field("trailscope.policyAllowsAnyone"),
            Some(EventValue::Bool(true))
        );
        let mut keys = Vec::new();
        lazy.visit_top_level_keys(&mut |k| keys.push(k.to_owned()));
        assert!(keys.contains(&"trailscope".to_owned()), "{keys:?}");
        let other = LazyRecord::new(
            r#"{"eventSource": "s3.amazonaws.com", "eventName": "GetBucketPolicy"}"#,
        );
        assert_eq!(other.get_field("trailscope.policyAllowsAnyone"), None);
    }

    #[test]
    fn what_is_not_an_object_is_read_whole_and_a_bad_member_is_reported() {
        for text in ["[1, 2]", "\"text\"", "{}", " { } "] {
            let whole: Value = serde_json::from_str(text).expect("json");
            let lazy = LazyRecord::new(text);
            for path in ["eventName", "a.b", "[0]"] {
                assert_eq!(
                    lazy.get_field(path),
                    JsonEvent::borrow(&whole).get_field(path),
                    "{text} {path}"
                );
            }
        }
        let lazy = LazyRecord::new(r#"{"eventName": "Fine", "broken": tru}"#);
        assert_eq!(
            lazy.get_field("eventName"),
            Some(EventValue::Str("Fine".into()))
        );
        assert_eq!(lazy.check(), Ok(()), "nothing read the broken member yet");
        assert_eq!(lazy.get_field("broken"), None);
        assert!(lazy.check().is_err(), "reading it is an error");
    }
}
