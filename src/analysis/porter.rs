//! The Porter stemmer as Lucene's `PorterStemFilter` applies it.
//!
//! This is Martin Porter's own reference implementation of the 1980 algorithm (the
//! "Release 3" C/Java code that Lucene's `PorterStemmer` derives from), written here from
//! the algorithm, not translated. It departs from the published paper in three places
//! (marked "DEPARTURE" in Porter's code), all kept on purpose:
//!
//! * step 2 has `bli -> ble` where the paper has `abli -> able`;
//! * step 2 has an extra rule `logi -> log`;
//! * words of one or two characters are returned unchanged.
//!
//! As in the paper, each step applies at most one rule: the one whose suffix matches (the
//! longest); when its condition fails, shorter alternatives are not tried (`-ement` blocks
//! `-ment` and `-ent`).
//!
//! Like Lucene, the stemmer works on UTF-16 code units and knows only the ASCII vowels
//! `a e i o u` (and `y` by context). Every other unit — digits, uppercase letters,
//! accented letters, surrogates — counts as a consonant, and nothing is skipped: a token
//! such as `cafés` loses its plural `s` (`café`), `1990s` becomes `1990`, and a word of
//! three or more UTF-16 units always goes through all the steps.

/// Stems one (already lowercased) term the way Lucene's `PorterStemmer` does.
///
/// Never panics; any input, including non-ASCII text, is accepted.
pub fn stem(word: &str) -> String {
    let mut units: Vec<u16> = word.encode_utf16().collect();
    if !stem_units(&mut units) {
        return word.to_owned();
    }
    String::from_utf16_lossy(&units)
}

/// Stems a word given as UTF-16 code units, in place. Returns `true` when it changed.
pub fn stem_units(w: &mut Vec<u16>) -> bool {
    // Words of one or two units are not stemmed (Porter's own departure from the paper).
    if w.len() <= 2 {
        return false;
    }
    let original = w.clone();
    step1a(w);
    step1b(w);
    step1c(w);
    step2(w);
    step3(w);
    step4(w);
    step5(w);
    *w != original
}

const fn u(c: u8) -> u16 {
    c as u16
}

fn is_plain_vowel(x: u16) -> bool {
    x == u(b'a') || x == u(b'e') || x == u(b'i') || x == u(b'o') || x == u(b'u')
}

/// Is `w[i]` a consonant? Anything but `a e i o u` is, except that `y` is a consonant only
/// at the start of the word or after a vowel. Walks back over a run of `y`s (each flips the
/// verdict) instead of recursing, so arbitrarily long inputs are safe.
fn is_consonant(w: &[u16], i: usize) -> bool {
    let c = w[i];
    if is_plain_vowel(c) {
        return false;
    }
    if c != u(b'y') {
        return true;
    }
    let mut start = i;
    while start > 0 && w[start - 1] == u(b'y') {
        start -= 1;
    }
    let first_of_run = start == 0 || is_plain_vowel(w[start - 1]);
    if (i - start).is_multiple_of(2) {
        first_of_run
    } else {
        !first_of_run
    }
}

/// Consonant flags of `w[..n]`, computed in one left-to-right pass.
fn consonant_flags(w: &[u16], n: usize) -> impl Iterator<Item = bool> + '_ {
    let mut prev = false;
    w[..n].iter().enumerate().map(move |(i, &c)| {
        let flag = if is_plain_vowel(c) {
            false
        } else if c == u(b'y') {
            i == 0 || !prev
        } else {
            true
        };
        prev = flag;
        flag
    })
}

/// Porter's measure `m` of `w[..n]`: `m` in `[C](VC)^m[V]`, i.e. the number of
/// vowel-to-consonant transitions.
fn measure(w: &[u16], n: usize) -> usize {
    let mut m = 0;
    let mut prev_vowel = false;
    for consonant in consonant_flags(w, n) {
        if consonant && prev_vowel {
            m += 1;
        }
        prev_vowel = !consonant;
    }
    m
}

/// Does `w[..n]` contain a vowel?
fn has_vowel(w: &[u16], n: usize) -> bool {
    consonant_flags(w, n).any(|c| !c)
}

/// Do `w[i-1]` and `w[i]` form a double consonant?
fn double_consonant_at(w: &[u16], i: usize) -> bool {
    i >= 1 && w[i] == w[i - 1] && is_consonant(w, i)
}

/// Is `w[i-2..=i]` consonant-vowel-consonant, with `w[i]` not `w`, `x` or `y`?
fn cvc_at(w: &[u16], i: usize) -> bool {
    i >= 2
        && is_consonant(w, i)
        && !is_consonant(w, i - 1)
        && is_consonant(w, i - 2)
        && w[i] != u(b'w')
        && w[i] != u(b'x')
        && w[i] != u(b'y')
}

