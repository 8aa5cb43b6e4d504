"""Dutch (and English) language data for the summariser: part-of-speech tags and lemmas of a sentence.

Why: whether a sentence promises something ("ik meld haar aan"), tells what happened ("ik heb haar aangemeld")
or imagines it ("we zouden kunnen ...") is carried by its finite verb's tense and its subject, and a hand list
of verb forms never covers a conversation nobody tuned it on. HanTa (the Hannover tagger, CGN tag set for
Dutch, Penn for English) tags the sentence; simplemma gives lemmas for words the tagger does not know.

Both packages come from PyPI and ship their data (no download at run time). They are imported lazily, only
when a summary is made, and when one is missing :func:`analysis` returns None: the summariser then falls back
to its word lists (the figures in the README say how much each adds on the dev split).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .phrasing import tokens_of

MODELS = {"nl": "morphmodel_dutch.pgz", "en": "morphmodel_en.pgz"}


@dataclass(frozen=True)
class Word:
    token: str
    lemma: str
    tag: str  # CGN ('WW(pv,tgw,ev)') for Dutch, BNC C5 ('VVD') for English

    @property
    def pos(self) -> str:
        """The coarse class in CGN terms: WW (verb), VNW (pronoun), N, ADJ, BW, VZ, VG, LID, TW, LET, SPEC."""
        if "(" in self.tag or self.tag in ("LET", "SPEC"):
            return self.tag.split("(", 1)[0]
        return "WW" if self.tag[:1] == "V" else _C5.get(self.tag[:2], self.tag)

    @property
    def finite(self) -> bool:
        return "pv" in self.tag or bool(re.fullmatch(r"V[VBDH][DBZ]|VM0", self.tag))

    @property
    def past(self) -> bool:
        return "verl" in self.tag or bool(re.fullmatch(r"V[VBDH]D", self.tag))

    @property
    def participle(self) -> bool:
        return "vd" in self.tag or bool(re.fullmatch(r"V[VBDH]N", self.tag))

    @property
    def infinitive(self) -> bool:
        return "inf" in self.tag or bool(re.fullmatch(r"V[VBDH]I", self.tag))

    @property
    def subject_pronoun(self) -> bool:
        return ("VNW(pers" in self.tag and "nomin" in self.tag) or (
            self.tag == "PNP" and self.token.lower() in ("i", "we", "you", "he", "she", "they"))


_C5 = {"PN": "VNW", "DP": "VNW", "NN": "N", "NP": "N", "AJ": "ADJ", "AV": "BW", "PR": "VZ", "CJ": "VG",
       "AT": "LID", "CR": "TW", "OR": "TW", "PU": "LET", "DT": "LID", "TO": "VZ"}


@dataclass(frozen=True)
class Analysis:
    """One sentence, tagged: its words and what a reader of agreements asks of them."""
    words: tuple[Word, ...]

    @property
    def finite(self) -> list[Word]:
        """Finite verbs (Dutch 'pv'; English present, past and modal forms)."""
        return [w for w in self.words if w.finite]

    @property
    def past(self) -> bool:
        """The first finite verb is in the past tense ('ik belde', 'I called')."""
        f = self.finite
        return bool(f) and f[0].past

    @property
    def perfect(self) -> bool:
        """'heb ... gedaan', 'is ... getest', 'have done': hebben/zijn with a past participle."""
        aux = {"hebben", "zijn", "have", "be", "has", "is", "are", "was", "were"}
        has_aux = any(w.lemma.lower() in aux or w.token.lower() in aux for w in self.finite)
        return has_aux and any(w.participle for w in self.words)

    @property
    def present(self) -> bool:
        f = self.finite
        return bool(f) and not f[0].past

    @property
    def infinitive(self) -> bool:
        return any(w.infinitive for w in self.words)

    @property
    def imperative(self) -> bool:
        """Starts with a finite (or bare) verb and no subject pronoun follows it ('Maak die module af')."""
        content = [w for w in self.words if w.pos != "LET"]
        if not content or not (content[0].finite or content[0].tag in ("VVB", "VVI")) or content[0].past:
            return False
        if content[0].token.lower() in ("is", "are", "was", "zijn", "is", "heb", "hebben", "kan", "can", "will",
                                        "zal", "would", "could", "wil", "mag", "moet"):
            return False
        nxt = content[1] if len(content) > 1 else None
        return not (nxt and nxt.subject_pronoun)


@lru_cache(maxsize=4)
def _tagger(language: str):
    try:
        from HanTa import HanoverTagger as ht
    except ImportError:
        return None
    try:
        return ht.HanoverTagger(MODELS[language])
    except Exception:  # a broken or missing model file: the word lists carry on alone
        return None


def available(language: str) -> bool:
    return language in MODELS and _tagger(language) is not None


#: Longer tokens are not words a tagger can read (the longest Dutch compounds in use have about 35 letters) but
#: run-ons, URLs or a stuck key; HanTa's time grows with the square of a token's length (400 letters 1.5 s), so
#: one such token in a transcript would stall the summary. They are tagged as foreign material ('SPEC').
LONGEST_TAGGED = 40


@lru_cache(maxsize=4096)
def analysis(text: str, language: str) -> Analysis | None:
    """The tagged sentence, or None when no tagger is installed for ``language``. Cached: the parts of the
    summariser ask about the same sentence several times (candidates, antecedents, the verb check)."""
    if language not in MODELS:
        return None
    tagger = _tagger(language)
    if tagger is None:
        return None
    toks = tokens_of(text)
    if not toks:
        return Analysis(())
    long = {i for i, t in enumerate(toks) if len(t) > LONGEST_TAGGED}
    try:
        tagged = tagger.tag_sent([t[:1] if i in long else t for i, t in enumerate(toks)], taglevel=1)
    except Exception:  # the tagger's own failure on odd input never breaks a summary
        return None
    return Analysis(tuple(Word(toks[i], toks[i], "SPEC(vreemd)") if i in long else Word(t, lemma or t, tag)
                          for i, (t, lemma, tag) in enumerate(tagged)))


@lru_cache(maxsize=16384)
def lemma(word: str, language: str) -> str:
    """simplemma's lemma of ``word`` (lower case), or the word itself when simplemma is not installed."""
    try:
        import simplemma
    except ImportError:
        return word.lower()
    try:
        return simplemma.lemmatize(word.lower(), lang=language)
    except Exception:
        return word.lower()


