//! How each typed key is read from its text, the same from the file and from the environment
//! (where a list is comma-separated), with errors that name the refused value.
use anyhow::bail;
use app::ssr::auth::Role;
use app::ssr::aws::{AwsAccount, Redacted};
use app::ssr::ingest::s3::S3Archive;
use axum::http::HeaderName;
use ipnet::IpNet;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, forward_to_deserialize_any};
use std::fmt;
use std::net::IpAddr;

/// `us-east-1,eu-west-1` → Regions, refusing anything that is not shaped like a Region name;
/// `from` names where the text came from.
pub fn parse_regions(value: &str, from: &str) -> anyhow::Result<Vec<String>> {
    split_list(value)
        .map(|r| match region(r) {
            Ok(region) => Ok(region),
            Err(reason) => bail!("{from}: {reason}"),
        })
        .collect()
}

fn split_list(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|v| !v.is_empty())
}

fn region(value: &str) -> Result<String, String> {
    let shaped = value.split('-').count() >= 3
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if shaped {
        Ok(value.to_owned())
    } else {
        Err(format!("{value:?} is not a Region name like us-east-1"))
    }
}

fn proxy(value: &str) -> Result<IpNet, String> {
    value
        .parse::<IpNet>()
        .or_else(|_| value.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{value:?} is not an address or range like 10.0.0.0/8"))
}

/// A list given as a TOML array or as comma-separated text, each item read by `parse`.
fn list<'de, D, T>(
    deserializer: D,
    parse: fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
{
    struct Items;
    impl<'de> Visitor<'de> for Items {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list or comma-separated text")
        }
        fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
            Ok(split_list(value).map(str::to_owned).collect())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element::<String>()? {
                items.push(item.trim().to_owned());
            }
            Ok(items)
        }
    }
    let items = deserializer.deserialize_any(Items)?;
    items
        .iter()
        .map(|item| parse(item).map_err(de::Error::custom))
        .collect()
}

/// `trusted_proxies`: addresses or CIDR ranges.
pub(super) fn proxies<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<IpNet>, D::Error> {
    list(d, proxy)
}

/// `s3_archives`: `s3://bucket[/prefix]` URLs.
pub(super) fn archives<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<S3Archive>, D::Error> {
    list(d, S3Archive::parse)
}

fn regions<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    list(d, region)
}

fn optional_region<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = String::deserialize(d)?;
    region(value.trim()).map(Some).map_err(de::Error::custom)
}

/// `proxy_user_header`: an HTTP header name.
pub(super) fn header<'de, D: Deserializer<'de>>(d: D) -> Result<Option<HeaderName>, D::Error> {
    let value = String::deserialize(d)?;
    HeaderName::try_from(value.trim())
        .map(Some)
        .map_err(|_| de::Error::custom(format!("{value:?} is not a header name")))
}

/// `proxy_default_role`: `viewer` or `admin`.
pub(super) fn role<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Role>, D::Error> {
    let value = String::deserialize(d)?;
    match Role::parse(value.trim()) {
        Some(role) => Ok(Some(role)),
        None => Err(de::Error::custom(format!(
            "{value:?} is not viewer or admin"
        ))),
    }
}

/// One `[[accounts]]` table of the file (see `Config::accounts`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAccount {
    name: Option<String>,
    profile: Option<String>,
    role_arn: Option<String>,
    /// A secret: kept in [`Redacted`] so it stays out of logs.
    external_id: Option<String>,
    #[serde(default, deserialize_with = "regions")]
    regions: Vec<String>,
    #[serde(default, deserialize_with = "optional_region")]
    identity_center_region: Option<String>,
    #[serde(default)]
    cost_explorer: bool,
}

/// `[[accounts]]`: the AWS accounts to read; in `TRAILSCOPE_ACCOUNTS`, the same tables as a JSON array
/// (`[{"name":"prod","role_arn":"arn:aws:iam::111122223333:role/TrailscopeReadOnly"}]`), so a container
/// configured by its environment alone can read accounts through roles.
pub(super) fn accounts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<AwsAccount>, D::Error> {
    struct Accounts;
    impl<'de> Visitor<'de> for Accounts {
        type Value = Vec<FileAccount>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("[[accounts]] tables, or a JSON array of them")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            Vec::<FileAccount>::deserialize(de::value::SeqAccessDeserializer::new(seq))
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
            serde_json::from_str(text)
                .map_err(|error| E::custom(format!("not a JSON array of accounts: {error}")))
        }
    }
    let accounts = d.deserialize_any(Accounts)?;
    Ok(accounts
        .into_iter()
        .map(|a| AwsAccount {
            name: a.name,
            profile: a.profile,
            role_arn: a.role_arn,
            external_id: a.external_id.map(Redacted),
            regions: a.regions,
            identity_center_region: a.identity_center_region,
            cost_explorer: a.cost_explorer,
        })
        .collect())
}

/// The keys a derived `Deserialize` reads: the field names it passes when it asks for a struct,
/// so the list of keys is the struct itself and never written out by hand.
pub(super) fn keys<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    struct Keys<'k>(&'k mut &'static [&'static str]);
    impl<'de> Deserializer<'de> for Keys<'_> {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("only a struct has keys"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(de::Error::custom("keys read"))
        }
        forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut keys: &'static [&'static str] = &[];
    // The error is the point: the struct's keys were read before it.
    let _ = T::deserialize(Keys(&mut keys));
    keys
}