fn ends_with(w: &[u16], suffix: &str) -> bool {
    let s = suffix.as_bytes();
    w.len() >= s.len()
        && w[w.len() - s.len()..]
            .iter()
            .zip(s)
            .all(|(&a, &b)| a == u16::from(b))
}

fn replace_suffix(w: &mut Vec<u16>, suffix_len: usize, replacement: &str) {
    let keep = w.len() - suffix_len;
    w.truncate(keep);
    w.extend(replacement.bytes().map(u16::from));
}

/// Applies the first rule whose suffix matches, if `cond(stem_len)` holds; later rules of
/// the list are never tried once a suffix has matched.
fn first_rule(w: &mut Vec<u16>, rules: &[(&str, &str)], cond: impl Fn(&[u16], usize) -> bool) {
    for &(suffix, replacement) in rules {
        if ends_with(w, suffix) {
            let stem_len = w.len() - suffix.len();
            if cond(w, stem_len) {
                replace_suffix(w, suffix.len(), replacement);
            }
            return;
        }
    }
}

/// Step 1a: plurals. `sses -> ss`, `ies -> i`, `ss -> ss`, `s -> ""`.
fn step1a(w: &mut Vec<u16>) {
    if !ends_with(w, "s") {
        return;
    }
    if ends_with(w, "sses") || ends_with(w, "ies") {
        w.truncate(w.len() - 2);
    } else if !ends_with(w, "ss") {
        w.truncate(w.len() - 1);
    }
}

/// Step 1b: `-eed`, `-ed`, `-ing`, then tidy the stem up.
fn step1b(w: &mut Vec<u16>) {
    if ends_with(w, "eed") {
        if measure(w, w.len() - 3) > 0 {
            w.truncate(w.len() - 1);
        }
        return;
    }
    let suffix_len = if ends_with(w, "ed") {
        2
    } else if ends_with(w, "ing") {
        3
    } else {
        return;
    };
    let stem_len = w.len() - suffix_len;
    if !has_vowel(w, stem_len) {
        return;
    }
    w.truncate(stem_len);
    if ends_with(w, "at") || ends_with(w, "bl") || ends_with(w, "iz") {
        w.push(u(b'e'));
    } else if !w.is_empty() && double_consonant_at(w, w.len() - 1) {
        let last = w[w.len() - 1];
        if last != u(b'l') && last != u(b's') && last != u(b'z') {
            w.pop();
        }
    } else if measure(w, w.len()) == 1 && !w.is_empty() && cvc_at(w, w.len() - 1) {
        w.push(u(b'e'));
    }
}

/// Step 1c: terminal `y -> i` when the stem has a vowel.
fn step1c(w: &mut [u16]) {
    let n = w.len();
    if ends_with(w, "y") && has_vowel(w, n - 1) {
        w[n - 1] = u(b'i');
    }
}

/// Step 2: double suffixes to single ones, when `m > 0`.
fn step2(w: &mut Vec<u16>) {
    const RULES: &[(&str, &str)] = &[
        ("ational", "ate"),
        ("tional", "tion"),
        ("enci", "ence"),
        ("anci", "ance"),
        ("izer", "ize"),
        ("bli", "ble"),
        ("alli", "al"),
        ("entli", "ent"),
        ("eli", "e"),
        ("ousli", "ous"),
        ("ization", "ize"),
        ("ation", "ate"),
        ("ator", "ate"),
        ("alism", "al"),
        ("iveness", "ive"),
        ("fulness", "ful"),
        ("ousness", "ous"),
        ("aliti", "al"),
        ("iviti", "ive"),
        ("biliti", "ble"),
        ("logi", "log"),
    ];
    first_rule(w, RULES, |w, n| measure(w, n) > 0);
}

/// Step 3: `-ic-`, `-full`, `-ness` and friends, when `m > 0`.
fn step3(w: &mut Vec<u16>) {
    const RULES: &[(&str, &str)] = &[
        ("icate", "ic"),
        ("ative", ""),
        ("alize", "al"),
        ("iciti", "ic"),
        ("ical", "ic"),
        ("ful", ""),
        ("ness", ""),
    ];
    first_rule(w, RULES, |w, n| measure(w, n) > 0);
}