#: Separable particles of Dutch verbs ('langskomen' -> 'komt ... langs'). Not 'over', 'door', 'om', 'onder':
#: with them a verb is as often inseparable ('overleggen' -> 'overlegt', never 'legt over').
PARTICLES = ("terug", "langs", "samen", "mee", "aan", "op", "af", "in", "uit", "na", "bij", "toe", "voor", "weg",
             "vast", "neer", "binnen")
#: Finite verbs that take other verbs into their cluster ('het gedaan heeft', 'het kan inleveren').
AUXILIARIES = {"kunnen", "willen", "gaan", "zullen", "moeten", "mogen", "hebben", "zijn", "laten", "blijven",
               "komen", "worden"}


def verb_second(clause: str, language: str = "nl") -> str | None:
    """A Dutch subordinate clause in main-clause order: 'je elke woensdag even bij mij langskomt' -> 'je komt elke
    woensdag even bij mij langs'; 'hij het kan inleveren' -> 'hij kan het inleveren'; 'hij aanschuift bij de
    instructie' (a phrase after the verb) -> 'hij schuift aan bij de instructie'. The subject is the opening
    pronoun, name or noun phrase ('Kerem en mevrouw Schouten'); the finite verb is the last one, with the verbs
    next to it; a separable particle goes to the end of the middle. None when the clause has another shape."""
    if language != "nl":
        return None
    a = analysis(clause.strip().rstrip(".!?"), language)
    if a is None or len(a.words) < 3:
        return None
    ws = list(a.words)
    fi = max((k for k, w in enumerate(ws) if w.finite), default=None)
    if fi is None:  # 'hebben' after a plural subject is tagged as an infinitive
        fi = max((k for k, w in enumerate(ws) if w.pos == "WW"), default=None)
    if fi is None or fi == 0:
        return None
    lo, hi = fi, fi + 1
    aux = ws[fi].lemma.lower() in AUXILIARIES
    while lo > 1 and ws[lo - 1].pos == "WW" and not ws[lo - 1].finite and (aux or ws[lo - 1].participle):
        lo -= 1
    while hi < len(ws) and ws[hi].pos == "WW" and not ws[hi].finite:
        hi += 1
    tail = ws[hi:]
    if tail and not (tail[0].pos in ("VZ", "LET")):
        return None
    s_end = 1
    if ws[0].pos != "VNW":
        while s_end < lo and (ws[s_end].pos in ("N", "SPEC", "LID", "ADJ") or ws[s_end].token.lower() == "en"):
            s_end += 1
    subject, middle = ws[:s_end], ws[s_end:lo]
    verb, others = ws[fi], [w for w in ws[lo:hi] if w is not ws[fi]]
    particle = ""
    if not others:
        low = verb.token.lower()
        lemmas = (verb.lemma.lower(), lemma(low, language))
        particle = next((p for p in PARTICLES if low.startswith(p) and len(low) > len(p) + 2
                         and any(m.startswith(p) and m != low for m in lemmas)), "")
    out = [w.token for w in subject] + [verb.token[len(particle):]] + [w.token for w in middle]
    out += [w.token for w in others] + ([particle] if particle else []) + [w.token for w in tail]
    return re.sub(r"\s+([,.;:!?])", r"\1", " ".join(out))


def finite_tags(language: str):
    """A function text -> [(token, is finite verb)] for ``sentences_of``'s clause cuts, or None without a tagger."""
    if not available(language):
        return None

    def tag(text: str):
        a = analysis(text, language)
        return [(w.token, w.finite) for w in a.words] if a is not None else None
    return tag
