//! The data sets of the compression cases (Autobahn sections 12 and 13), generated.
//!
//! Autobahn echoes windows of five downloaded files that cannot be redistributed. These
//! stand-ins are of the same kind and exactly the same size, so window wrap-around follows
//! Autobahn's arithmetic, and they compress about as well; their content is our own, made
//! by seeded generators ([`DataSet::description`] says how), so per-message compressed sizes
//! differ from Autobahn's while the verdict logic is the same.
//!
//! | Set | Autobahn's file | Stand-in | Deflated to |
//! |---|---|---|---|
//! | [`Json`](DataSet::Json) | a large JSON document | pretty-printed invented records | 19 % |
//! | [`Bitmap`](DataSet::Bitmap) | the "Lena" greyscale BMP | synthetic photo-like scene | 83 % |
//! | [`GermanProse`](DataSet::GermanProse) | Goethe's *Faust I* | generated German verse drama | 35 % |
//! | [`Html`](DataSet::Html) | a large HTML page | generated gazetteer page | 20 % |
//! | [`Pdf`](DataSet::Pdf) | a PDF | PDF-1.4, random "deflated" image streams | 98 % |
//!
//! (Raw deflate at the default level, whole file.) Each set is built on first use (a few
//! milliseconds) and kept for the life of the process; generation uses integer arithmetic
//! only, so the bytes are the same on every platform.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

mod bitmap;
mod english;
mod html;
mod json;
mod pdf;
mod prose;
mod rng;

/// One data set of the compression cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataSet {
    /// A pretty-printed JSON document, pure ASCII, sent as text (194 056 bytes).
    Json,
    /// A 512×512 8-bit greyscale BMP, sent as binary (263 222 bytes).
    Bitmap,
    /// German verse and prose in UTF-8, sent as binary (222 218 bytes).
    GermanProse,
    /// An HTML5 page in UTF-8, mostly ASCII, sent as text (263 647 bytes).
    Html,
    /// A PDF file, mostly incompressible image streams, sent as binary (1 042 328 bytes).
    Pdf,
}

impl DataSet {
    /// Every set, in the order of Autobahn's cases 12.1 to 12.5.
    pub const ALL: [DataSet; 5] = [
        DataSet::Json,
        DataSet::Bitmap,
        DataSet::GermanProse,
        DataSet::Html,
        DataSet::Pdf,
    ];

    /// Position in [`DataSet::ALL`].
    fn index(self) -> usize {
        match self {
            Self::Json => 0,
            Self::Bitmap => 1,
            Self::GermanProse => 2,
            Self::Html => 3,
            Self::Pdf => 4,
        }
    }

    /// The set's size in bytes (that of Autobahn's file), known without generating it.
    pub const fn size(self) -> usize {
        match self {
            Self::Json => json::LEN,
            Self::Bitmap => bitmap::LEN,
            Self::GermanProse => prose::LEN,
            Self::Html => html::LEN,
            Self::Pdf => pdf::LEN,
        }
    }

