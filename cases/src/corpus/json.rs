//! The JSON set: a pretty-printed array of customer-like records, pure ASCII.

use std::fmt::Write;

use super::english::{self, FIRST_NAMES, LAST_NAMES, PLACES};
use super::rng::Rng;

/// Exact size of the set, as Autobahn's file.
pub(super) const LEN: usize = 194_056;

/// A JSON value; strings hold only characters that need no escaping.
enum Value {
    Null,
    Bool(bool),
    /// A number, already formatted.
    Num(String),
    Str(String),
    Arr(Vec<Value>),
    Obj(Vec<(&'static str, Value)>),
}

impl Value {
    fn int(n: i64) -> Self {
        Self::Num(n.to_string())
    }

    /// A decimal with `places` digits after the point, from an integer count of units.
    fn fixed(units: i64, places: u32) -> Self {
        let scale = 10_u64.pow(places);
        let sign = if units < 0 { "-" } else { "" };
        let abs = units.unsigned_abs();
        Self::Num(format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = places as usize
        ))
    }

    /// Writes the value as `serde_json`'s pretty printer would: two-space indentation, one
    /// element per line, `[]`/`{}` when empty.
    fn write(&self, out: &mut String, depth: usize) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Num(n) => out.push_str(n),
            Self::Str(s) => {
                out.push('"');
                out.push_str(s);
                out.push('"');
            }
            Self::Arr(items) if items.is_empty() => out.push_str("[]"),
            Self::Obj(fields) if fields.is_empty() => out.push_str("{}"),
            Self::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    indent(out, depth + 1);
                    item.write(out, depth + 1);
                }
                out.push('\n');
                indent(out, depth);
                out.push(']');
            }
            Self::Obj(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    indent(out, depth + 1);
                    let _ = write!(out, "\"{key}\": ");
                    value.write(out, depth + 1);
                }
                out.push('\n');
                indent(out, depth);
                out.push('}');
            }
        }
    }
}

fn indent(out: &mut String, depth: usize) {
    out.extend(std::iter::repeat_n("  ", depth));
}

#[rustfmt::skip]
const TAGS: &[&str] = &[
    "priority", "wholesale", "retail", "newsletter", "returning", "verified", "pending",
    "archived", "partner", "trial", "enterprise", "nonprofit", "education", "export", "seasonal",
    "overdue", "referral", "beta", "legacy", "vip",
];

#[rustfmt::skip]
const COMPANY_WORDS: &[&str] = &[
    "Northwind", "Bluepeak", "Ironleaf", "Suncrest", "Harbor", "Quarry", "Lumen", "Fernway",
    "Cobalt", "Brightline", "Tidewater", "Oakridge", "Silverfox", "Meadow",
];

#[rustfmt::skip]
const COMPANY_KINDS: &[&str] = &[
    "Systems", "Trading", "Logistics", "Foods", "Labs", "Works", "Supply", "Partners", "Textiles",
    "Media",
];

const STREET_KINDS: &[&str] = &["Street", "Lane", "Road", "Avenue", "Way", "Close", "Row"];

const COUNTRIES: &[&str] = &["GB", "IE", "NZ", "AU", "CA", "US", "ZA", "NL", "DE", "DK"];

const COLOURS: &[&str] = &[
    "teal", "amber", "crimson", "olive", "navy", "ivory", "plum", "slate", "coral", "sage",
];

const STATUSES: &[&str] = &["active", "suspended", "closed", "pending"];

#[rustfmt::skip]
const PRODUCTS: &[&str] = &[
    "lamp", "kettle", "notebook", "umbrella", "backpack", "teapot", "blanket", "compass",
    "lantern", "scarf", "mug", "bicycle bell", "desk clock", "rain jacket",
];

