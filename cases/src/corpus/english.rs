//! A small English vocabulary and sentence patterns, shared by the JSON, HTML and PDF sets.

use super::rng::Rng;

#[rustfmt::skip]
pub(super) const NOUNS: &[&str] = &[
    "river", "harbour", "market", "bridge", "garden", "station", "library", "tower", "valley",
    "village", "council", "festival", "railway", "museum", "school", "island", "forest",
    "quarter", "square", "street", "canal", "mill", "orchard", "workshop", "theatre", "chapel",
    "lighthouse", "ferry", "tram", "district", "archive", "harvest", "winter", "summer",
    "evening", "morning", "traveller", "merchant", "painter", "teacher", "engineer", "baker",
    "fisher", "gardener", "mayor", "visitor", "neighbour", "committee", "map", "clock", "lamp",
    "window", "roof", "courtyard", "fountain", "meadow", "hill", "coast", "road", "path",
    "season", "record", "report", "letter", "ledger", "timetable", "schedule", "network",
    "signal", "platform", "ticket", "budget", "survey", "census", "climate", "landscape",
];

pub(super) const ADJECTIVES: &[&str] = &[
    "old", "new", "quiet", "busy", "narrow", "wide", "northern", "southern", "eastern", "western",
    "small", "large", "famous", "local", "historic", "modern", "green", "grey", "bright", "early",
    "late", "annual", "weekly", "public", "private", "wooden", "stone", "upper", "lower",
    "central", "outer", "former", "gentle", "steep", "shallow", "deep", "crowded", "empty",
    "popular", "hidden", "restored", "seasonal", "regional", "official",
];

#[rustfmt::skip]
pub(super) const VERBS: &[&str] = &[
    "connects", "follows", "crosses", "overlooks", "borders", "supplies", "serves", "hosts",
    "attracts", "houses", "replaces", "joins", "reaches", "passes", "surrounds", "divides",
    "shelters", "records", "describes", "includes", "welcomes", "feeds", "drains", "links",
    "marks", "opens", "closes", "faces", "shapes", "protects", "celebrates", "remembers",
];

#[rustfmt::skip]
pub(super) const ADVERBS: &[&str] = &[
    "quietly", "slowly", "usually", "often", "rarely", "still", "once", "always", "mostly",
    "partly", "largely", "briefly", "gradually", "recently", "originally", "formally",
    "regularly", "seasonally", "nearly", "barely",
];

pub(super) const PREPOSITIONS: &[&str] = &[
    "near", "beside", "behind", "above", "below", "across", "along", "beyond", "around", "past",
    "towards", "within", "outside", "between", "under",
];

pub(super) const CONNECTIVES: &[&str] = &[
    "and", "while", "because", "although", "so", "but", "whereas", "since", "until", "after",
];

pub(super) const FIRST_NAMES: &[&str] = &[
    "Ada", "Ben", "Clara", "David", "Elena", "Felix", "Grace", "Hugo", "Iris", "Jonas", "Kira",
    "Leon", "Maya", "Noah", "Olga", "Paul", "Quinn", "Rosa", "Samuel", "Tara", "Uma", "Victor",
    "Wanda", "Xavier", "Yara", "Zane", "Alice", "Bruno", "Cecile", "Dmitri", "Esther", "Farid",
    "Greta", "Henrik", "Ines", "Joel", "Katja", "Lars", "Mila", "Nils", "Oskar", "Petra",
];

#[rustfmt::skip]
pub(super) const LAST_NAMES: &[&str] = &[
    "Abbott", "Brennan", "Castillo", "Dawson", "Eriksen", "Fischer", "Gallagher", "Hartmann",
    "Ibarra", "Jansen", "Keller", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov",
    "Quinlan", "Romano", "Schmidt", "Tanaka", "Underwood", "Vasquez", "Weber", "Yilmaz", "Zimmer",
    "Alvarez", "Becker", "Costa", "Duarte", "Evans", "Ferreira", "Novak", "Haas",
];

#[rustfmt::skip]
pub(super) const PLACES: &[&str] = &[
    "Fairhaven", "Millbrook", "Stonebridge", "Ashford", "Redcliff", "Oakmere", "Westmoor",
    "Brightwater", "Elmstead", "Kingsport", "Northfield", "Larkhill", "Greywell", "Hollowmere",
    "Riverton", "Saltmarsh", "Thornbury", "Windmere", "Copperfield", "Eastbrook",
];

/// A noun phrase: "the old mill", "a quiet harbour", "Fairhaven's market".
pub(super) fn noun_phrase(rng: &mut Rng) -> String {
    let noun = rng.pick_skewed(NOUNS);
    match rng.below(5) {
        0 => format!("the {noun}"),
        1 => format!("{}'s {noun}", rng.pick(PLACES)),
        2 => {
            let adj = rng.pick(ADJECTIVES);
            let article = if adj.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            format!("{article} {adj} {noun}")
        }
        _ => format!("the {} {noun}", rng.pick_skewed(ADJECTIVES)),
    }
}

/// One clause without a final full stop: "the old mill still faces the canal".
pub(super) fn clause(rng: &mut Rng) -> String {
    let subject = noun_phrase(rng);
    let verb = rng.pick_skewed(VERBS);
    let object = noun_phrase(rng);
    match rng.below(4) {
        0 => format!("{subject} {} {verb} {object}", rng.pick(ADVERBS)),
        1 => format!(
            "{subject} {verb} {object} {} {}",
            rng.pick(PREPOSITIONS),
            noun_phrase(rng)
        ),
        _ => format!("{subject} {verb} {object}"),
    }
}

/// A sentence with a capital letter and a full stop.
pub(super) fn sentence(rng: &mut Rng) -> String {
    let mut s = clause(rng);
    if rng.chance(35) {
        s.push_str(if rng.chance(50) { ", " } else { " " });
        s.push_str(rng.pick(CONNECTIVES));
        s.push(' ');
        s.push_str(&clause(rng));
    }
    s.push('.');
    super::rng::capitalized(&s)
}

/// Several sentences separated by spaces.
pub(super) fn sentences(rng: &mut Rng, n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&sentence(rng));
    }
    out
}

/// Fillers of 1 to 11 bytes for [`super::rng::fill_exact`].
#[rustfmt::skip]
pub(super) const FILLERS: &[&str] = &[
    "a", "an", "and", "also", "again", "across", "against", "although", "afterward", "altogether",
    "accordingly",
];

/// A noun with a capital letter, for street and section names.
pub(super) fn capitalized_noun(rng: &mut Rng) -> String {
    super::rng::capitalized(rng.pick(NOUNS))
}

/// Appends sentences and then a few closing words, exactly `len` bytes in all.
pub(super) fn fill_sentences(out: &mut String, len: usize, rng: &mut Rng) {
    let goal = out.len() + len;
    // Sentences while they fit (a few tries for a short one at the end), then words.
    let mut misses = 0;
    while misses < 30 {
        let next = sentence(rng);
        if out.len() + next.len() + 1 + 30 > goal {
            misses += 1;
            continue;
        }
        out.push_str(&next);
        out.push(' ');
    }
    let mut last = String::new();
    super::rng::fill_exact(&mut last, goal - out.len(), rng, NOUNS, FILLERS, ".");
    out.push_str(&super::rng::capitalized(&last));
}