/// Step 4: drop `-ant`, `-ence`, ... when `m > 1` (`-ion` only after `s` or `t`).
fn step4(w: &mut Vec<u16>) {
    const RULES: &[(&str, &str)] = &[
        ("al", ""),
        ("ance", ""),
        ("ence", ""),
        ("er", ""),
        ("ic", ""),
        ("able", ""),
        ("ible", ""),
        ("ant", ""),
        ("ement", ""),
        ("ment", ""),
        ("ent", ""),
        ("ion", ""),
        ("ou", ""),
        ("ism", ""),
        ("ate", ""),
        ("iti", ""),
        ("ous", ""),
        ("ive", ""),
        ("ize", ""),
    ];
    let ion = ends_with(w, "ion");
    first_rule(w, RULES, |w, n| {
        if ion {
            n >= 1 && (w[n - 1] == u(b's') || w[n - 1] == u(b't')) && measure(w, n) > 1
        } else {
            measure(w, n) > 1
        }
    });
}

/// Step 5: drop a final `-e` (m > 1, or m = 1 and not *o), then `-ll -> -l` when m > 1.
fn step5(w: &mut Vec<u16>) {
    if ends_with(w, "e") {
        let n = w.len();
        let m = measure(w, n - 1);
        if m > 1 || (m == 1 && !(n >= 2 && cvc_at(w, n - 2))) {
            w.pop();
        }
    }
    let n = w.len();
    if ends_with(w, "l") && double_consonant_at(w, n - 1) && measure(w, n) > 1 {
        w.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::stem;

    #[test]
    fn paper_and_martin_examples() {
        let cases = [
            ("caresses", "caress"),
            ("ponies", "poni"),
            ("ties", "ti"),
            ("caress", "caress"),
            ("cats", "cat"),
            ("feed", "feed"),
            ("agreed", "agre"),
            ("plastered", "plaster"),
            ("bled", "bled"),
            ("motoring", "motor"),
            ("sing", "sing"),
            ("conflated", "conflat"),
            ("troubled", "troubl"),
            ("sized", "size"),
            ("hopping", "hop"),
            ("tanned", "tan"),
            ("falling", "fall"),
            ("hissing", "hiss"),
            ("fizzed", "fizz"),
            ("failing", "fail"),
            ("filing", "file"),
            ("happy", "happi"),
            ("sky", "sky"),
            ("relational", "relat"),
            ("conditional", "condit"),
            ("rational", "ration"),
            ("digitizer", "digit"),
            ("conformabli", "conform"),
            ("radicalli", "radic"),
            ("differentli", "differ"),
            ("analogousli", "analog"),
            ("vietnamization", "vietnam"),
            ("predication", "predic"),
            ("operator", "oper"),
            ("feudalism", "feudal"),
            ("decisiveness", "decis"),
            ("hopefulness", "hope"),
            ("callousness", "callous"),
            ("formaliti", "formal"),
            ("sensitiviti", "sensit"),
            ("sensibiliti", "sensibl"),
            ("triplicate", "triplic"),
            ("formative", "form"),
            ("formalize", "formal"),
            ("electriciti", "electr"),
            ("electrical", "electr"),
            ("hopeful", "hope"),
            ("goodness", "good"),
            ("revival", "reviv"),
            ("allowance", "allow"),
            ("inference", "infer"),
            ("airliner", "airlin"),
            ("gyroscopic", "gyroscop"),
            ("adjustable", "adjust"),
            ("defensible", "defens"),
            ("irritant", "irrit"),
            ("replacement", "replac"),
            ("adjustment", "adjust"),
            ("dependent", "depend"),
            ("adoption", "adopt"),
            ("homologou", "homolog"),
            ("communism", "commun"),
            ("activate", "activ"),
            ("angulariti", "angular"),
            ("homologous", "homolog"),
            ("effective", "effect"),
            ("bowdlerize", "bowdler"),
            ("probate", "probat"),
            ("rate", "rate"),
            ("cease", "ceas"),
            ("controll", "control"),
            ("roll", "roll"),
            // Martin's departures from the paper.
            ("biology", "biologi"),
            ("archaeologi", "archaeolog"),
            ("possibly", "possibl"),
            ("is", "is"),
            ("as", "as"),
        ];
        for (word, want) in cases {
            assert_eq!(stem(word), want, "stem({word:?})");
        }
    }

    #[test]
    fn non_ascii_and_odd_input() {
        assert_eq!(stem(""), "");
        assert_eq!(stem("a"), "a");
        assert_eq!(stem("cafés"), "café");
        assert_eq!(stem("1990s"), "1990");
        assert_eq!(stem("漢"), "漢");
        assert_eq!(stem("ies"), "i");
        assert_eq!(stem("ion"), "ion");
        assert_eq!(stem("eed"), "eed");
        // Uppercase letters are consonants to Lucene's stemmer (input should be lowercased).
        assert_eq!(stem("CATS"), "CATS");
        let long_y = "y".repeat(100_000);
        let _ = stem(&long_y);
        // Astral characters are two UTF-16 units, both consonants.
        assert_eq!(stem("𝐱𝐲s"), "𝐱𝐲");
    }
}
