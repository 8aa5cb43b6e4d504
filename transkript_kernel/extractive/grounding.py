"""Never invent a word: every word of a summary item comes from its evidence segments, from a small closed set
(role nouns, function words, the lexicon's own labels) or is a form the language's Hunspell dictionary accepts.

Why: a rewrite into the third person can glue a verb ending onto a name or a wrong stem ('Daant', 'doent'), and
a parent receives the item as written. When a rewritten item holds a word none of the three sources vouches for,
the item falls back to quoting its evidence with attribution (``Docent: "Ik bel u vrijdag na schooltijd."``),
trimmed to the clause and passed through the neutrality filter (a subjective clause is cut, never repeated).
Without a dictionary (libhunspell missing) the guard is stricter, never looser: only evidence and the closed set.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..lexicon import cues as load_cues, topics as load_topics

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")

#: The label a quote is attributed to, per language and speaker role (a closed set of role nouns).
SPEAKER_LABEL = {
    "nl": {"docent": "Leerkracht", "ouder": "Ouder", "leerling": "Leerling", "school": "School", "tolk": "Tolk",
           "anders": "Spreker", None: "Spreker"},
    "en": {"docent": "Teacher", "ouder": "Parent", "leerling": "Pupil", "school": "School", "tolk": "Interpreter",
           "anders": "Speaker", None: "Speaker"},
}
#: Words the renderers add themselves ('school en ouder', 'na de toets', 'Verder genoemd').
RENDER_WORDS = {"nl": {"school", "en", "ouder", "ouders", "na", "de", "zich", "verder", "genoemd", "samen", "ze",
                       "leerkracht", "leerling", "tolk", "spreker", "het", "een"},
                "en": {"the", "school", "and", "parent", "parents", "after", "together", "also", "mentioned",
                       "their", "they", "teacher", "pupil", "interpreter", "speaker", "will", "a", "an"}}


def words(text: str) -> list[str]:
    return WORD.findall(text or "")


@lru_cache(maxsize=4)
def closed_set(language: str) -> frozenset:
    """Role nouns, function words and the lexicon's labels: words the summariser may always write."""
    c = load_cues(language)
    out = set(RENDER_WORDS.get(language, set())) | set(c.stopwords)
    out |= {w for noun in c.owner_nouns.values() for w in words(noun.lower())}
    out |= {w.lower() for label in SPEAKER_LABEL.get(language, {}).values() for w in words(label)}
    out |= c.first_singular | c.first_plural | c.second | c.third_pupil | c.subordinators | c.coordinators
    out |= c.prepositions | c.possessives
    for t in load_topics():
        for lang_label in t["label"].values():
            out |= {w.lower() for w in words(lang_label)}
    return frozenset(out)


def unchecked(text: str, evidence_text: str, language: str) -> list[str]:
    """The words of ``text`` that neither its evidence, nor the closed set, nor the dictionary vouches for."""
    from .. import spelling

    said = {w.lower() for w in words(evidence_text)}
    said |= {part for w in said for part in re.split(r"['’-]", w)}
    closed = closed_set(language if language in ("nl", "en") else "nl")
    dictionary = spelling.optional(language)  # without one the guard is stricter, never looser
    out = []
    for w in words(text):
        low = w.lower()
        if low in said or low in closed:
            continue
        parts = [p for p in re.split(r"['’-]", low) if p]
        if len(parts) > 1 and all(p in said or p in closed for p in parts):
            continue
        if dictionary is not None and dictionary.known(w):
            continue
        out.append(w)
    return list(dict.fromkeys(out))


def evidence_text(transcript, ids) -> str:
    found = []
    for i in ids:
        try:
            found.append(transcript.segment(i).text)
        except KeyError:
            continue
    return " ".join(found)


def _item_texts(item) -> list[str]:
    return [t for t in (getattr(item, "text", ""), getattr(item, "due", None)) if t]


def invented_words(summary, transcript) -> list[tuple[str, int, str]]:
    """(part, item index, word) for every word of the summary no source vouches for: the guard's own count."""
    out = []
    for part in ("topics", "concerns", "actions"):
        for n, item in enumerate(getattr(summary, part)):
            ev = evidence_text(transcript, item.evidence)
            for text in _item_texts(item):
                out += [(part, n, w) for w in unchecked(text, ev, summary.language)]
    return out


