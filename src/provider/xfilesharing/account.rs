//! The account's own figures: `account/info` (storage as bytes, `null` or `"inf"`; premium
//! expiry in either spelling) and `account/stats`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::provider::json::{opt_string, opt_u64, string_of, u64_of};

/// How much storage is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageLeft {
    /// The site says `"inf"`.
    Unlimited,
    Bytes(u64),
}

fn opt_storage_left<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<StorageLeft>, D::Error> {
    let value = Value::deserialize(d)?;
    if value
        .as_str()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("inf"))
    {
        return Ok(Some(StorageLeft::Unlimited));
    }
    Ok(u64_of(&value).map(StorageLeft::Bytes))
}

/// `account/info`'s result.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct AccountDetails {
    #[serde(default, deserialize_with = "opt_string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub balance: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub storage_used: Option<u64>,
    #[serde(default, deserialize_with = "opt_storage_left")]
    pub storage_left: Option<StorageLeft>,
    #[serde(default, deserialize_with = "opt_string")]
    pub premium_expire: Option<String>,
    /// The envelope's `server_time`: the site's clock, which premium expiry is compared with.
    #[serde(skip)]
    pub server_time: Option<String>,
    /// Every other field as sent (`traffic_left`, old sites' `premim_expire`, ...).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl AccountDetails {
    /// When premium ends: `premium_expire`, or the old spelling `premim_expire`.
    pub fn premium_until(&self) -> Option<String> {
        self.premium_expire
            .clone()
            .or_else(|| self.other.get("premim_expire").and_then(string_of))
            .filter(|d| !d.is_empty() && !d.starts_with("0000-00-00"))
    }

    /// Download traffic left in bytes, where the site says (`traffic_left`, a number or a
    /// numeric string; sizes such as "5 GB" are left to the extra facts).
    pub fn traffic_left(&self) -> Option<u64> {
        self.other.get("traffic_left").and_then(u64_of)
    }

    /// Whether premium runs past the site's own clock; `None` when either date is missing.
    pub fn is_premium(&self) -> Option<bool> {
        let (until, now) = (self.premium_until()?, self.server_time.as_deref()?);
        let comparable = |d: &str| d.len() == 19 && d.starts_with(|c: char| c.is_ascii_digit());
        (comparable(&until) && comparable(now)).then(|| until.as_str() > now)
    }
}

/// One element of `account/stats`' result (all figures as the site spells them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct DayStats {
    #[serde(default, deserialize_with = "opt_string")]
    pub day: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub downloads: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub views: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub sales: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub refs: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub profit_sales: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub profit_refs: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub profit_site: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub profit_total: Option<String>,
}
