//! The German set: a verse drama with prose passages, composed from a small vocabulary with
//! correct articles and adjective endings (nominative, accusative, dative).

use super::rng::{Rng, capitalized, fill_exact, wrap};

/// Exact size of the set, as Autobahn's file.
pub(super) const LEN: usize = 222_218;

#[derive(Clone, Copy)]
enum Gender {
    M,
    F,
    N,
}

/// Nouns as "gender:word".
#[rustfmt::skip]
const NOUNS: &[&str] = &[
    "m:Wald", "f:Nacht", "n:Haus", "f:Seele", "m:Himmel", "n:Licht", "f:Welt", "m:Geist", "m:Tag",
    "f:Sonne", "n:Glück", "m:Traum", "f:Stadt", "m:Mond", "n:Feuer", "f:Straße", "m:Fluss",
    "n:Wasser", "f:Brücke", "m:Berg", "f:Mühle", "n:Lied", "m:Baum", "f:Tür", "n:Wort", "m:Wind",
    "f:Kammer", "n:Leben", "m:Sturm", "f:Flamme", "n:Mädchen", "m:Garten", "f:Quelle",
    "n:Fenster", "m:König", "f:Blume", "n:Dorf", "m:Wanderer", "f:Rose", "n:Schloss", "m:Schüler",
    "f:Stimme", "n:Tal", "m:Becher", "f:Hand", "n:Meer", "m:Brunnen", "f:Erde", "n:Feld",
    "m:Schatten", "f:Liebe", "n:Gefühl", "m:Schlüssel", "f:Freude", "n:Gebet", "m:Nebel",
    "f:Sehnsucht", "n:Bild", "m:Frühling", "f:Wahrheit", "n:Rätsel", "m:Äther", "f:Schönheit",
    "n:Öl", "m:Übermut", "f:Tugend", "n:Ende", "m:Gesang", "f:Glocke", "n:Schicksal", "m:Klang",
    "f:Kirche", "n:Gewand", "m:Schmerz", "f:Mutter", "n:Kreuz", "m:Fürst", "f:Schwester",
    "n:Geheimnis", "m:Pfad", "f:Hölle", "n:Blut", "m:Hügel", "f:Ähre", "n:Grab", "m:Spiegel",
    "f:Öde", "n:Opfer", "m:Zauber", "f:Größe", "n:Tor", "m:Teufel", "f:Hütte", "n:Gold",
    "m:Engel", "f:Wiese", "n:Buch", "m:Doktor", "f:Küste", "n:Kleid", "m:Kerker", "f:Höhe",
    "n:Gras", "m:Kuss", "f:Tiefe", "n:Schwert", "m:Gruß", "f:Stille", "n:Brot", "m:Fuß",
    "f:Dämmerung", "n:Gewölbe", "m:Stein", "f:Gestalt", "n:Wunder", "m:Pokal", "f:Kraft",
    "n:Antlitz", "m:Ärger", "f:Weisheit", "n:Versprechen", "m:Atem", "f:Lüge", "n:Auge",
    "m:Kummer", "f:Ferne", "n:Gemüt", "m:Morgen", "f:Jugend", "m:Ritter", "m:Pilger", "m:Jäger",
    "m:Fischer", "f:Hexe", "m:Turm", "m:Markt", "m:Hof", "m:Wein", "n:Salz", "n:Eisen",
    "m:Marmor", "f:Seide", "m:Samt", "f:Perle", "m:Tau", "m:Regen", "m:Schnee", "n:Eis",
    "f:Wolke", "f:Lippe", "m:Mund", "f:Wange", "f:Stirn", "n:Haar", "m:Finger", "f:Träne",
    "m:Seufzer", "f:Klage", "m:Zweifel", "f:Hoffnung", "f:Ruhe", "f:Gnade", "f:Schuld", "f:Sünde",
    "n:Gewissen", "m:Verstand", "f:Vernunft", "n:Wissen", "f:Kunst", "m:Ruhm", "f:Ehre",
    "m:Stolz", "n:Schweigen", "m:Frevel", "f:Pflicht", "n:Gesetz", "m:Vertrag", "m:Pakt",
    "f:Wette", "m:Hund", "f:Katze", "m:Vogel", "f:Lerche", "f:Nachtigall", "m:Adler",
    "f:Schlange", "n:Pferd", "m:Esel", "f:Eiche", "f:Linde", "f:Tanne", "m:Efeu", "n:Moos",
    "f:Lilie", "n:Veilchen", "f:Rebe", "m:Kelch", "f:Schale", "m:Krug", "m:Tisch", "m:Stuhl",
    "n:Bett", "f:Lampe", "f:Kerze", "m:Ofen", "m:Herd", "f:Asche", "m:Rauch", "f:Treppe",
    "m:Keller", "m:Saal", "f:Halle", "m:Altar", "f:Orgel", "m:Chor", "f:Laute", "f:Harfe",
    "f:Flöte", "m:Tanz", "n:Jahr", "f:Stunde", "f:Dunkelheit", "f:Ewigkeit", "f:Heiligkeit",
    "f:Seligkeit", "f:Klugheit", "f:Kühnheit", "f:Heiterkeit", "f:Einsamkeit", "f:Zärtlichkeit",
    "f:Herrlichkeit", "f:Traurigkeit", "f:Müdigkeit", "f:Bitterkeit", "f:Freiheit",
    "f:Gewissheit", "f:Verborgenheit", "f:Vergessenheit", "f:Fröhlichkeit", "f:Göttlichkeit",
    "f:Trunkenheit", "f:Torheit", "f:Bosheit", "f:Blindheit", "f:Gelassenheit", "f:Ergebenheit",
    "f:Unschuld",
    "n:Blümchen", "n:Vöglein", "n:Röslein", "n:Kämmerlein", "n:Hündchen", "n:Kätzchen",
    "n:Häuschen", "n:Bäumchen", "n:Büchlein", "n:Liedchen", "n:Städtchen", "n:Glöckchen",
    "n:Brünnlein", "n:Wölkchen", "n:Sternlein", "n:Lämpchen", "n:Hütchen", "n:Bächlein",
];

