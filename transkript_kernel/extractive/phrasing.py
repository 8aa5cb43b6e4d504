"""Word-level text helpers the summariser phrases with: tokens, leading particles, clause trimming, counts in
words and third-person verb forms. They know the cue lists but nothing of the conversation."""
from __future__ import annotations

import re

from ..lexicon import Cues

SUBJECTS = {"ik", "we", "wij", "u", "je", "jij", "jullie", "hij", "zij", "ze", "i", "you", "he", "she", "they"}
WORD = re.compile(r"[\w'’-]+|[^\w\s]", re.UNICODE)


def tokens_of(text: str) -> list[str]:
    return WORD.findall(text)


def words_of(text: str) -> list[str]:
    return [t.lower() for t in tokens_of(text) if re.match(r"\w", t)]


#: Conjunctions: never the first constituent, so no inversion follows them ('En als u ...' is 'als u ...').
CONJUNCTIONS = {"en", "maar", "of", "want"}


def strip_particles(text: str, c: Cues) -> str:
    """Drop leading 'Ja,', 'En', 'Oké' ... that carry no content (but keep 'Dan' in 'Dan spreken we af')."""
    original = text
    changed = True
    while changed:
        changed = False
        low = text.lower()
        for p in c.leading_particles:
            if low.startswith(p) and (len(low) == len(p) or not low[len(p)].isalnum()):
                rest = text[len(p):].lstrip(" ,.!:;-")
                if rest and rest != text:
                    second = words_of(rest)[1:2]
                    if c.language == "nl" and p not in CONJUNCTIONS and second and second[0] in SUBJECTS and \
                            not re.match(r"[,.!:;]", text[len(p):].lstrip()[:1] or "x"):
                        return text  # inversion after the particle: it is a real first constituent
                    text, changed = rest, True
                    break
    return text


def lead_in(text: str, c) -> str:
    """'Wat ik wil doen: ik meld haar aan' -> 'ik meld haar aan': a short announcement before a colon is no part
    of the action. An announcement opens with a question word ('Wat ik wel zou willen:'), names a plan ('Mijn
    voorstel:'), ends on a verb of saying or proposing ('Dan zou ik zeggen:') or counts ('Twee:'). Anything
    else before a colon stays: 'Ik zeg het morgen tegen hem: ...' is the commitment itself, and in 'Voor het
    huiswerk: ik zet het ...' the 'het' points back to the topic."""
    m = re.match(r"^([^:]{2,60}):\s+(.+)$", text)
    if not m or len(words_of(m.group(2))) < 3:
        return text
    lead = words_of(m.group(1))
    if not lead or len(lead) > 7 or lead[0] in c.prepositions:
        return text
    wh = set(c.raw.get("wh_words", [])) | {"what", "how"}
    if lead[0] in wh or set(lead) & ANNOUNCE_NOUNS or lead[-1] in ANNOUNCE_VERBS or \
            (len(lead) == 1 and (lead[0].isdigit() or lead[0] in ORDINALS)):
        return m.group(2)
    return text


VOCATIVE = re.compile(r"^(?:(?:en|maar|and|so|oké|ok)[, ]+)?([A-Z][a-zà-ÿ'’-]+(?: [A-Z][a-zà-ÿ'’-]+)?),\s+(?=\w)")


def without_vocative(text: str, c, names) -> str:
    """'Ava, can you show me screenshots afterwards?' -> 'can you show me screenshots afterwards?': a name said to
    get someone's attention is no part of what is asked (only a known name: the pupil's or a speaker's)."""
    m = VOCATIVE.match(text)
    if not m or m.group(1) not in names or len(words_of(text[m.end():])) < 3:
        return text
    return text[m.end():]


#: Words that make a phrase before a colon an announcement of what follows (``lead_in``).
ANNOUNCE_NOUNS = {"voorstel", "plan", "idee", "afspraak", "afspraken", "suggestie", "advies", "proposal", "suggestion",
                  "idea", "plan", "advice"}
ANNOUNCE_VERBS = {"zeggen", "voorstellen", "doen", "afspreken", "willen", "say", "suggest", "propose", "do"}
ORDINALS = {"een", "één", "twee", "drie", "vier", "eerst", "eerste", "tweede", "derde", "ten", "one", "two", "three",
            "first", "second", "third"}


