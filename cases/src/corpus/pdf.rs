//! The PDF set: a PDF-1.4 file of text pages with large embedded images whose streams are
//! random bytes standing in for already-deflated data, so the file as a whole compresses
//! poorly, as real PDFs do.

use super::english;
use super::rng::{Rng, wrap};

/// Exact size of the set, as Autobahn's file.
pub(super) const LEN: usize = 1_042_328;

pub(super) const PAGES: usize = 20;
/// Objects 1-5 (catalogue, page tree, two fonts, info), then page, content and image per page.
const OBJECTS: usize = 5 + 3 * PAGES;
const STREAM_END: &str = "\nendstream\nendobj\n";

struct Writer {
    out: Vec<u8>,
    /// Byte offset of each object, by number (0 is the free-list head).
    offsets: Vec<usize>,
}

impl Writer {
    fn put(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    fn begin(&mut self, num: usize) {
        if let Some(slot) = self.offsets.get_mut(num) {
            *slot = self.out.len();
        }
        self.put(&format!("{num} 0 obj\n"));
    }

    /// A complete object with a dictionary and no stream.
    fn object(&mut self, num: usize, dict: &str) {
        self.begin(num);
        self.put(dict);
        self.put("\nendobj\n");
    }
}

fn page_obj(p: usize) -> usize {
    6 + 3 * p
}

/// The dictionary and `stream` keyword of an image of `len` stream bytes.
fn image_head(num: usize, width: i64, height: i64, len: usize) -> String {
    format!(
        "{num} 0 obj\n<< /Type /XObject /Subtype /Image /Width {width} /Height {height} \
         /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /Length {len} >>\n\
         stream\n"
    )
}

/// The cross-reference table, trailer and end marker for a table starting at `xref`.
fn trailer(offsets: &[usize], xref: usize, id: &str) -> String {
    let mut s = format!("xref\n0 {}\n0000000000 65535 f \n", OBJECTS + 1);
    for offset in offsets.iter().skip(1) {
        s.push_str(&format!("{offset:010} 00000 n \n"));
    }
    s.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R /ID [<{id}> <{id}>] >>\nstartxref\n{xref}\n%%EOF\n",
        OBJECTS + 1
    ));
    s
}

/// The text of one page's content stream: a heading, wrapped body text, one image.
fn content(rng: &mut Rng, p: usize) -> String {
    let mut s = format!(
        "BT\n/F2 16 Tf\n72 790 Td\n({}. {}) Tj\n/F1 10 Tf\n13 TL\n0 -26 Td\n",
        p + 1,
        super::rng::capitalized(&english::noun_phrase(rng))
    );
    let mut body = String::new();
    let n = 22 + rng.below(14);
    wrap(&mut body, &english::sentences(rng, n), 92);
    for line in body.lines() {
        s.push_str(&format!("({line}) Tj\nT*\n"));
    }
    s.push_str("ET\n");
    s.push_str(&format!(
        "q\n{} 0 0 {} {} {} cm\n/Im{p} Do\nQ",
        rng.range(240, 460),
        rng.range(160, 300),
        rng.range(72, 140),
        rng.range(60, 120)
    ));
    s
}

/// The whole file, exactly [`LEN`] bytes.
pub(super) fn generate() -> Vec<u8> {
    let mut rng = Rng::new(0x5044_462d_3132_2e35);
    let mut w = Writer {
        out: Vec::with_capacity(LEN),
        offsets: vec![0; OBJECTS + 1],
    };
    w.put("%PDF-1.4\n");
    // A comment of high bytes marks the file as binary for transfer programs.
    w.out.extend_from_slice(b"%\xe2\xe3\xcf\xd3\n");
    let contents: Vec<String> = (0..PAGES).map(|p| content(&mut rng, p)).collect();
    let kids: Vec<String> = (0..PAGES).map(|p| format!("{} 0 R", page_obj(p))).collect();
    w.object(1, "<< /Type /Catalog /Pages 2 0 R /PageMode /UseNone >>");
    w.object(
        2,
        &format!(
            "<< /Type /Pages /Kids [{}] /Count {PAGES} /MediaBox [0 0 595 842] >>",
            kids.join(" ")
        ),
    );
    w.object(
        3,
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    );
    w.object(
        4,
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    );
    w.object(
        5,
        "<< /Title (The Riverlands Gazetteer, Annual Report) /Author (Ampel corpus generator) \
         /Creator (ampel-cases) /Producer (ampel-cases corpus) \
         /CreationDate (D:20240101120000Z) >>",
    );
    // Share out what the text leaves to the images, by random weights; the last image takes
    // the exact remainder.
    let text: usize = contents.iter().map(String::len).sum();
    let budget = LEN.saturating_sub(text + 9_000);
    let weights: Vec<usize> = (0..PAGES).map(|_| 60 + rng.below(80)).collect();
    let total_weight: usize = weights.iter().sum();
    let id = format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64());
    for (p, (body, weight)) in contents.iter().zip(&weights).enumerate() {
        let page = page_obj(p);
        w.object(
            page,
            &format!(
                "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 3 0 R /F2 4 0 R >> \
                 /XObject << /Im{p} {} 0 R >> /ProcSet [/PDF /Text /ImageC] >> /Contents {} 0 R >>",
                page + 2,
                page + 1
            ),
        );
        w.begin(page + 1);
        w.put(&format!(
            "<< /Length {} >>\nstream\n{body}{STREAM_END}",
            body.len()
        ));
        let (width, height) = (rng.range(320, 1200), rng.range(240, 900));
        let num = page + 2;
        let last = p + 1 == PAGES;
        let len = if last {
            // Find the length that makes the file exactly LEN bytes; the lengths of the
            // decimal numbers involved settle after a step or two.
            let start = w.out.len();
            let mut len = LEN.saturating_sub(start + 2_000);
            for _ in 0..8 {
                let xref =
                    start + image_head(num, width, height, len).len() + len + STREAM_END.len();
                let total = xref + trailer(&w.offsets, xref, &id).len();
                if total == LEN {
                    break;
                }
                len = (len + LEN).saturating_sub(total);
            }
            len
        } else {
            budget * weight / total_weight
        };
        let head = image_head(num, width, height, len);
        if let Some(slot) = w.offsets.get_mut(num) {
            *slot = w.out.len();
        }
        w.put(&head);
        // A zlib header, then bytes as random as deflated data.
        w.out.extend_from_slice(&[0x78, 0x9c]);
        rng.fill(&mut w.out, len.saturating_sub(2));
        w.put(STREAM_END);
    }
    let xref = w.out.len();
    let tail = trailer(&w.offsets, xref, &id);
    w.put(&tail);
    w.out
}
