//! How each typed key is read from its text, the same from the file and from the environment
//! (where a list is comma-separated), with errors that name the refused value.
use anyhow::bail;
use app::model::billing::{Basis, EventClass, MicroUsd, PriceItem, PriceOverride, Volume};
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

/// `billing_prices`: a table of `ITEM[@REGION]` = dollars, or in the environment `ITEM[@REGION]=DOLLARS`
/// pairs, comma-separated.
pub(super) fn billing_prices<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<PriceOverride>, D::Error> {
    struct Prices;
    impl<'de> Visitor<'de> for Prices {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a table of item = \"dollars\", or item=dollars pairs")
        }
        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut pairs = Vec::new();
            while let Some((key, value)) = map.next_entry::<String, PriceText>()? {
                pairs.push((key, value.0));
            }
            Ok(pairs)
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
            split_list(text)
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) => Ok((k.trim().to_owned(), v.trim().to_owned())),
                    None => Err(E::custom(format!("{pair:?} is not item=dollars"))),
                })
                .collect()
        }
    }
    let pairs = d.deserialize_any(Prices)?;
    pairs
        .into_iter()
        .map(|(key, value)| {
            let (item, in_region) = match key.split_once('@') {
                Some((item, r)) => (item, Some(r.trim().to_owned())),
                None => (key.as_str(), None),
            };
            let Some(item) = PriceItem::from_key(item.trim()) else {
                let known: Vec<&str> = PriceItem::ALL.iter().map(|i| i.key()).collect();
                return Err(de::Error::custom(format!(
                    "{item:?} is not a priced item ({})",
                    known.join(", ")
                )));
            };
            if let Some(r) = &in_region {
                region(r).map_err(de::Error::custom)?;
            }
            let price = MicroUsd::parse_usd(&value)
                .map_err(|e| de::Error::custom(format!("{key}: {e}")))?;
            Ok(PriceOverride {
                item,
                region: in_region,
                price,
            })
        })
        .collect()
}

/// A price written as a string (`"2.00"`) or a TOML number (`2.0`, read through its decimal text).
struct PriceText(String);

impl<'de> Deserialize<'de> for PriceText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Text;
        impl Visitor<'_> for Text {
            type Value = String;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount of dollars like \"2.00\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
                Ok(v.to_owned())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
                Ok(format!("{v}"))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
                Ok(v.to_string())
            }
        }
        d.deserialize_any(Text).map(PriceText)
    }
}

/// One `[[billing_volumes]]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileVolume {
    account: String,
    region: String,
    class: String,
    events_per_month: u64,
}

/// `[[billing_volumes]]`: volumes entered by hand; in the environment a JSON array of the same tables.
pub(super) fn billing_volumes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Volume>, D::Error> {
    struct Volumes;
    impl<'de> Visitor<'de> for Volumes {
        type Value = Vec<FileVolume>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("[[billing_volumes]] tables, or a JSON array of them")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            Vec::<FileVolume>::deserialize(de::value::SeqAccessDeserializer::new(seq))
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
            serde_json::from_str(text)
                .map_err(|error| E::custom(format!("not a JSON array of volumes: {error}")))
        }
    }
    d.deserialize_any(Volumes)?
        .into_iter()
        .map(|v| {
            region(&v.region).map_err(de::Error::custom)?;
            let account_ok = v.account.len() == 12 && v.account.bytes().all(|b| b.is_ascii_digit());
            if !account_ok {
                return Err(de::Error::custom(format!(
                    "{:?} is not a 12-digit account ID",
                    v.account
                )));
            }
            let class: EventClass = v.class.parse().map_err(de::Error::custom)?;
            Ok(Volume {
                account: v.account,
                region: v.region,
                class,
                events_per_month: v.events_per_month,
                basis: Basis::Entered,
            })
        })
        .collect()
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