def trim_clauses(text: str, c: Cues) -> str:
    """Cut trailing clauses that explain or illustrate ('want ...', 'bijvoorbeeld ...') rather than say what."""
    parts = re.split(r"(,\s+|;\s+|\s+-\s+|\s+–\s+)", text)
    out = parts[0]
    for i in range(1, len(parts), 2):
        nxt = parts[i + 1] if i + 1 < len(parts) else ""
        if any(nxt.lower().startswith(t) for t in c.trim_starts):
            break
        out += parts[i] + nxt
    out = c.trim_inline.split(out)[0]
    return out.strip(" ,;")


def finish(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,;")
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = text.rstrip(".!?")
    return text[:1].upper() + text[1:] if text else text


NUMBER_WORDS = {
    "nl": ["nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf",
           "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien", "negentien", "twintig"],
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
           "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"],
}
TENS = {"nl": {30: "dertig", 40: "veertig", 45: "vijfenveertig", 50: "vijftig", 60: "zestig"},
        "en": {30: "thirty", 40: "forty", 45: "forty-five", 50: "fifty", 60: "sixty"}}
COUNTED = r"(?:keer|maal|minuten|minuutjes|kwartier|uur|dagen|dag|weken|week|maanden|maand|boeken|boekjes|" \
          r"times|minutes|hours|days|weeks|months|books|pages|bladzijden|bladzijdes|woorden|words)"


def number_words(text: str, language: str) -> str:
    """'3 keer per week, 20 minuten' -> 'drie keer per week, twintig minuten': counts in words, as in a report."""
    words, tens = NUMBER_WORDS.get(language, NUMBER_WORDS["nl"]), TENS.get(language, TENS["nl"])

    def repl(m):
        n = int(m.group(1))
        word = words[n] if n < len(words) else tens.get(n)
        return f"{word} {m.group(2)}" if word else m.group(0)

    return re.sub(rf"(?<![\d.,:/-])(\d{{1,2}}) ({COUNTED})\b", repl, text)


# --- conjugation (third person) -------------------------------------------------------------------------------
NL_IRREGULAR_1SG = {"ben": "is", "heb": "heeft", "zal": "zal", "zou": "zou", "kan": "kan", "wil": "wil", "mag": "mag",
                    "ga": "gaat", "sta": "staat", "doe": "doet", "zie": "ziet", "kom": "komt", "moet": "moet"}
NL_IRREGULAR_PL = {"zijn": "is", "hebben": "heeft", "zullen": "zal", "kunnen": "kan", "willen": "wil",
                   "mogen": "mag", "gaan": "gaat", "staan": "staat", "doen": "doet", "zien": "ziet",
                   "komen": "komt", "moeten": "moet", "slaan": "slaat"}
NL_U_FORM = {"kunt": "kan", "wilt": "wil", "zult": "zal", "hebt": "heeft", "bent": "is"}
VOWELS = "aeiouy"


def nl_1sg_to_3sg(verb: str) -> str:
    low = verb.lower()
    if low in NL_IRREGULAR_1SG:
        return NL_IRREGULAR_1SG[low]
    return verb if low.endswith("t") else verb + "t"


def nl_plural_to_3sg(verb: str) -> str | None:
    low = verb.lower()
    if low in NL_IRREGULAR_PL:
        return NL_IRREGULAR_PL[low]
    if not low.endswith("en") or len(low) < 4:
        return None
    s = low[:-2]
    if len(s) >= 2 and s[-1] == s[-2] and s[-1] not in VOWELS:
        s = s[:-1]
    elif len(s) >= 3 and s[-2] in "aeou" and s[-3] not in VOWELS and s[-1] not in VOWELS:
        unstressed = s.endswith(("el", "er", "em", "en")) and len(s) > 4
        if not unstressed:
            s = s[:-1] + s[-2] + s[-1]
    elif len(s) >= 4 and s.endswith("er") and s[-3] in VOWELS:
        s = s[:-1] + "e" + "r"
    if s.endswith("v"):
        s = s[:-1] + "f"
    elif s.endswith("z"):
        s = s[:-1] + "s"
    return s if s.endswith("t") else s + "t"


EN_MODALS = {"will", "would", "can", "could", "shall", "should", "must", "may", "might"}


def en_to_3sg(verb: str) -> str:
    low = verb.lower()
    if low in EN_MODALS:
        return verb
    special = {"am": "is", "are": "is", "have": "has", "do": "does", "go": "goes", "'ll": "will", "’ll": "will"}
    if low in special:
        return special[low]
    if low.endswith(("s", "sh", "ch", "x", "o")):
        return verb + "es"
    if low.endswith("y") and len(low) > 2 and low[-2] not in VOWELS:
        return verb[:-1] + "ies"
    return verb + "s"