/// Adjectives as "predicative/inflecting stem" (or one word when both are the same).
#[rustfmt::skip]
const ADJECTIVES: &[&str] = &[
    "alt", "still", "dunkel/dunkl", "süß", "hell", "jung", "heiß", "kühl", "grün", "golden",
    "müde/müd", "schön", "groß", "klein", "fromm", "wild", "sanft", "tief", "hoch/hoh",
    "leise/leis", "treu", "fremd", "heilig", "ewig", "lieb", "blass", "rot", "weiß", "schwarz",
    "selig", "trüb", "schwül", "öde/öd", "übel/übl", "früh", "spät", "böse/bös", "zart",
    "wunderbar", "herrlich", "finster", "bitter", "glücklich", "traurig", "töricht", "schwer",
    "leicht", "warm", "kalt", "stolz", "ärmlich", "nächtlich", "himmlisch", "irdisch", "blau",
    "gelb", "grau", "bleich", "reich", "arm", "edel/edl", "eitel/eitl", "klug", "dumm", "froh",
    "fröhlich", "heiter", "ernst", "düster", "matt", "stumm", "blind", "kühn", "mild", "rau",
    "glatt", "weich", "hart", "rund", "breit", "schmal", "lang", "kurz", "eng", "weit", "fern",
    "rein", "klar", "trocken", "nass", "feucht", "zärtlich", "grässlich", "hässlich",
    "gefährlich", "göttlich", "teuflisch", "närrisch", "mächtig", "prächtig", "künftig",
    "verborgen", "verloren", "verschlossen", "vergessen",
];

/// Verbs taking an accusative object, as "infinitive" (regular) or
/// "infinitive:ich:du:er" (irregular).
#[rustfmt::skip]
const TRANSITIVE: &[&str] = &[
    "suchen", "fühlen", "hören", "lieben", "grüßen:grüße:grüßt:grüßt", "*kennen", "loben",
    "stören", "spüren", "füllen", "kühlen", "wählen", "schmücken", "lenken",
    "segnen:segne:segnest:segnet", "tragen:trage:trägst:trägt", "sehen:sehe:siehst:sieht",
    "halten:halte:hältst:hält", "fassen:fasse:fasst:fasst", "küssen:küsse:küsst:küsst",
    "preisen:preise:preist:preist", "brechen:breche:brichst:bricht", "nehmen:nehme:nimmst:nimmt",
    "geben:gebe:gibst:gibt", "vergessen:vergesse:vergisst:vergisst",
    "fürchten:fürchte:fürchtest:fürchtet", "wecken", "bewahren", "*verlieren", "*ergreifen",
    "begehren", "*verstehen", "*erkennen", "ehren", "schützen:schütze:schützt:schützt",
    "öffnen:öffne:öffnest:öffnet", "*rufen", "*trinken", "malen", "zählen", "teilen", "kaufen",
    "schenken", "fangen:fange:fängst:fängt", "lassen:lasse:lässt:lässt", "lesen:lese:liest:liest",
    "treffen:treffe:triffst:trifft", "pflücken", "*binden", "*finden", "*bitten", "retten",
    "*meiden", "leiten", "deuten", "achten", "betrachten", "beweinen", "*besingen", "erbauen",
    "zerstören", "verraten:verrate:verrätst:verrät", "befragen",
    "verlassen:verlasse:verlässt:verlässt", "umarmen", "zeichnen:zeichne:zeichnest:zeichnet",
    "ahnen", "meinen", "fordern:fordere:forderst:fordert", "verlangen", "erwarten", "*beschwören",
    "erlösen", "verführen", "spiegeln:spiegle:spiegelst:spiegelt",
];