fn hex_id(rng: &mut Rng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

fn date_time(rng: &mut Rng) -> String {
    format!(
        "{}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        rng.range(2012, 2024),
        rng.range(1, 12),
        rng.range(1, 28),
        rng.range(0, 23),
        rng.range(0, 59),
        rng.range(0, 59)
    )
}

/// One record; its last field, `about`, holds `about`.
fn record(rng: &mut Rng, id: i64, about: String) -> Value {
    let first = rng.pick(FIRST_NAMES);
    let last = rng.pick(LAST_NAMES);
    let company = format!("{} {}", rng.pick(COMPANY_WORDS), rng.pick(COMPANY_KINDS));
    let domain = company
        .split(' ')
        .next()
        .unwrap_or("mail")
        .to_ascii_lowercase();
    let tags = (0..rng.below(6))
        .map(|_| Value::Str(rng.pick(TAGS).to_owned()))
        .collect();
    let orders = (0..rng.below(4))
        .map(|_| {
            Value::Obj(vec![
                ("orderId", Value::int(rng.range(100_000, 999_999))),
                ("item", Value::Str(rng.pick(PRODUCTS).to_owned())),
                ("quantity", Value::int(rng.range(1, 12))),
                ("unitPrice", Value::fixed(rng.range(199, 25_000), 2)),
                ("shipped", Value::Bool(rng.chance(70))),
                ("placed", Value::Str(date_time(rng))),
            ])
        })
        .collect();
    let scores = (0..rng.range(0, 5))
        .map(|_| Value::int(rng.range(0, 100)))
        .collect();
    Value::Obj(vec![
        ("id", Value::int(id)),
        ("guid", Value::Str(hex_id(rng))),
        ("isActive", Value::Bool(rng.chance(60))),
        ("status", Value::Str(rng.pick(STATUSES).to_owned())),
        ("balance", Value::fixed(rng.range(-50_000, 5_000_000), 2)),
        ("age", Value::int(rng.range(18, 90))),
        (
            "name",
            Value::Obj(vec![
                ("first", Value::Str(first.to_owned())),
                ("last", Value::Str(last.to_owned())),
            ]),
        ),
        (
            "email",
            Value::Str(format!(
                "{}.{}@{domain}.example",
                first.to_ascii_lowercase(),
                last.to_ascii_lowercase()
            )),
        ),
        (
            "phone",
            Value::Str(format!(
                "+{} ({:03}) {:03}-{:04}",
                rng.range(1, 64),
                rng.range(100, 999),
                rng.range(0, 999),
                rng.range(0, 9999)
            )),
        ),
        ("company", Value::Str(company)),
        (
            "address",
            Value::Obj(vec![
                (
                    "street",
                    Value::Str(format!(
                        "{} {} {}",
                        rng.range(1, 480),
                        english::capitalized_noun(rng),
                        rng.pick(STREET_KINDS)
                    )),
                ),
                ("city", Value::Str(rng.pick(PLACES).to_owned())),
                (
                    "postcode",
                    Value::Str(format!("{:05}", rng.range(1000, 99_999))),
                ),
                ("country", Value::Str(rng.pick(COUNTRIES).to_owned())),
                (
                    "geo",
                    Value::Obj(vec![
                        ("lat", Value::fixed(rng.range(-89_999_999, 89_999_999), 6)),
                        ("lon", Value::fixed(rng.range(-179_999_999, 179_999_999), 6)),
                    ]),
                ),
            ]),
        ),
        ("registered", Value::Str(date_time(rng))),
        ("favoriteColor", Value::Str(rng.pick(COLOURS).to_owned())),
        (
            "manager",
            if rng.chance(30) {
                Value::Null
            } else {
                Value::int(rng.range(1, id.max(1)))
            },
        ),
        ("tags", Value::Arr(tags)),
        ("scores", Value::Arr(scores)),
        ("orders", Value::Arr(orders)),
        ("about", Value::Str(about)),
    ])
}

/// The whole document, exactly [`LEN`] bytes.
pub(super) fn generate() -> Vec<u8> {
    let mut rng = Rng::new(0x4a53_4f4e_2d31_322e);
    let mut out = String::with_capacity(LEN);
    out.push('[');
    let mut id = 1;
    loop {
        let mut record_text = String::new();
        let n = 1 + rng.below(3);
        let about = english::sentences(&mut rng, n);
        record(&mut rng, id, about).write(&mut record_text, 1);
        // Keep room for a final record (under 2 KB) and the closing bracket.
        if out.len() + record_text.len() + 2_000 > LEN {
            break;
        }
        out.push_str(if id == 1 { "\n  " } else { ",\n  " });
        out.push_str(&record_text);
        id += 1;
    }
    // The last record: its `about` text takes up whatever is left.
    let state = rng.next_u64();
    let mut probe = String::new();
    record(&mut Rng::new(state), id, String::new()).write(&mut probe, 1);
    let closing = "\n]\n";
    let left = LEN - out.len() - ",\n  ".len() - probe.len() - closing.len();
    let mut about = String::new();
    english::fill_sentences(&mut about, left, &mut rng);
    out.push_str(",\n  ");
    record(&mut Rng::new(state), id, about).write(&mut out, 1);
    out.push_str(closing);
    out.into_bytes()
}
