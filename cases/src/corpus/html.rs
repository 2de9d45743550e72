//! The HTML set: a long gazetteer page of invented towns, mostly ASCII with some typographic
//! and accented characters.

use std::fmt::Write;

use super::english::{self, PLACES};
use super::rng::Rng;

/// Exact size of the set, as Autobahn's file.
pub(super) const LEN: usize = 263_647;

const HEAD: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="An illustrated gazetteer of the Riverlands: towns, landmarks, climate tables and travel notes.">
<title>The Riverlands Gazetteer – Towns, Landmarks &amp; Travel Notes</title>
<style>
  body { font-family: Georgia, "Times New Roman", serif; line-height: 1.55; color: #1d1d1f; margin: 0; background: #fbfaf7; }
  header, main, footer { max-width: 62rem; margin: 0 auto; padding: 0 1.5rem; }
  header { border-bottom: 3px double #8a7f6a; padding-top: 2rem; }
  h1 { font-size: 2.4rem; margin: 0 0 .4rem; letter-spacing: .02em; }
  h2 { font-size: 1.6rem; border-bottom: 1px solid #d6d0c4; margin-top: 2.5rem; }
  h3 { font-size: 1.15rem; margin-bottom: .3rem; color: #4a4235; }
  nav { background: #f1ede4; border: 1px solid #d6d0c4; margin: 1.5rem auto; max-width: 60rem; }
  nav ol { columns: 3; margin: .8rem 0; }
  nav a, main a { color: #7b2d12; text-decoration: none; }
  nav a:hover, main a:hover { text-decoration: underline; }
  table.data { border-collapse: collapse; width: 100%; font-size: .92rem; }
  table.data th, table.data td { border: 1px solid #d6d0c4; padding: .25rem .5rem; text-align: right; }
  table.data th:first-child, table.data td:first-child { text-align: left; }
  table.data tbody tr:nth-child(even) { background: #f5f2eb; }
  blockquote { margin: 1rem 2rem; font-style: italic; color: #4a4235; }
  .lede { font-size: 1.15rem; color: #4a4235; }
  .note { font-size: .9rem; color: #6b6253; }
  footer { border-top: 1px solid #d6d0c4; margin-top: 3rem; padding-bottom: 2rem; font-size: .85rem; }
</style>
</head>
<body>
<header>
<h1>The Riverlands Gazetteer</h1>
<p class="lede">Towns, landmarks, climate tables and travel notes – compiled for walkers, cyclists and the merely curious. Prices in euro (€), temperatures in °C.</p>
</header>
"#;

#[rustfmt::skip]
const PEOPLE: &[&str] = &[
    "Renée Duval", "José Ortega", "Zoë Hartmann", "Björn Ekström", "Søren Lund",
    "François Girard", "Jürgen Weiß", "Chloé Marchand", "Łukasz Nowak", "Inês Sousa",
    "Ada Brennan", "Hugo Keller", "Mila Petrov", "Oskar Lindqvist", "Grace Okafor",
];

#[rustfmt::skip]
const TWINS: &[&str] = &[
    "Zürich", "Malmö", "Kraków", "São Paulo", "Montréal", "Düsseldorf", "Reykjavík", "Besançon",
    "Tromsø", "Győr", "Coimbra", "Ghent", "Leiden", "Bergen", "Lyon",
];

#[rustfmt::skip]
const MONTHS: &[&str] = &[
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
];

#[rustfmt::skip]
const SUFFIXES: &[&str] = &[
    "", " Harbour", " Junction", " Market", " Hill", " Mills", " Green",
];

/// A degree value with one decimal, from tenths.
fn tenths(v: i64) -> String {
    let sign = if v < 0 { "−" } else { "" };
    format!("{sign}{}.{}", v.abs() / 10, v.abs() % 10)
}

fn paragraph(rng: &mut Rng, out: &mut String) {
    let n = 2 + rng.below(5);
    let mut text = english::sentences(rng, n);
    match rng.below(8) {
        0 => {
            let _ = write!(
                text,
                " A single ticket costs €{}.{:02}; the day pass is €{}.{:02}.",
                rng.range(1, 4),
                rng.range(0, 99),
                rng.range(5, 12),
                rng.range(0, 99)
            );
        }
        1 => text.push_str(
            " Its café serves the whole quarter – and, locals insist, the best coffee south of \
             the river.",
        ),
        2 => {
            let _ = write!(
                text,
                " (Survey of {}–{}.)",
                rng.range(1860, 1910),
                rng.range(1911, 1990)
            );
        }
        _ => {}
    }
    let _ = writeln!(out, "<p>{text}</p>");
}

fn link(rng: &mut Rng, town: &str) -> String {
    let noun = rng.pick_skewed(english::NOUNS);
    let adj = rng.pick(english::ADJECTIVES);
    format!(
        r#"<a href="https://gazetteer.example/{}/{adj}-{noun}">The {adj} {noun}</a>"#,
        town.to_ascii_lowercase().replace(' ', "-")
    )
}

fn climate_table(rng: &mut Rng, out: &mut String) {
    out.push_str("<table class=\"data\">\n<thead><tr><th>Month</th><th>High (°C)</th><th>Low (°C)</th><th>Rain (mm)</th><th>Sunshine (h)</th></tr></thead>\n<tbody>\n");
    let base = rng.range(60, 140);
    for (i, month) in (0i64..).zip(MONTHS) {
        let season = 6 - (i - 6).abs(); // 0 in January, 6 in July
        let high = base + season * rng.range(22, 30);
        let low = high - rng.range(50, 110);
        let _ = writeln!(
            out,
            "<tr><td>{month}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            tenths(high),
            tenths(low),
            rng.range(20, 140),
            rng.range(40, 90) + season * rng.range(15, 25)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn section(rng: &mut Rng, number: usize, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<section id=\"s{number}\">\n<h2>{number}. {title}</h2>"
    );
    for _ in 0..1 + rng.below(3) {
        paragraph(rng, &mut out);
    }
    if rng.chance(70) {
        out.push_str("<h3>Landmarks</h3>\n<ul>\n");
        for _ in 0..2 + rng.below(6) {
            let _ = writeln!(
                out,
                "<li>{} – {}</li>",
                link(rng, title),
                english::clause(rng)
            );
        }
        out.push_str("</ul>\n");
    }
    if rng.chance(45) {
        out.push_str("<h3>Climate</h3>\n");
        climate_table(rng, &mut out);
        let _ = writeln!(
            out,
            "<p class=\"note\">Averages {}–{}, station at {} m above sea level.</p>",
            rng.range(1961, 1991),
            rng.range(1992, 2020),
            rng.range(2, 640)
        );
    }
    if rng.chance(35) {
        let _ = writeln!(
            out,
            "<blockquote><p>“{}”</p><p>— {}</p></blockquote>",
            english::sentence(rng),
            rng.pick(PEOPLE)
        );
    }
    if rng.chance(40) {
        out.push_str("<h3>History</h3>\n");
        for _ in 0..1 + rng.below(3) {
            paragraph(rng, &mut out);
        }
    }
    if rng.chance(25) {
        out.push_str("<h3>Getting there</h3>\n<ol>\n");
        for _ in 0..2 + rng.below(4) {
            let _ = writeln!(
                out,
                "<li>From {} take the {} ({} min).</li>",
                rng.pick(PLACES),
                english::noun_phrase(rng),
                rng.range(5, 95)
            );
        }
        out.push_str("</ol>\n");
    }
    let first = rng.below(TWINS.len());
    let second = (first + 1 + rng.below(TWINS.len() - 1)) % TWINS.len();
    let _ = writeln!(
        out,
        "<p class=\"note\">Twinned with {} and {}. Population {}.</p>\n</section>",
        TWINS[first],
        TWINS[second],
        rng.range(800, 250_000)
    );
    out
}

/// The whole page, exactly [`LEN`] bytes.
pub(super) fn generate() -> Vec<u8> {
    let mut rng = Rng::new(0x4854_4d4c_2d31_322e);
    let nav_open = "<nav>\n<ol>\n";
    let main_open = "</ol>\n</nav>\n<main>\n";
    let footer_open = "</main>\n<footer>\n<p>© Ampel contributors. Generated text; every town, person and timetable is invented. ";
    let close = "</p>\n</footer>\n</body>\n</html>\n";
    let fixed = HEAD.len() + nav_open.len() + main_open.len() + footer_open.len() + close.len();
    let mut nav = String::new();
    let mut body = String::new();
    let mut number = 1;
    loop {
        let place = PLACES[(number - 1) % PLACES.len()];
        let suffix = SUFFIXES[(number - 1) / PLACES.len() % SUFFIXES.len()];
        let title = format!("{place}{suffix}");
        let entry = format!("<li><a href=\"#s{number}\">{title}</a></li>\n");
        let text = section(&mut rng, number, &title);
        // Keep some room for the footer's closing words.
        if fixed + nav.len() + body.len() + entry.len() + text.len() + 200 > LEN {
            break;
        }
        nav.push_str(&entry);
        body.push_str(&text);
        number += 1;
    }
    let mut out = String::with_capacity(LEN);
    out.push_str(HEAD);
    out.push_str(nav_open);
    out.push_str(&nav);
    out.push_str(main_open);
    out.push_str(&body);
    out.push_str(footer_open);
    let left = LEN - out.len() - close.len();
    english::fill_sentences(&mut out, left, &mut rng);
    out.push_str(close);
    out.into_bytes()
}