/// Verbs without an object.
#[rustfmt::skip]
const INTRANSITIVE: &[&str] = &[
    "*schweigen", "träumen", "blühen", "glühen", "weinen", "lachen", "ruhen", "wohnen", "*singen",
    "*klingen", "*sinken", "zittern:zittere:zitterst:zittert", "wandern:wandere:wanderst:wandert",
    "flüstern:flüstere:flüsterst:flüstert", "schlafen:schlafe:schläfst:schläft",
    "laufen:laufe:läufst:läuft", "fallen:falle:fällst:fällt", "wachsen:wachse:wächst:wächst",
    "*vergehen", "erwachen", "beben", "leuchten:leuchte:leuchtest:leuchtet",
    "zögern:zögere:zögerst:zögert", "*stehen", "*bleiben", "*kommen", "*fliehen",
    "sterben:sterbe:stirbst:stirbt", "verweilen", "reisen:reise:reist:reist",
    "tanzen:tanze:tanzt:tanzt", "eilen", "zaudern:zaudere:zauderst:zaudert", "staunen",
    "jubeln:juble:jubelst:jubelt", "klagen", "spotten", "lauschen",
    "funkeln:funkle:funkelst:funkelt", "rauschen", "brausen:brause:braust:braust", "hallen",
    "dämmern:dämmere:dämmerst:dämmert", "welken", "reifen", "keimen",
    "sprießen:sprieße:sprießt:sprießt", "fließen:fließe:fließt:fließt", "*ziehen", "*gehen",
    "*steigen", "schweben", "*fliegen", "*kriechen", "sitzen:sitze:sitzt:sitzt", "*liegen",
    "*leiden", "hoffen", "zweifeln:zweifle:zweifelst:zweifelt", "beten", "wachen", "*frieren",
    "atmen:atme:atmest:atmet",
];

#[rustfmt::skip]
const ADVERBS: &[&str] = &[
    "nun", "noch", "schon", "immer", "nie", "oft", "bald", "dort", "hier", "leise", "heute",
    "wieder", "allein", "überall", "nimmer", "kaum", "gern", "stets", "ewig", "draußen",
    "plötzlich", "längst", "dennoch", "freilich", "wahrlich", "sogleich", "drüben", "gewiss",
    "vergebens", "früh", "spät", "zuweilen", "fürwahr", "heimlich", "endlich", "gestern",
    "morgen", "abends", "nachts", "morgens", "tief", "weit", "fern", "innig", "bang", "froh",
    "hinab", "hinauf", "empor", "herab", "umher", "drinnen", "oben", "unten", "jetzt", "damals",
    "einst", "niemals", "beinahe", "ganz", "gar", "sehr", "vielleicht", "wohl", "zugleich",
    "allmählich", "jählings", "sacht", "bisweilen", "mitnichten",
];

const INTERJECTIONS: &[&str] = &[
    "Ach", "O", "Weh mir", "Ha", "Wohlan", "Fürwahr", "Horch", "Sieh", "Nun denn", "Ei",
];

#[rustfmt::skip]
const VOCATIVES: &[&str] = &[
    "Geliebte", "Freund", "Herr", "Meister", "Bruder", "Kind", "mein Herz", "Nachbarin",
    "Gevatter", "holde Frau", "alter Narr", "ihr Geister",
];

#[rustfmt::skip]
const SPEAKERS: &[&str] = &[
    "ALBRECHT", "LUISE", "DER FÄHRMANN", "DIE MÜLLERIN", "DER GEIST", "ÄNNCHEN", "DER SCHÄFER",
    "CHOR DER GÄRTNER", "DER ALTE", "WALBURG", "DER SPIELMANN", "STIMMEN VON OBEN", "JÖRG",
];

/// Modal verbs: ich/er, du, wir, ihr.
const MODALS: &[[&str; 4]] = &[
    ["will", "willst", "wollen", "wollt"],
    ["kann", "kannst", "können", "könnt"],
    ["muss", "musst", "müssen", "müsst"],
    ["soll", "sollst", "sollen", "sollt"],
    ["mag", "magst", "mögen", "mögt"],
    ["darf", "darfst", "dürfen", "dürft"],
    ["wollte", "wolltest", "wollten", "wolltet"],
    ["konnte", "konntest", "konnten", "konntet"],
    ["musste", "musstest", "mussten", "musstet"],
    ["sollte", "solltest", "sollten", "solltet"],
];