    /// The set's bytes, generated on first use and then shared.
    pub fn bytes(self) -> &'static [u8] {
        static SETS: [OnceLock<Vec<u8>>; 5] = [const { OnceLock::new() }; 5];
        let generate = match self {
            Self::Json => json::generate,
            Self::Bitmap => bitmap::generate,
            Self::GermanProse => prose::generate,
            Self::Html => html::generate,
            Self::Pdf => pdf::generate,
        };
        SETS.get(self.index())
            .map_or(&[], |slot| slot.get_or_init(generate).as_slice())
    }

    /// True for the sets sent as text messages (JSON and HTML); the others go as binary,
    /// the German prose included, as in Autobahn.
    pub fn is_text(self) -> bool {
        matches!(self, Self::Json | Self::Html)
    }

    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "JSON document (ASCII)",
            Self::Bitmap => "Greyscale bitmap (BMP, 512x512)",
            Self::GermanProse => "German prose (UTF-8)",
            Self::Html => "HTML page (UTF-8)",
            Self::Pdf => "PDF document",
        }
    }

    /// One sentence: what the set is and how it was made.
    pub fn description(self) -> &'static str {
        match self {
            Self::Json => {
                "A pretty-printed JSON array of invented customer records (names, addresses, \
                 orders, tags), generated from small word lists by a seeded generator."
            }
            Self::Bitmap => {
                "A 512x512 8-bit greyscale BMP of a synthetic photo-like scene (gradients, \
                 shaded discs, straight edges, texture and grain), computed from a seed."
            }
            Self::GermanProse => {
                "A German verse drama with prose passages in UTF-8, composed by a seeded \
                 generator from a small vocabulary with correct articles and endings."
            }
            Self::Html => {
                "An HTML5 gazetteer page of invented towns (navigation, sections, lists, \
                 climate tables, quotations) with some accented and typographic characters."
            }
            Self::Pdf => {
                "A PDF-1.4 file of text pages with large image streams of seeded random bytes \
                 posing as deflated data, with a correct cross-reference table."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::time::Instant;

    use super::*;
    use crate::payload::sha1_hex;

    fn deflate_ratio(data: &[u8]) -> f64 {
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).unwrap();
        let compressed = encoder.finish().unwrap();
        compressed.len() as f64 / data.len() as f64
    }

    #[test]
    fn sizes_are_autobahns() {
        let expected = [194_056, 263_222, 222_218, 263_647, 1_042_328];
        for (set, len) in DataSet::ALL.into_iter().zip(expected) {
            assert_eq!(set.size(), len, "{set:?}");
            assert_eq!(set.bytes().len(), len, "{set:?}");
        }
        assert_eq!(14 + 40 + 1024 + 512 * 512, 263_222);
    }

    #[test]
    fn deterministic() {
        let mut total = std::time::Duration::ZERO;
        for set in DataSet::ALL {
            let start = Instant::now();
            let again = match set {
                DataSet::Json => json::generate(),
                DataSet::Bitmap => bitmap::generate(),
                DataSet::GermanProse => prose::generate(),
                DataSet::Html => html::generate(),
                DataSet::Pdf => pdf::generate(),
            };
            let took = start.elapsed();
            total += took;
            eprintln!("{set:?}: generated in {took:?}");
            assert!(again == set.bytes(), "{set:?} differs between runs");
        }
        eprintln!("all sets generated in {total:?}");
    }

    #[test]
    fn golden_digests() {
        // Pinned so that an accidental change to a generator shows; update deliberately.
        let expected = [
            (DataSet::Json, "377202699dc42cb295525ac25f22659d8a2786a2"),
            (DataSet::Bitmap, "0bdf774042f1773abed064edd6540aa1be370fac"),
            (
                DataSet::GermanProse,
                "479a1007ffd80272c209c8cb4ececea24884e784",
            ),
            (DataSet::Html, "74440b235d8e6fa03cf67b922f6ad033eb06c2d4"),
            (DataSet::Pdf, "65ad57e598a639bcf37eeb8a9af01cb4011a4c37"),
        ];
        for (set, digest) in expected {
            assert_eq!(sha1_hex(set.bytes()), digest, "{set:?}");
        }
    }

    #[test]
    fn text_sets() {
        let json = std::str::from_utf8(DataSet::Json.bytes()).unwrap();
        assert!(json.is_ascii());
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let records = value.as_array().unwrap();
        assert!(records.len() > 100, "{} records", records.len());
        assert!(
            records
                .iter()
                .all(|r| r["email"].is_string() && r["id"].is_i64())
        );
        assert!(json.starts_with("[\n  {\n    \"id\": 1,\n"));
        assert!(json.ends_with("\n  }\n]\n"));

        let html = std::str::from_utf8(DataSet::Html.bytes()).unwrap();
        assert!(!html.is_ascii());
        assert!(
            html.starts_with(
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
            )
        );
        assert!(html.ends_with("</body>\n</html>\n"));
        for tag in ["<nav>", "<table", "<ul>", "<h2>", "<a href=", "©", "€", "“"] {
            assert!(html.contains(tag), "{tag}");
        }
        let non_ascii = html.chars().filter(|c| !c.is_ascii()).count();
        assert!(
            non_ascii * 100 < html.len(),
            "{non_ascii} non-ASCII characters"
        );

        let german = std::str::from_utf8(DataSet::GermanProse.bytes()).unwrap();
        for c in ['ä', 'ö', 'ü', 'Ä', 'Ö', 'Ü', 'ß', ',', '.', '!', '?', ';'] {
            assert!(german.contains(c), "{c}");
        }
        assert!(german.ends_with(".\n"));

        for set in DataSet::ALL {
            let utf8 = std::str::from_utf8(set.bytes()).is_ok();
            assert!(utf8 || !set.is_text(), "{set:?}");
        }
        assert!(DataSet::Json.is_text() && DataSet::Html.is_text());
        assert!(!DataSet::Bitmap.is_text() && !DataSet::GermanProse.is_text());
        assert!(!DataSet::Pdf.is_text());
    }

    #[test]
    fn bitmap_header() {
        let b = DataSet::Bitmap.bytes();
        let u16_at = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        assert_eq!(&b[..2], b"BM");
        assert_eq!(u32_at(2), 263_222);
        assert_eq!(u32_at(10), 1078);
        assert_eq!(u32_at(14), 40);
        assert_eq!(u32_at(18), 512);
        assert_eq!(u32_at(22), 512);
        assert_eq!(u16_at(26), 1);
        assert_eq!(u16_at(28), 8);
        assert_eq!(u32_at(30), 0);
        assert_eq!(u32_at(34), 512 * 512);
        // Palette entry 200 is grey 200.
        assert_eq!(&b[54 + 4 * 200..54 + 4 * 201], &[200, 200, 200, 0]);
        // Photo-like: the pixels use most of the grey range.
        let mut seen = [false; 256];
        for &p in &b[1078..] {
            seen[usize::from(p)] = true;
        }
        assert!(seen.iter().filter(|&&s| s).count() > 150);
    }

    #[test]
    fn pdf_structure() {
        let b = DataSet::Pdf.bytes();
        assert!(b.starts_with(b"%PDF-1."));
        assert!(b.ends_with(b"%%EOF\n"));
        let tail = std::str::from_utf8(&b[b.len() - 40..]).unwrap_or_default();
        let startxref: usize = tail
            .split("startxref\n")
            .nth(1)
            .and_then(|s| s.lines().next())
            .and_then(|s| s.parse().ok())
            .unwrap();
        let objects = 5 + 3 * pdf::PAGES;
        let head = format!("xref\n0 {}\n", objects + 1);
        assert!(b[startxref..].starts_with(head.as_bytes()));
        // Every cross-reference entry points at "N 0 obj".
        let table = std::str::from_utf8(&b[startxref..]).unwrap();
        let entries: Vec<&str> = table.lines().skip(3).take(objects).collect();
        for (num, entry) in (1..).zip(entries) {
            let offset: usize = entry[..10].parse().unwrap();
            let head = format!("{num} 0 obj\n");
            assert!(b[offset..].starts_with(head.as_bytes()), "object {num}");
        }
        // Each stream's /Length is right: "endstream" follows exactly.
        let mut streams = 0;
        let mut at = 0;
        while let Some(pos) = find(&b[at..], b"/Length ") {
            let start = at + pos + 8;
            let digits = b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
            let len: usize = std::str::from_utf8(&b[start..start + digits])
                .unwrap()
                .parse()
                .unwrap();
            let data = start + find(&b[start..], b"stream\n").unwrap() + 7;
            assert!(
                b[data + len..].starts_with(b"\nendstream"),
                "stream at {data}"
            );
            streams += 1;
            at = data + len;
        }
        // A content stream and an image per page.
        assert_eq!(streams, 2 * pdf::PAGES);
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    #[test]
    fn compressibility() {
        let ranges = [
            (DataSet::Json, 0.10, 0.35),
            (DataSet::Bitmap, 0.75, 0.95),
            (DataSet::GermanProse, 0.35, 0.50),
            (DataSet::Html, 0.10, 0.40),
            (DataSet::Pdf, 0.85, 1.00),
        ];
        let measured: Vec<f64> = ranges
            .iter()
            .map(|&(set, _, _)| {
                let ratio = deflate_ratio(set.bytes());
                eprintln!("{set:?}: deflate ratio {ratio:.3}");
                ratio
            })
            .collect();
        for ((set, low, high), ratio) in ranges.into_iter().zip(measured) {
            assert!((low..=high).contains(&ratio), "{set:?}: {ratio:.3}");
        }
    }

    #[test]
    fn names_and_serde() {
        for set in DataSet::ALL {
            assert!(!set.name().is_empty());
            assert!(set.description().ends_with('.'));
        }
        assert_eq!(
            serde_json::to_string(&DataSet::GermanProse).unwrap(),
            "\"german-prose\""
        );
        assert_eq!(
            serde_json::from_str::<DataSet>("\"pdf\"").unwrap(),
            DataSet::Pdf
        );
    }
}