def quote(role: str | None, clause: str, language: str, end: str = ".") -> str | None:
    """``Leerkracht: "Ik bel u vrijdag na schooltijd."``: the speaker's own clause, neutral, with attribution;
    None when the neutrality filter leaves nothing."""
    from ..neutrality import scrub_text

    clause = re.sub(r"\s+", " ", clause or "").strip(" ,;\"'")
    neutral = scrub_text(clause) if clause else None
    if not neutral:
        return None
    neutral = neutral[:1].upper() + neutral[1:]
    if not re.search(r"[.!?]$", neutral):
        neutral += end
    label = SPEAKER_LABEL.get(language, SPEAKER_LABEL["nl"]).get(role, SPEAKER_LABEL["nl"][None])
    return f'{label}: "{neutral}"'


#: Check rewritten verb forms with the tagger too (``misrendered``), not only the dictionary.
VERB_CHECK = True
_U_FORMS = {"kunt", "wilt", "zult"}  # the forms of 'u'; after a role noun ('de ouder kunt') they are wrong


def _stem_key(stem: str) -> str:
    """A Dutch verb stem without spelling alternations: 'heroverweeg' and 'heroverweg(en)', 'lees' and 'lez(en)'."""
    stem = re.sub(r"([aeou])\1", r"\1", stem)
    return re.sub(r"v$", "f", re.sub(r"z$", "s", stem))


def misrendered(text: str, evidence_text: str, language: str) -> list[str]:
    """Words of a third-person rewrite that the dictionary accepts but that read wrong: a form that is not in the
    evidence must be a present-tense finite verb in the rewrite and come from a present-tense finite verb of the
    evidence (its stem, or the same lemma). So 'voor ik het vergeet' never becomes 'Voort ...', 'ik was' never
    'wast' and 'ik zag' never 'zagt'; and a role noun never takes the form of 'u' ('de ouder kunt')."""
    if not VERB_CHECK or language != "nl":
        return []
    from .language import analysis, lemma

    rendered = analysis(text, language)
    said = analysis(evidence_text, language)
    if rendered is None or said is None:
        return []
    said_words = {w.token.lower() for w in said.words}
    tag_of = {w.token.lower(): w for w in said.words}
    present = [w for w in said.words if w.finite and not w.past]
    present_lemmas = {w.lemma.lower() for w in present} | {lemma(w.token, language) for w in present} | {
        w.token.lower() for w in present}
    closed = closed_set(language)
    out = []
    toks = rendered.words
    for k, w in enumerate(toks):
        low = w.token.lower()
        if low in _U_FORMS and not {x.token.lower() for x in toks[max(0, k - 4):k]} & {"u", "je", "jij", "jullie"}:
            out.append(w.token)  # 'zodat de ouder het kunt lezen': the 'u' became a role noun, the verb did not
            continue
        if low in said_words or low in closed or not WORD.fullmatch(w.token) or not low.endswith("t"):
            continue  # only a form with a verb ending the evidence lacks is a rewrite to check
        stem = low[:-1]
        source = tag_of.get(stem) or (tag_of.get(low[:-2]) if low.endswith("dt") else None)
        if source is not None:
            if source.past or source.pos in ("BW", "VZ", "VG", "VNW", "LID", "TW"):
                out.append(w.token)  # 'was' -> 'wast', 'zag' -> 'zagt', 'voor' -> 'voort', 'hoe' -> 'hoet'
            continue
        if w.lemma.lower() in present_lemmas or lemma(w.token, language) in present_lemmas:
            continue
        if any(v.token.lower().endswith(low) and len(v.token) > len(low) + 1 for v in present):
            continue  # a separable verb split for main-clause order: 'langskomt' -> 'komt ... langs'
        if any(_stem_key(stem) == _stem_key(v.token.lower()[:-2]) for v in said.words
               if v.token.lower().endswith("en") and not v.past):
            continue  # 'heroverwegen we' -> 'heroverweegt', 'lezen we' -> 'leest'
        out.append(w.token)
    return out