/// Object pronouns.
const PRONOUNS: &[&str] = &["mich", "dich", "ihn", "sie", "es", "uns", "euch"];

/// Fillers of 1 to 11 bytes for [`fill_exact`].
#[rustfmt::skip]
const FILLERS: &[&str] = &[
    "o", "so", "und", "doch", "immer", "wieder", "niemals", "nirgends", "allerorts", "ringsumher",
    "unterdessen",
];

/// First parts of compound nouns ("Abend" + "Wind" = "Abendwind").
#[rustfmt::skip]
const COMPOUND_HEADS: &[&str] = &[
    "Abend", "Morgen", "Sommer", "Winter", "Himmels", "Wald", "Gold", "Silber", "Feuer", "Wasser",
    "Stern", "Mond", "Sonnen", "Blumen", "Nacht", "Kirchen", "Zauber", "Liebes", "Sturm", "Nebel",
    "Frühlings", "Herbst", "Tränen", "Rosen", "Königs", "Mühlen", "Lebens", "Traum", "Grab",
    "Erden", "Felsen", "Jugend", "Frauen", "Vogel", "Glocken", "Märchen", "Götter", "Bürger",
    "Schäfer", "Hügel", "Öl", "Überfluss", "Äpfel", "Berg", "Fluss", "Meeres", "Wolken",
    "Schatten", "Lieder", "Bücher", "Kinder", "Geister", "Engels", "Teufels", "Hexen", "Kerker",
    "Brücken", "Turm", "Garten", "Kräuter", "Wiesen", "Acker", "Dorf", "Stadt", "Markt", "Hof",
    "Wein", "Brot", "Salz", "Eisen", "Kupfer", "Marmor", "Seiden", "Samt", "Perlen", "Tau",
    "Regen", "Schnee", "Eis", "Wunder", "Seelen", "Herzens", "Augen", "Lippen", "Fürsten",
    "Ritter", "Pilger", "Jäger", "Fischer", "Wander", "Spiel", "Tanz",
];

struct Noun {
    gender: Gender,
    word: String,
}

fn noun(rng: &mut Rng) -> Noun {
    let entry = rng.pick(NOUNS);
    let (tag, word) = entry.split_once(':').unwrap_or(("n", entry));
    let gender = match tag {
        "m" => Gender::M,
        "f" => Gender::F,
        _ => Gender::N,
    };
    // The gender of a compound is that of its last part.
    let word = if rng.chance(20) {
        format!("{}{}", rng.pick(COMPOUND_HEADS), word.to_lowercase())
    } else {
        word.to_owned()
    };
    Noun { gender, word }
}

/// (predicative form, inflecting stem) of a random adjective, sometimes a compound with a
/// noun in front ("abendstill", "goldhell").
fn adjective(rng: &mut Rng) -> (String, String) {
    match rng.below(10) {
        // A present participle: "schweigend", "der schweigende Wald".
        0 | 1 => {
            let inf = verb_infinitive(rng.pick(INTRANSITIVE));
            return (format!("{inf}d"), format!("{inf}d"));
        }
        // A past participle of a regular verb: "geliebt", "die geliebte Seele".
        2 => {
            let entry = rng.pick(TRANSITIVE);
            if !entry.contains([':', '*']) {
                let stem = entry.strip_suffix("en").unwrap_or(entry);
                let e = if stem.ends_with(['t', 'd']) { "e" } else { "" };
                let ge = if ["ver", "er", "be", "ent", "zer", "um"]
                    .iter()
                    .any(|p| stem.starts_with(p))
                {
                    ""
                } else {
                    "ge"
                };
                let word = format!("{ge}{stem}{e}t");
                return (word.clone(), word);
            }
        }
        _ => {}
    }
    let entry = rng.pick(ADJECTIVES);
    let (pred, stem) = entry.split_once('/').unwrap_or((entry, entry));
    if rng.chance(10) {
        let head = rng.pick(COMPOUND_HEADS).to_lowercase();
        (format!("{head}{pred}"), format!("{head}{stem}"))
    } else {
        (pred.to_owned(), stem.to_owned())
    }
}

/// The infinitive of a verb list entry.
fn verb_infinitive(entry: &'static str) -> &'static str {
    let entry = entry.trim_start_matches('*');
    entry.split(':').next().unwrap_or(entry)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    Nom,
    Acc,
    Dat,
}

/// Words declined like "ein": the indefinite article, "kein" and the possessives.
const EIN_WORDS: &[&str] = &[
    "ein", "ein", "ein", "kein", "mein", "dein", "sein", "ihr", "unser", "euer",
];

/// A noun phrase in `case`: a definite article or an "ein"-word, maybe an adjective with the
/// matching ending, and the noun ("der alte Wald", "meinen alten Wald", "einem stillen Tal").
fn noun_phrase(rng: &mut Rng, case: Case) -> String {
    gendered_phrase(rng, case).0
}

/// [`noun_phrase`], with the gender of its noun.
fn gendered_phrase(rng: &mut Rng, case: Case) -> (String, Gender) {
    let n = noun(rng);
    let mut phrase = declined(rng, case, &n);
    if rng.chance(15) {
        phrase.push(' ');
        phrase.push_str(&genitive(rng));
    }
    (phrase, n.gender)
}

/// A genitive attribute: "des alten Waldes", "der stillen Nacht", "meines Vaters".
fn genitive(rng: &mut Rng) -> String {
    let n = noun(rng);
    let (_, stem) = adjective(rng);
    let adjective = if rng.chance(50) {
        format!("{stem}en ")
    } else {
        String::new()
    };
    match n.gender {
        Gender::F => format!("der {adjective}{}", n.word),
        Gender::M | Gender::N => {
            let w = &n.word;
            let s = if w.ends_with(['s', 'ß', 'z', 'x']) {
                "es"
            } else if w.ends_with(['e', 'r', 'l', 'n', 'm']) || w.chars().count() > 6 {
                "s"
            } else {
                "es"
            };
            let article = if rng.chance(70) {
                "des"
            } else {
                rng.pick(&["meines", "seines", "eines", "deines"])
            };
            format!("{article} {adjective}{w}{s}")
        }
    }
}

/// `n` with an article (or "ein"-word) and maybe an adjective, declined for `case`.
fn declined(rng: &mut Rng, case: Case, n: &Noun) -> String {
    let with_adjective = rng.chance(55);
    let (_, stem) = adjective(rng);
    if rng.chance(60) {
        let article = match (case, n.gender) {
            (Case::Nom, Gender::M) => "der",
            (Case::Acc, Gender::M) => "den",
            (Case::Dat, Gender::M | Gender::N) => "dem",
            (Case::Dat, Gender::F) => "der",
            (_, Gender::F) => "die",
            (_, Gender::N) => "das",
        };
        if !with_adjective {
            return format!("{article} {}", n.word);
        }
        // Weak endings after the definite article.
        let en = case == Case::Dat || (case == Case::Acc && matches!(n.gender, Gender::M));
        let ending = if en { "en" } else { "e" };
        return format!("{article} {stem}{ending} {}", n.word);
    }
    let word = rng.pick(EIN_WORDS);
    // "euer" loses its second e when it takes an ending.
    let base = |ending: &str| {
        if word == "euer" && !ending.is_empty() {
            format!("eur{ending}")
        } else {
            format!("{word}{ending}")
        }
    };
    let (article, adjective_ending) = match (case, n.gender) {
        (Case::Nom, Gender::M) => (base(""), "er"),
        (Case::Nom | Case::Acc, Gender::F) => (base("e"), "e"),
        (Case::Nom | Case::Acc, Gender::N) => (base(""), "es"),
        (Case::Acc, Gender::M) => (base("en"), "en"),
        (Case::Dat, Gender::M | Gender::N) => (base("em"), "en"),
        (Case::Dat, Gender::F) => (base("er"), "en"),
    };
    if with_adjective {
        format!("{article} {stem}{adjective_ending} {}", n.word)
    } else {
        format!("{article} {}", n.word)
    }
}

/// A prepositional phrase with the accusative ("durch den Wald").
fn through(rng: &mut Rng) -> String {
    const PREPS: &[&str] = &["durch", "für", "gegen", "ohne", "um"];
    let prep = rng.pick(PREPS);
    format!("{prep} {}", noun_phrase(rng, Case::Acc))
}

/// A subject: a noun phrase or a pronoun, with the verb form it takes.
fn subject(rng: &mut Rng, forms: &Forms) -> (String, String) {
    match rng.below(14) {
        0 => ("er".into(), forms.er.clone()),
        1 => ("sie".into(), forms.er.clone()),
        2 => ("es".into(), forms.er.clone()),
        3 => ("wir".into(), forms.wir.clone()),
        4 => ("ihr".into(), forms.ihr.clone()),
        5 | 6 => ("ich".into(), forms.ich.clone()),
        7 | 8 => ("du".into(), forms.du.clone()),
        _ => (noun_phrase(rng, Case::Nom), forms.er.clone()),
    }
}

/// A subject with a modal verb: ("wir", "können").
fn modal_subject(rng: &mut Rng) -> (String, &'static str) {
    let modal = rng.choose(MODALS);
    let (who, col) = match rng.below(10) {
        0 => ("ich".to_owned(), 0),
        1 | 2 => ("du".to_owned(), 1),
        3 => ("wir".to_owned(), 2),
        4 => ("ihr".to_owned(), 3),
        5 => ("er".to_owned(), 0),
        6 => ("sie".to_owned(), 0),
        _ => (noun_phrase(rng, Case::Nom), 0),
    };
    (who, modal.get(col).copied().unwrap_or("kann"))
}

/// A verb's infinitive and its forms for ich, du, er, wir and ihr.
struct Forms {
    inf: String,
    ich: String,
    du: String,
    er: String,
    wir: String,
    ihr: String,
    /// The imperative singular.
    imp: String,
}

/// A verb from its list entry ("suchen", "*finden" for a strong verb, or
/// "tragen:trage:trägst:trägt" with irregular forms), in the present or (for weak verbs)
/// sometimes the simple past.
fn verb(rng: &mut Rng, list: &[&'static str]) -> Forms {
    let entry = rng.pick(list);
    let strong = entry.starts_with('*');
    let mut parts = entry.trim_start_matches('*').split(':');
    let inf = parts.next().unwrap_or(entry);
    let stem = inf
        .strip_suffix("en")
        .or_else(|| inf.strip_suffix('n'))
        .unwrap_or(inf);
    // Some stems take an extra e before the ending: "wartet", "öffnete", "atmest".
    let e = if stem.ends_with(['t', 'd'])
        || ["fn", "gn", "chn", "tm"].iter().any(|s| stem.ends_with(s))
    {
        "e"
    } else {
        ""
    };
    let plain_imp = format!("{stem}{e}");
    if let (Some(ich), Some(du), Some(er)) = (parts.next(), parts.next(), parts.next()) {
        // "siehst" → "sieh", "liest" → "lies", "vergisst" → "vergiss"; no i, no change.
        let keep_s = du.ends_with("sst") || du.ends_with("ßt") || stem.ends_with('s');
        let cut = if keep_s {
            du.strip_suffix('t')
        } else {
            du.strip_suffix("st")
        };
        let imp = match cut {
            Some(c) if c.contains('i') && !stem.contains('i') => c.to_owned(),
            _ => plain_imp,
        };
        Forms {
            inf: inf.into(),
            ich: ich.into(),
            du: du.into(),
            er: er.into(),
            wir: inf.into(),
            ihr: format!("{stem}{e}t"),
            imp,
        }
    } else if !strong && rng.chance(35) {
        Forms {
            inf: inf.into(),
            ich: format!("{stem}{e}te"),
            du: format!("{stem}{e}test"),
            er: format!("{stem}{e}te"),
            wir: format!("{stem}{e}ten"),
            ihr: format!("{stem}{e}tet"),
            imp: plain_imp,
        }
    } else {
        Forms {
            inf: inf.into(),
            ich: format!("{stem}e"),
            du: format!("{stem}{e}st"),
            er: format!("{stem}{e}t"),
            wir: inf.into(),
            ihr: format!("{stem}{e}t"),
            imp: plain_imp,
        }
    }
}

/// A prepositional phrase with the dative, contracting "in dem" to "im" and the like.
fn place(rng: &mut Rng) -> String {
    #[rustfmt::skip]
    const PREPS: &[&str] = &[
        "in", "an", "mit", "aus", "bei", "nach", "von", "zu", "unter", "über", "vor", "hinter",
        "neben", "auf", "seit", "gegenüber",
    ];
    let prep = rng.pick(PREPS);
    let phrase = noun_phrase(rng, Case::Dat);
    let contracted = match (prep, phrase.split_once(' ')) {
        ("in", Some(("dem", rest))) => Some(format!("im {rest}")),
        ("an", Some(("dem", rest))) => Some(format!("am {rest}")),
        ("von", Some(("dem", rest))) => Some(format!("vom {rest}")),
        ("zu", Some(("dem", rest))) => Some(format!("zum {rest}")),
        ("zu", Some(("der", rest))) => Some(format!("zur {rest}")),
        ("bei", Some(("dem", rest))) => Some(format!("beim {rest}")),
        _ => None,
    };
    contracted.unwrap_or_else(|| format!("{prep} {phrase}"))
}

/// Now and then a short filler after the finite verb: a pronoun object or modal particle
/// (" ja", " mir doch", " nicht"), as spoken verse has them.
fn particle(rng: &mut Rng) -> String {
    #[rustfmt::skip]
    const SHORT: &[&str] = &[
        "ja", "doch", "nur", "so", "schon", "noch", "wohl", "denn", "gar", "nicht", "auch", "mir",
        "dir", "uns", "euch", "sich", "es", "ihm", "mir ja", "dir doch", "uns nur", "es nicht",
        "sich so", "nun", "halt", "eben", "ja nicht", "auch nur", "doch nicht",
    ];
    if rng.chance(45) {
        format!(" {}", rng.pick(SHORT))
    } else {
        String::new()
    }
}

/// One clause, without punctuation.
fn clause(rng: &mut Rng) -> String {
    let trans = verb(rng, TRANSITIVE);
    let intrans = verb(rng, INTRANSITIVE);
    match rng.below(21) {
        16 => {
            let w = rng.pick(&[
                "was", "wen", "warum", "wohin", "woher", "wann", "wozu", "womit",
            ]);
            let (who, form) = subject(rng, &trans);
            format!("{w} {form} {who}{} {}", particle(rng), rng.pick(ADVERBS))
        }
        17 => {
            // An imperative, with a vocative.
            format!(
                "{}, {}, {} {}",
                trans.imp,
                rng.pick(VOCATIVES),
                noun_phrase(rng, Case::Acc),
                rng.pick(ADVERBS)
            )
        }
        18 => {
            // The ich form with its final e elided, as verse does.
            let form = trans
                .ich
                .strip_suffix('e')
                .map_or(trans.ich.clone(), |f| format!("{f}'"));
            format!(
                "ich {form} {} {}",
                noun_phrase(rng, Case::Acc),
                through(rng)
            )
        }
        19 => format!(
            "„{}“, {} {} {}",
            capitalized(&noun_phrase(rng, Case::Nom)),
            trans.er,
            rng.pick(&["er", "sie", "der Alte", "die Stimme", "das Kind"]),
            rng.pick(ADVERBS)
        ),
        20 => {
            let (who, form) = subject(rng, &intrans);
            format!("{who} {form} — {}", place(rng))
        }
        0 | 1 => {
            let (who, form) = subject(rng, &intrans);
            format!("{who} {form}{} {}", particle(rng), place(rng))
        }
        2 => {
            let (who, form) = subject(rng, &intrans);
            format!(
                "{who} {form}{} {} {}",
                particle(rng),
                rng.pick(ADVERBS),
                place(rng)
            )
        }
        3 | 4 => {
            let (who, form) = subject(rng, &trans);
            format!(
                "{who} {form}{} {}",
                particle(rng),
                noun_phrase(rng, Case::Acc)
            )
        }
        5 => {
            let (who, form) = subject(rng, &trans);
            format!(
                "{} {form} {who} {} {}",
                rng.pick(ADVERBS),
                noun_phrase(rng, Case::Acc),
                through(rng)
            )
        }
        6 => {
            let (who, form) = subject(rng, &trans);
            format!(
                "{who} {form}{} {} {}",
                particle(rng),
                noun_phrase(rng, Case::Acc),
                place(rng)
            )
        }
        7 => {
            let (who, form) = subject(rng, &intrans);
            format!(
                "{who} {form}{} {} {}",
                particle(rng),
                rng.pick(ADVERBS),
                through(rng)
            )
        }
        8 => {
            let (who, modal) = modal_subject(rng);
            format!(
                "{who} {modal} {} {}",
                noun_phrase(rng, Case::Acc),
                trans.inf
            )
        }
        9 => {
            let (who, modal) = modal_subject(rng);
            let not = if rng.chance(40) { " nicht" } else { "" };
            format!("{who} {modal} {}{not} {}", place(rng), intrans.inf)
        }
        10 => {
            let (pred, _) = adjective(rng);
            let (who, _) = subject(rng, &intrans);
            let is = match who.as_str() {
                "wir" => "sind",
                "ihr" => "seid",
                "ich" => "bin",
                "du" => "bist",
                _ => "ist",
            };
            format!("{who} {is} {} {pred}", rng.pick(ADVERBS))
        }
        11 => format!(
            "wie {} {} {}",
            intrans.er,
            noun_phrase(rng, Case::Nom),
            place(rng)
        ),
        12 => {
            let (who, form) = subject(rng, &trans);
            let not = if rng.chance(40) { " nicht" } else { "" };
            format!(
                "{who} {form} {}{not} {}",
                rng.pick(PRONOUNS),
                rng.pick(ADVERBS)
            )
        }
        13 => {
            // A relative clause after the subject.
            let (n, gender) = gendered_phrase(rng, Case::Nom);
            let relative = match gender {
                Gender::M => "der",
                Gender::F => "die",
                Gender::N => "das",
            };
            format!(
                "{n}, {relative} {} {}, {} {}",
                noun_phrase(rng, Case::Acc),
                trans.er,
                intrans.er,
                rng.pick(ADVERBS)
            )
        }
        _ => {
            // A subordinate clause with the verb at the end.
            let conj = rng.pick(&["weil", "wenn", "dass", "da", "bis", "ob", "obwohl", "als"]);
            let (who, form) = subject(rng, &intrans);
            let (who2, form2) = subject(rng, &trans);
            format!(
                "{who} {form} {}, {conj} {who2} {} {form2}",
                rng.pick(ADVERBS),
                noun_phrase(rng, Case::Acc),
            )
        }
    }
}

/// One verse line: a clause, sometimes after an interjection, with line-end punctuation.
fn verse(rng: &mut Rng) -> String {
    let mut line = clause(rng);
    if rng.chance(6) {
        line = format!(
            "({} {}) {line}",
            rng.pick(&[
                "leise",
                "für sich",
                "laut",
                "erschrocken",
                "lachend",
                "zögernd"
            ]),
            place(rng)
        );
    }
    if rng.chance(10) {
        line = format!("{}, {line}", rng.pick(INTERJECTIONS));
    }
    let end = match rng.below(10) {
        0..=3 => ",",
        4 => ";",
        5 | 6 => ".",
        7 => "!",
        8 => "?",
        _ => "",
    };
    capitalized(&format!("{line}{end}"))
}

/// One prose sentence: one or two clauses.
fn sentence(rng: &mut Rng) -> String {
    let mut s = clause(rng);
    if rng.chance(40) {
        let joiner = rng.pick(&[", und ", ", doch ", ", denn ", "; ", ", aber "]);
        s.push_str(joiner);
        s.push_str(&clause(rng));
    }
    s.push(if rng.chance(85) { '.' } else { '!' });
    capitalized(&s)
}

fn prose(rng: &mut Rng, out: &mut String, sentences: usize) {
    let text: Vec<String> = (0..sentences).map(|_| sentence(rng)).collect();
    wrap(out, &text.join(" "), 72);
}

/// The whole text, exactly [`LEN`] bytes.
pub(super) fn generate() -> Vec<u8> {
    let mut rng = Rng::new(0x4661_7573_742d_3132);
    let mut out = String::with_capacity(LEN);
    out.push_str("Die Mühle am Strom\nEin dramatisches Gedicht in Versen und Prosa\n\n");
    out.push_str("Zugeeignet allen, die Maschinen prüfen.\n\n");
    // Scenes until the text is near its size; the closing passage fills the rest.
    let room = |out: &String| out.len() + 2_500 < LEN;
    let mut scene = 1;
    while room(&out) {
        out.push_str(&format!(
            "\n{scene}. Auftritt. {}.\n\n",
            capitalized(&place(&mut rng))
        ));
        let n = 2 + rng.below(3);
        prose(&mut rng, &mut out, n);
        for _ in 0..3 + rng.below(8) {
            if !room(&out) {
                break;
            }
            out.push('\n');
            out.push_str(rng.pick(SPEAKERS));
            out.push_str(":\n");
            if rng.chance(15) {
                let n = 3 + rng.below(6);
                prose(&mut rng, &mut out, n);
            } else {
                for _ in 0..2 + rng.below(12) {
                    if !room(&out) {
                        break;
                    }
                    // A long clause runs on over two verse lines, each with a capital.
                    let line = verse(&mut rng);
                    let words: Vec<&str> = line.split(' ').collect();
                    if line.len() > 40 && words.len() > 4 {
                        let cut = 2 + rng.below(words.len() - 3);
                        out.push_str(&words[..cut].join(" "));
                        out.push('\n');
                        out.push_str(&capitalized(&words[cut..].join(" ")));
                    } else {
                        out.push_str(&line);
                    }
                    out.push('\n');
                }
            }
        }
        scene += 1;
    }
    // A closing paragraph that ends exactly at LEN (wrapping swaps spaces for newlines, so
    // it keeps the length).
    out.push_str("\nBESCHLUSS:\n");
    let left = LEN - out.len();
    let mut tail = String::new();
    // Sentences while they fit (a few tries for a short one at the end), then words.
    let mut misses = 0;
    while misses < 30 {
        let next = sentence(&mut rng);
        if tail.len() + next.len() + 1 + 30 > left {
            misses += 1;
            continue;
        }
        tail.push_str(&next);
        tail.push(' ');
    }
    let mut last = String::new();
    fill_exact(
        &mut last,
        left - 1 - tail.len(),
        &mut rng,
        ADVERBS,
        FILLERS,
        ".",
    );
    tail.push_str(&capitalized(&last));
    wrap(&mut out, &tail, 72);
    out.into_bytes()
}
