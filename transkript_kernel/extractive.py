"""The default summariser: offline, deterministic and instant, built from cue lists (``data/lexicon``).

No language model within reach writes usable Dutch summaries, so this one reads the conversation the way a
careful note-taker does: commitments ("ik stuur u ...") and accepted proposals ("het zou helpen als u ...")
become actions with an owner (speaker role + pronoun) and a due date (weekday, "over zes weken", ...),
worries and problem statements become concerns, school-domain terms become topics. Every item cites the
segments it rests on and is phrased in the third person where that can be done safely.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lexicon import Cues, cues as load_cues, guess_language, topics as load_topics
from .sentences import Sentence, sentences_of
from .summary import Action, Concern, Summary, Topic

SIDE = {"docent": "school", "school": "school", "tolk": "school", "ouder": "ouder", "leerling": "leerling",
        "samen": "samen"}
OTHER = {"docent": "ouder", "ouder": "docent", "leerling": "docent", "school": "ouder"}
SUBJECTS = {"ik", "we", "wij", "u", "jullie", "hij", "zij", "ze", "i", "you", "he", "she", "they"}
WORD = re.compile(r"[\w'’-]+|[^\w\s]", re.UNICODE)


@dataclass
class Candidate:
    sentence: Sentence
    owner: str | None
    text: str
    due: str | None
    kind: str  # commitment | proposal | agreement | receive | arrangement
    weak: bool = False
    accepted: bool | None = None
    evidence: list[int] = field(default_factory=list)
    extra_dues: list[str] = field(default_factory=list)
    dropped: bool = False
    body: str | None = None  # a proposal's content without its frame ('als u ... leest')
    owner_fixed: bool = False
    imperative: bool = False
    own_owner: str | None = None  # the owner this sentence gave, for phrasing its own words
    before: list = field(default_factory=list)  # (Candidate) merged in front of this one's words
    after: list = field(default_factory=list)  # (Candidate) merged after them


# --- small text helpers ------------------------------------------------------------------------------------
def _tokens(text: str) -> list[str]:
    return WORD.findall(text)


def _words(text: str) -> list[str]:
    return [t.lower() for t in _tokens(text) if re.match(r"\w", t)]


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
                    second = _words(rest)[1:2]
                    if c.language == "nl" and second and second[0] in SUBJECTS and not re.match(r"[,.!:;]", text[len(p):].lstrip()[:1] or "x"):
                        return text  # inversion after the particle: it is a real first constituent
                    text, changed = rest, True
                    break
    return text


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


def _finish(text: str) -> str:
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


def _cap_first(s: str) -> str:
    return s[:1].upper() + s[1:]


# --- conjugation (third person) -------------------------------------------------------------------------------
NL_IRREGULAR_1SG = {"ben": "is", "heb": "heeft", "zal": "zal", "kan": "kan", "wil": "wil", "mag": "mag",
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


# --- the analyser ------------------------------------------------------------------------------------------
class Analyser:
    def __init__(self, transcript, language: str | None = None, *, role_guess: bool = True):
        self.transcript = transcript
        self.language = language or transcript.language or guess_language(transcript.text)
        if self.language not in ("nl", "en"):
            self.language = guess_language(transcript.text)
        self.c = load_cues(self.language)
        self.sentences = sentences_of(transcript, self.language)
        self.speaker_info = any(s.role for s in self.sentences)
        self.names = self._pupil_names()
        self.meta = self._meta_flags()
        self.guessed = {} if self.speaker_info else self._guess_roles()

    # -- context -----------------------------------------------------------------------------------------
    def _pupil_names(self) -> set[str]:
        """Capitalised words inside sentences that are neither speaker labels nor sentence starts: names."""
        labels, pupils = set(), set()
        for sp in self.transcript.speakers.values():
            toks = _tokens(sp.label or "")
            for i, t in enumerate(toks):
                if i > 0 and toks[i - 1].lower() in ("van", "of"):
                    pupils.add(t)
                else:
                    labels.add(t.lower())
        counts: dict[str, int] = {p: 1 for p in pupils}
        for s in self.sentences:
            toks = _tokens(s.text)
            for i, t in enumerate(toks[1:], 1):
                if (re.fullmatch(r"[A-Z][a-zà-ÿ]+", t) and toks[i - 1] not in ".!?"
                        and t.lower() not in self.c.stopwords and t.lower() not in labels):
                    counts[t] = counts.get(t, 0) + 1
        months = {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                  "oktober", "november", "december", "january", "february", "march", "may", "june", "july",
                  "august", "october", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                  "sunday", "dutch", "english", "i", "hindi", "mr", "mrs"}
        return {n for n, k in counts.items() if n.lower() not in months}

    def _is_ack(self, s: Sentence) -> bool:
        low = s.lower.strip(" .!?,")
        words = _words(low)
        return len(words) <= 6 and any(low.startswith(a) for a in self.c.acceptance + self.c.refusal)

    def _meta_flags(self) -> list[bool]:
        """Sentences about the recording, the summary or greetings; and those that point back at them."""
        flags = []
        for i, s in enumerate(self.sentences):
            meta = bool(self.c.meta.search(s.lower))
            if not meta:
                words = _words(s.text)
                if set(words) & self.c.demonstratives:
                    j = i - 1
                    while j >= 0 and self._is_ack(self.sentences[j]):
                        j -= 1
                    meta = j >= 0 and flags[j] and i - j <= 3
            flags.append(meta)
        return flags

    def role(self, s: Sentence) -> str | None:
        if self.speaker_info:
            if s.role == "tolk":  # 'De vader zegt dat ...': the interpreter speaks for the parent
                turn = [x for x in self.sentences if x.turn == s.turn and x.index <= s.index]
                if any(self.c.relay.search(x.lower) for x in turn):
                    return "ouder"
            return s.role
        return self.guessed.get(s.index)

    def _guess_roles(self) -> dict[int, str]:
        """Without speaker information: who probably said a sentence, from what only a teacher or only a parent
        says ('kunt u ...', 'in de klas' / 'bij ons thuis', 'mijn dochter'), and from saying yes to a proposal."""
        from .lexicon import phrase_re

        cues = self.c.raw.get("role_cues", {})
        res = {role: phrase_re(words) for role, words in cues.items()}
        out: dict[int, str] = {}
        for s in self.sentences:
            low = s.lower
            score = {role: len(rx.findall(low)) for role, rx in res.items()}
            best = max(score, key=score.get) if score else None
            if best and score[best] > 0 and list(score.values()).count(score[best]) == 1:
                out[s.index] = best
            elif self._is_ack(s) and s.index > 0 and out.get(s.index - 1) == "docent" and \
                    self._frame(self.sentences[s.index - 1].lower.rstrip(".?!")):
                out[s.index] = "ouder"
        return out

    # -- dues ----------------------------------------------------------------------------------------------
    def dues(self, text: str) -> list[tuple[int, int, str]]:
        low = text.lower()
        out = []
        for m in self.c.due.finditer(low):
            if m.group(0).strip():
                out.append((m.start(), m.end(), text[m.start():m.end()].strip()))
        return out

    # -- actions --------------------------------------------------------------------------------------------
    def _finite_first_person(self, part: str):
        """(pronoun, verb, verb index, tokens) when ``part`` is a main clause with ik/we as subject."""
        toks = _tokens(part)
        low = [t.lower() for t in toks]
        firsts = self.c.first_singular | self.c.first_plural
        for i, w in enumerate(low):
            if w not in firsts and not (self.language == "en" and w in ("i'll", "we'll", "i’ll", "we’ll")):
                continue
            if w in ("i'll", "we'll", "i’ll", "we’ll"):
                return w.split("'")[0].split("’")[0], "will", i, toks
            before = [x for x in low[:i] if re.match(r"\w", x)]
            if self.language == "en":
                if any(b in self.c.subordinators for b in before[-3:]):
                    return None
                if i + 1 < len(low):
                    return w, low[i + 1], i + 1, toks
                return None
            if not before:
                if i + 1 < len(low):
                    return w, low[i + 1], i + 1, toks
                return None
            prev = low[i - 1]
            if prev in self.c.coordinators:
                return (w, low[i + 1], i + 1, toks) if i + 1 < len(low) else None
            if prev in self.c.subordinators or not re.match(r"\w", prev):
                return None
            if any(b in self.c.subordinators for b in before) and "," not in low[:i]:
                return None
            return w, prev, i - 1, toks
        return None

    def _verb_is_action(self, verb: str, toks: list[str], vi: int) -> bool:
        c = self.c
        low = [t.lower() for t in toks]
        if re.search(r"\b(liever niet|rather not|niet meer|no longer)\b", " ".join(low)):
            return False
        nxt = " ".join(low[vi:vi + 2])
        if verb in c.non_action or nxt in c.non_action or " ".join(low[vi:vi + 3]) in c.non_action:
            return False
        if verb in c.past_irregular:
            return False
        if self.language == "nl":
            if len(verb) > 3 and verb.endswith(("de", "te")) and verb not in c.modals:
                return False
            if len(verb) > 5 and verb.endswith(("den", "ten")) and verb not in c.present_plural_dt \
                    and not verb.endswith(("dden", "tten")):
                return False
            if verb in c.modals:
                rest = [w for w in low[vi + 1:] if re.match(r"\w", w)]
                return any(w.endswith("en") or w in ("doen", "gaan", "zien", "slaan", "staan") for w in rest)
        else:
            if verb.endswith("ed") or verb in ("am", "was", "have", "had"):
                return False
            if verb in ("would", "could", "might"):
                return False
        return True

    def _frame(self, low: str):
        for rx, owner, kind in self.c.frames:
            m = rx.match(low)
            if m:
                return m, owner, kind
        return None

    def _subject_owner(self, body: str, s: Sentence) -> str | None:
        words = _words(body)
        if not words:
            return None
        first = words[0]
        role = self.role(s)
        if first in self.c.first_singular:
            return role
        if first in self.c.first_plural:
            return "samen"
        if first in self.c.second:
            return OTHER.get(role) if role else None
        if first in self.c.third_pupil or _tokens(body)[0] in self.names:
            return "leerling"
        if self.c.school_roles.match(body.lower()):
            return "school"
        return None

    def _we_owner(self, s: Sentence, text_low: str) -> str | None:
        together = re.search(r"\b(?:we|wij)\b(?:\s+[\w'-]+){0,3}\s+(?:samen|together)\b|samen met u|with you", text_low)
        if self.c.agreement.search(text_low) or self.c.reciprocal.search(text_low) or \
                (self.role(s) == "docent" and together):
            return "samen"
        role = self.role(s)
        if role == "docent":
            return "school"
        return role

    def action_candidates(self) -> list[Candidate]:
        c = self.c
        out: list[Candidate] = []
        for i, s in enumerate(self.sentences):
            if self.meta[i] or self._is_ack(s):
                continue
            text = strip_particles(s.text.strip(), c)
            low = text.lower().rstrip(".!?")
            if s.question:
                # only requests ('Kunt u ...?', 'Could you ...?') are proposals in question form
                f = self._frame(low)
                if f and not c.concern.search(low) and (f[2] == "request" or (f[1] == "other" and f[2] == "proposal")):
                    m, rule = f[0], f[1]
                    body = m.group("body")
                    if f[2] == "request" and len(self._content(body)) < 2:
                        continue  # 'Kan ik thuis iets doen?' asks for advice; it is no request
                    owner = {"other": OTHER.get(self.role(s)) if self.role(s) else None, "samen": "samen",
                             "speaker": self.role(s)}.get(rule)
                    out.append(self._candidate(s, text.rstrip("?"), owner, "proposal" if f[2] != "request" else
                                               "request"))
                continue
            if c.concern.search(low):
                continue
            role = self.role(s)
            # 1. proposal and agreement frames
            f = self._frame(low)
            if f:
                m, owner_rule, kind = f
                body = text[m.start("body"):m.end("body")]
                if owner_rule == "subject":
                    owner = self._subject_owner(body, s)
                    if owner == "samen" and kind != "agreement":
                        owner = self._we_owner(s, low)
                elif owner_rule in ("other", "addressee"):
                    owner = OTHER.get(role) if role else None
                else:
                    owner = owner_rule
                cd = self._candidate(s, text, owner, kind)
                cd.imperative = m.re.pattern in c.imperative_frames
                if owner_rule in ("other", "addressee") and m.group(0) == low and not cd.imperative:
                    cd.body = trim_clauses(body, c)
                out.append(cd)
                continue
            # 2. 'u krijgt' / 'you will receive': the speaker's side delivers
            words = _words(low)
            pupil = set(words) & (c.third_pupil | {n.lower() for n in self.names})
            if role in ("docent", None) and any(w in c.receive for w in words) and (set(words) & c.second or pupil):
                owner = "school" if role == "docent" else None
                if not c.problem.search(low):
                    out.append(self._candidate(s, text, owner, "receive"))
                    continue
            # 3. clause by clause: commitments (ik/we) and arrangements (pupil, school staff)
            parts = [p for p in re.split(r",\s+|;\s+", text) if p.strip()]
            conditional = bool(re.match(r"(als|if|wanneer|when|zodra|indien)\b", low))
            heads = []
            for k, part in enumerate(parts):
                head = self._clause_head(part, s, conditional or (k > 0 and bool(
                    re.match(r"(als|if|wanneer|when|zodra)\b", parts[k - 1].lower()))), low)
                if head and head[1] == "arrangement" and heads and \
                        (_words(part)[:1] or [""])[0] in c.third_pupil | {"die", "deze"}:
                    continue  # '..., zij kan Yara helpen': says more about the action before it
                if head and heads and head[0] == heads[-1][1] and head[1] == heads[-1][2] == "commitment":
                    continue  # 'I will make sure ..., I'll set his alarm earlier': one commitment
                if head:
                    heads.append((k, *head))
            for n, (k, owner, kind, weak) in enumerate(heads):
                end = heads[n + 1][0] if n + 1 < len(heads) else len(parts)
                start = k
                if k > 0 and re.match(r"(als|if|wanneer|when|zodra|indien)\b", parts[k - 1].lower()) \
                        and (n == 0 or heads[n - 1][0] < k - 1):
                    start = k - 1
                chunk = [strip_particles(parts[start], c) if start == k else parts[start]] + parts[start + 1:end]
                out.append(self._candidate(s, ", ".join(chunk), owner, kind, weak=weak))
        return out

    def _clause_head(self, part: str, s: Sentence, conditional: bool, sentence_low: str):
        """(owner, kind, weak) when ``part`` carries an action of its own, else None."""
        c = self.c
        role = self.role(s)
        plow = part.lower()
        if not sentence_low.startswith(plow.rstrip(".!?")):
            f = self._frame(strip_particles(part, c).lower().rstrip(".!?"))
            if f and f[1] in ("other", "addressee") and f[2] == "proposal":
                return (OTHER.get(role) if role else None), "proposal", False
        hit = self._finite_first_person(part)
        if hit:
            pron, verb, vi, toks = hit
            if self._verb_is_action(verb, toks, vi):
                toks_low = [t.lower() for t in toks]
                pi = next((k for k, t in enumerate(toks_low) if t == pron), 0)
                if pi > 1 and toks_low[pi - 1] in c.coordinators and not self.dues(part) \
                        and not c.future.search(plow):
                    return None  # 'Haar moeder werkt vroeg en ik breng ...': telling, not promising
                if pron not in c.first_plural:
                    return role, "commitment", False
                has_due = bool(self.dues(part))
                future = bool(c.future.search(plow))
                linked = bool(c.condition.search(plow) or c.link.search(plow))
                if not (conditional or has_due or future or linked or c.agreement.search(plow)):
                    return None
                return self._we_owner(s, sentence_low), "commitment", not (conditional or future or linked)
        if c.problem.search(plow) or c.concern.search(plow):
            return None
        # 'ze gaat vanaf januari naar de taalgroep', 'Yara mag een knuffel meenemen'
        modal = self._pupil_future(plow, part)
        if modal is not None and c.pupil_modals.get(modal) != "school" and not self.dues(part):
            modal = None  # 'dan gaat ze zitten wachten': a description, not an arrangement
        if modal is not None:
            if role != "docent":
                return role, "arrangement", False
            if c.pupil_modals.get(modal) == "school":
                return "school", "arrangement", False
            words = _words(plow)
            after = words[words.index(modal.split()[0]) + 1:] if modal.split()[0] in words else words
            own = any(w in c.possessives for w in after[1:]) and not set(after) & {"group", "groep", "class", "klas"}
            return ("leerling" if own else "school"), "arrangement", False
        # 'de pleinwacht let de komende twee weken extra op'
        bare = strip_particles(part, c).lower()
        rm = c.school_roles.search(bare)
        if rm and rm.start() <= 25 and role in ("docent", None):
            after = _words(bare[rm.end():])[:1]
            static = {"is", "was", "heeft", "had", "zijn", "waren", "vindt", "vond", "denkt", "zegt", "zei", "has",
                      "is", "was", "were", "thinks", "says", "said"}
            if after and after[0] not in static:
                return ("school" if role == "docent" else None), "arrangement", False
        return None

    def _pupil_future(self, low: str, text: str) -> str | None:
        """The modal of 'ze gaat/zal/mag ...' with the pupil as subject, or None."""
        subj = "|".join(sorted(re.escape(w) for w in self.c.third_pupil | {n.lower() for n in self.names}))
        modals = "|".join(sorted((re.escape(m) for m in self.c.pupil_modals), key=len, reverse=True))
        if not subj or not modals:
            return None
        if self.language == "en":
            m = re.search(rf"\b(?:{subj}) ({modals})\b", low)
            return m.group(1) if m else None
        m = re.search(rf"\b(?:{subj}) ({modals})\b.*\w+en\b", low) or \
            re.search(rf"\b({modals}) (?:{subj})\b.*\w+en\b", low)
        return m.group(1) if m else None

    def _candidate(self, s: Sentence, text: str, owner, kind, weak=False) -> Candidate:
        clause = trim_clauses(text, self.c)
        dues = self.dues(clause)
        due = ", ".join(dict.fromkeys(d[2] for d in dues)) or None
        return Candidate(s, owner, clause, due, kind, weak=weak, evidence=list(s.segment_ids), own_owner=owner)

    # -- acceptance, merging --------------------------------------------------------------------------------
    def resolve(self, cands: list[Candidate]) -> list[Candidate]:
        c = self.c
        by_index = {cd.sentence.index: cd for cd in cands}
        # continuation: 'Ik schakel meester Rob in. Hij volgt de komende vier weken de pauzes.' is one action
        for s in self.sentences[1:]:
            prev = by_index.get(s.index - 1)
            if prev is None or s.index in by_index or prev.sentence.turn != s.turn or s.question:
                continue
            words = _words(strip_particles(s.text, c))[:3]
            if not (set(words) & (c.third_pupil | {"die", "deze", "they", "he", "she"})) or not self.dues(s.text):
                continue
            if c.problem.search(s.lower) or c.concern.search(s.lower) or self.meta[s.index]:
                continue
            extra = self._candidate(s, strip_particles(s.text.strip(), c), prev.owner, "arrangement")
            self._absorb(prev, extra, keep_text=True)
        # proposals: accepted or refused by the next turn of another speaker
        for cd in cands:
            if cd.kind not in ("proposal", "request"):
                continue
            reply = self._reply(cd.sentence)
            if reply is None:
                cd.dropped = cd.kind == "request"
                continue
            low = reply.lower.strip()
            if any(low.startswith(r) for r in c.refusal):
                cd.dropped = True
            elif any(low.startswith(a) for a in c.acceptance):
                cd.accepted = True
            elif cd.kind == "request":
                cd.dropped = True  # a question nobody said yes to is no agreement
        # a granted request ('Mag ik haar zelf brengen?' - 'Ja. Brengt u haar maar tot de deur.') is one action
        for cd in cands:
            if cd.dropped or cd.kind != "request" or not cd.accepted:
                continue
            reply = self._reply(cd.sentence)
            answer = [o for o in cands if not o.dropped and o is not cd and reply is not None
                      and o.sentence.turn == reply.turn and o.sentence.index > cd.sentence.index]
            if answer:
                other = answer[0]
                if SIDE.get(cd.owner) == "samen" and other.owner:
                    cd.owner = other.owner
                    cd.owner_fixed = True
                self._absorb(cd, other, keep_text=True)
        # elaboration: 'Dat kan. Ik zal haar moeder vragen ...' specifies the proposal just accepted
        for cd in cands:
            if cd.dropped or cd.kind != "commitment":
                continue
            s = cd.sentence
            prev = self.sentences[s.index - 1] if s.index > 0 else None
            if not prev or prev.turn != s.turn or not self._is_ack(prev) or c.additive.search(s.lower):
                continue
            target = [p for p in cands if p.kind == "proposal" and not p.dropped and p.accepted
                      and p.sentence.turn == s.turn - 1 and SIDE.get(p.owner) == SIDE.get(cd.owner)]
            if target:
                t = target[-1]
                self._absorb(t, cd, keep_text=False)
        # anaphoric links: '... daarvoor ...', 'als er dan ...' lean on the sentence before, in the same turn
        for cd in cands:
            if cd.dropped:
                continue
            s = cd.sentence
            if s.index == 0:
                continue
            prev = self.sentences[s.index - 1]
            if prev.turn != s.turn:
                continue
            linked = c.link.search(s.lower) or c.condition.search(s.lower)
            if not linked:
                continue
            before = by_index.get(prev.index)
            same_side = before is not None and (SIDE.get(before.owner) == SIDE.get(cd.owner)
                                                or None in (before.owner, cd.owner))
            if before is not None and not before.dropped and same_side:
                self._absorb(cd, before, keep_text=not before.weak, before=True)
            elif before is not None and not cd.due and before.due:
                cd.due = before.due
            elif not cd.due:
                due = self._context_due(prev)
                if due:
                    cd.due = due
                    cd.evidence = sorted(set(cd.evidence) | set(prev.segment_ids))
        # pronoun objects ('Ik bespreek die elke maandag') name what they point back to
        for cd in cands:
            if cd.dropped or cd.sentence.index == 0:
                continue
            prev = self.sentences[cd.sentence.index - 1]
            if prev.turn == cd.sentence.turn:
                cd.text = self._resolve_demonstrative(cd.text, prev)
        kept = [cd for cd in cands if not cd.dropped]
        return self._dedupe(kept)

    def _reply(self, s: Sentence) -> Sentence | None:
        for nxt in self.sentences[s.index + 1:]:
            if self.speaker_info:
                if nxt.turn != s.turn and nxt.speaker != s.speaker:
                    return nxt
            else:
                return nxt
        return None

    def _absorb(self, keep: Candidate, other: Candidate, *, keep_text: bool, before: bool = False):
        """Merge ``other`` into ``keep``: evidence and due always, text when it adds what ``keep`` lacks."""
        other.dropped = True
        keep.evidence = sorted(set(keep.evidence) | set(other.evidence))
        dues = [d for d in ((other.due, keep.due) if before else (keep.due, other.due)) if d]
        keep.due = ", ".join(dict.fromkeys(dues)) or None
        if keep_text:
            (keep.before if before else keep.after).append(other)
        if SIDE.get(keep.owner) in (None, "samen") and other.owner and not keep.owner_fixed:
            keep.owner = other.owner
        if keep.kind == "commitment" and other.kind == "commitment" and before and keep_text:
            pass

    def _context_due(self, prev: Sentence) -> str | None:
        dues = self.dues(prev.text)
        events = re.findall(r"\b(?:de|het|the) ((?:[\w-]+)?(?:toets|test|onderzoek|rapport|assessment|exam))\b",
                            prev.text, re.I)
        due = dues[0][2] if dues else None
        if events:
            word = "na de" if self.language == "nl" else "after the"
            return f"{word} {events[0]}" + (f" ({due[:1].lower() + due[1:]})" if due else "")
        return due

    def _resolve_demonstrative(self, text: str, prev: Sentence) -> str:
        toks = _words(text)
        closed = {"ik", "je", "u", "hij", "ze", "zij", "we", "wij", "de", "het", "een", "er", "haar", "hem", "hun", "zijn",
                  "dit", "dat", "i", "you", "he", "she", "we", "they", "the", "a", "an"}
        dem = [w for k, w in enumerate(toks[:4]) if w in ("die", "deze", "them", "it")
               or (w in ("dat", "that") and k > 0 and k + 1 < len(toks) and toks[k + 1] not in closed)]
        if not dem:
            return text
        np = re.search(r"\b(?:een|de|het|a|an|the) (?:[\w-]+e )?([\w-]{4,})\b", prev.text)
        if not np:
            return text
        noun = np.group(1).split()[-1]
        if noun.lower() in self.c.stopwords:
            return text
        return re.sub(rf"\b{dem[0]}\b", f"{dem[0]} ({noun})", text, count=1, flags=re.I)

    def _dedupe(self, cands: list[Candidate]) -> list[Candidate]:
        out: list[Candidate] = []
        for cd in cands:
            words = self._content(cd.text)
            dup = None
            for o in out:
                ow = self._content(o.text)
                if SIDE.get(o.owner) == SIDE.get(cd.owner) and words and ow:
                    overlap = len(words & ow) / min(len(words), len(ow))
                    if overlap >= 0.6:
                        dup = o
                        break
            if dup:
                dup.evidence = sorted(set(dup.evidence) | set(cd.evidence))
                if not dup.due:
                    dup.due = cd.due
            else:
                out.append(cd)
        return out

    def _content(self, text: str) -> set[str]:
        return {w for w in _words(text) if w not in self.c.stopwords and len(w) > 2}

    # -- rendering -------------------------------------------------------------------------------------------
    def render_action(self, cd: Candidate) -> Action:
        def phrase(c: Candidate) -> list[str]:
            own = self.third_person(c.text.strip().rstrip("."), c.sentence, owner=c.own_owner)
            if c.imperative:
                own = self._imperative(c.text.strip().rstrip("."), c) or own
            own = self._declarative(own)
            compact = self.compact_proposal(c.body, c.sentence) if c.body else None
            return [p for b in c.before for p in phrase(b)] + [compact or own] + \
                [p for a in c.after for p in phrase(a)]

        pieces = phrase(cd)
        pieces = [p if i == 0 else _lower_first(p) for i, p in enumerate(pieces) if p]
        text = "; ".join(pieces)
        due = cd.due
        if due:
            text = self._without_dues(text)
        text = number_words(text, self.language)
        due = number_words(due, self.language) if due else due
        return Action(_finish(text), cd.owner, due, sorted(set(cd.evidence)))

    def _without_dues(self, text: str) -> str:
        spans = self.dues(text)
        if not spans:
            return text
        out, last = "", 0
        for a, b, _ in spans:
            if a == 0:
                continue  # a fronted time phrase holds the word order together: keep it
            out += text[last:a]
            last = b
        out += text[last:]
        out = re.sub(r"\b(vanaf|van|op|in|tot|na|voor|from|on|in|by|until|every|elke)\s+(?=[,;.]|$)", "", out)
        out = re.sub(r"\s+,", ",", re.sub(r"\s{2,}", " ", out)).strip(" ,")
        out = re.sub(r",\s*([,;])", r"\1", out)
        # a clause the time phrase leaves hanging (', die is') goes too
        out = re.sub(r",\s+(?:die|dat|which|that|en|and)\s+(?:is|zijn|was|are|is\s+er)\s*(?=;|$)", "", out)
        if len(_words(out)) < 3:
            return text
        return out

    SEPARABLE = ("terug", "samen", "mee", "door", "voor", "af", "op", "aan", "uit", "bij", "in", "na", "toe",
                 "weg", "langs", "thuis")

    def compact_proposal(self, body: str, s: Sentence) -> str | None:
        """'als u elke avond samen leest' -> 'De ouder leest elke avond samen'; None when not safe."""
        toks = _tokens(body.strip().rstrip("."))
        low = [t.lower() for t in toks]
        if len(toks) < 3 or any(t in self.c.subordinators for t in low[1:]) or "," in low:
            return None
        role = self.role(s)
        other = self.owner_noun(OTHER.get(role)) if role else None
        first = low[0]
        if self.language == "en":
            if first in ("she", "he") or toks[0] in self.names:
                return _cap_first(_join(toks))
            if first in ("you",) and other:
                return _cap_first(_join([other] + toks[1:])).replace(" your ", " their ")
            if re.fullmatch(r"[a-z]+", first) and first not in self.c.stopwords and other:
                rest = [("their" if w == "your" else t) for t, w in zip(toks[1:], low[1:])]
                return _cap_first(_join([other, en_to_3sg(toks[0])] + rest))
            return None
        if first in self.c.second and other:
            subject = other
        elif first in self.c.third_pupil or toks[0] in self.names:
            subject = toks[0]
        else:
            return None
        verb = toks[-1]
        if not re.fullmatch(r"[a-zà-ÿ]+t", verb.lower()) or len(verb) < 4:
            return None
        verb = NL_U_FORM.get(verb.lower(), verb)
        particle = ""
        for p in self.SEPARABLE:
            if verb.lower().startswith(p) and len(verb) - len(p) >= 4:
                particle, verb = p, verb[len(p):]
                break
        middle = toks[1:-1]
        out = [subject, verb] + middle + ([particle] if particle else [])
        return _cap_first(_join(out))

    def owner_noun(self, role: str | None) -> str | None:
        return self.c.owner_nouns.get(role) if role else None

    def _imperative(self, text: str, cd: Candidate) -> str | None:
        """'Laat hem thuis veel knippen' -> 'De ouder laat hem thuis veel knippen'."""
        noun = self.owner_noun(cd.own_owner)
        if not noun:
            return None
        text = strip_particles(text, self.c)
        toks = _tokens(text)
        if not toks:
            return None
        verb = nl_1sg_to_3sg(toks[0].lower()) if self.language == "nl" else en_to_3sg(toks[0].lower())
        rest = [("their" if t.lower() == "your" else t) for t in toks[1:]]
        return _cap_first(_join([noun, verb] + rest))

    def _declarative(self, text: str) -> str:
        """'Kan de ouder ... bellen' (a request) -> 'De ouder kan ... bellen'; 'Could the parent X' -> 'The parent Xs'."""
        nouns = "|".join(re.escape(n) for n in sorted(list(self.c.owner_nouns.values()) + [
            "school en ouder", "the school and the parent", "de ouders", "the parents"], key=len, reverse=True))
        m = re.match(r"^laten (school en ouder) (.+)$", text, re.I)
        if m:
            rest = _tokens(m.group(2))
            low = [t.lower() for t in rest]
            end = next((k for k, w in enumerate(low) if w in self.c.subordinators or w == ","), len(rest))
            inf = max((k for k in range(end) if low[k].endswith("en") and low[k] not in ("even", "tien", "zeven",
                                                                                       "negen", "open")), default=None)
            if inf is not None:
                rest = [rest[inf]] + rest[:inf] + rest[inf + 1:]
                return f"School en ouder {_join(rest)}"
        m = re.match(r"^let(?:'s| us) (.+)$", text, re.I)
        if m:
            return f"The school and the parent {m.group(1)}"
        m = re.match(rf"^([a-zà-ÿ]+t) ({nouns}) (.+?) maar\b(.*)$", text, re.I)
        if m and self.language == "nl":
            return f"{_cap_first(m.group(2))} {m.group(1).lower()} {m.group(3)}{m.group(4)}"
        m = re.match(rf"^(kan|wil|zou|moet|zal|mag|zullen|kunnen|mogen|gaan) ({nouns}) (.+)$", text, re.I)
        if m:
            return f"{_cap_first(m.group(2))} {m.group(1).lower()} {m.group(3)}"
        m = re.match(rf"^(?:could|can|would|will|shall|may) ({nouns}) (\w+)(.*)$", text, re.I)
        if m:
            plural = " and " in m.group(1) or m.group(1).endswith("s")
            return f"{_cap_first(m.group(1))} {m.group(2) if plural else en_to_3sg(m.group(2))}{m.group(3)}"
        return text

    def third_person(self, clause: str, s: Sentence, owner: str | None = None) -> str:
        """'Ik geef hem vrijdag ...' -> 'De leerkracht geeft hem vrijdag ...', when the speaker's role is known."""
        role = self.role(s)
        speaker_noun = self.owner_noun(role)
        other_noun = self.owner_noun(OTHER.get(role)) if role else None
        if not speaker_noun:
            return clause
        toks = _tokens(clause)
        low = [t.lower() for t in toks]
        out = list(toks)
        nl = self.language == "nl"
        subj_i = None
        for i, w in enumerate(low):
            if w in self.c.first_singular or (not nl and w in ("i'll", "i’ll")):
                out[i] = speaker_noun
                subj_i = i
                if not nl and w in ("i'll", "i’ll"):
                    out[i] = speaker_noun + " will"
                    continue
                prev_sub = i > 0 and low[i - 1] in self.c.subordinators
                if nl:
                    vi = i + 1 if (i == 0 or low[i - 1] in self.c.coordinators
                                   or not re.match(r"\w", low[i - 1])) else i - 1
                    if prev_sub:
                        k = i + 1
                        while k < len(toks) and re.match(r"\w", toks[k]) and low[k] not in self.c.coordinators:
                            k += 1
                        if k - 1 > i and re.fullmatch(r"[a-zà-ÿ]+", low[k - 1]) and len(low[k - 1]) > 2:
                            out[k - 1] = nl_1sg_to_3sg(toks[k - 1])
                        continue
                    if 0 <= vi < len(toks):
                        out[vi] = nl_1sg_to_3sg(toks[vi])
                        # a second verb coordinated with 'en': 'houd ... bij en stuur u ...'
                        for j in range(vi + 1, len(toks) - 1):
                            if low[j] == "en" and low[j + 1] not in self.c.first_singular and \
                                    low[j + 1] in _coordinated_verbs(low, vi) and \
                                    low[j + 1] not in self.c.prepositions:
                                out[j + 1] = nl_1sg_to_3sg(toks[j + 1])
                elif i + 1 < len(toks) and not prev_sub and not (i > 0 and low[i - 1] in EN_MODALS | {"do", "did"}):
                    out[i + 1] = en_to_3sg(toks[i + 1])
            elif w in ("mij", "me") and nl:
                out[i] = "zich" if subj_i is not None and i - subj_i <= 2 else speaker_noun
            elif w == "me" and not nl:
                out[i] = speaker_noun
            elif w in ("mijn", "my"):
                out[i] = "de" if nl else "the"
            elif other_noun and w in ("u", "you"):
                out[i] = other_noun
                # 'kunt u' / 'u kunt'
                for j in (i - 1, i + 1):
                    if 0 <= j < len(toks) and low[j] in NL_U_FORM:
                        out[j] = NL_U_FORM[low[j]]
            elif other_noun and w in ("uw", "your"):
                out[i] = "de" if nl else "their"
            elif w in self.c.first_plural and role == "docent":
                if i > 0 and low[i - 1] in self.c.subordinators:
                    out[i] = ("ze" if nl else "they") if owner == "samen" and subj_i is not None else \
                        ("school en ouder" if nl else "the school and the parent")
                    continue
                if owner == "samen":
                    out[i] = "school en ouder" if nl else "the school and the parent"
                    subj_i = i
                    continue
                noun = self.owner_noun("school")
                vi = i + 1 if i == 0 or not re.match(r"\w", low[i - 1]) else i - 1
                if 0 <= vi < len(toks):
                    if nl:
                        v3 = nl_plural_to_3sg(toks[vi])
                        if v3 is None:
                            continue
                        out[vi] = v3
                    elif low[vi] in ("are",):
                        out[vi] = "is"
                out[i] = noun
            elif w in self.c.first_plural and owner == "samen" and role:
                out[i] = "school en ouder" if nl else "the school and the parent"
            elif w in self.c.first_plural and role == "ouder":
                out[i] = "de ouders" if nl else "the parents"
        text = _join(out)
        return _cap_first(text)

    # -- concerns --------------------------------------------------------------------------------------------
    def concerns(self) -> list[Concern]:
        c = self.c
        out: list[Concern] = []
        for i, s in enumerate(self.sentences):
            if self.meta[i] or self._is_ack(s):
                continue
            text = strip_particles(s.text.strip(), c)
            low = text.lower()
            cue = c.concern.search(low)
            problem = c.problem.search(low)
            if not cue and not problem:
                continue
            if problem and not cue:
                if i in getattr(self, "action_sentences", ()):
                    continue  # 'Ik maak een afspraak over wat hij doet als hij boos wordt' is an action
                if re.match(r"(als|if|wanneer|when|indien)\b", self._clause_with(text, problem.group(0)).lower()):
                    continue  # 'If he is ill, ...' is a condition, not a worry
                words = set(_words(low))
                about_pupil = words & c.third_markers or any(n.lower() in words for n in self.names)
                if not about_pupil or s.question:
                    continue
            evidence = list(s.segment_ids)
            if not cue:
                body = strip_particles(self._clause_with(text, problem.group(0)), c)
                pointing = re.search(r"\b(het|dat|dit|it|that|this)[.!?]?$", body.lower().strip())
                if len(self._content(body)) < 2 and pointing:
                    ctx = self._context(s)
                    if ctx:
                        body = "; ".join(trim_clauses(x.text, c).rstrip(".") for x in ctx + [s])
                        evidence = sorted(set(evidence) | {i for x in ctx for i in x.segment_ids})
            else:
                body = trim_clauses(text[cue.start():], c)
                content = self._content(body) - self._content(cue.group(0))
                if len(content) < 2:
                    ctx = self._context(s) or self._context_after(s)
                    if ctx:
                        body = cue.group(0) + ": " + "; ".join(trim_clauses(x.text, c).rstrip(".") for x in ctx)
                        evidence = sorted(set(evidence) | {i for x in ctx for i in x.segment_ids})
                    elif len(content) < 2:
                        body = trim_clauses(text, c)
                body = body if len(self._content(body)) >= 2 else trim_clauses(text, c)
            body = number_words(self.third_person(body, s), self.language)
            out.append(Concern(_finish(body), self.role(s), sorted(set(evidence))))
        return self._merge_concerns(out)

    def _clause_with(self, text: str, needle: str) -> str:
        parts = re.split(r",\s+|;\s+|\s+(?:omdat|want|maar|because|but)\s+", text)
        for p in parts:
            if needle in p.lower():
                return p
        return text

    def _context(self, s: Sentence) -> list[Sentence]:
        out = []
        for prev in reversed(self.sentences[max(0, s.index - 2):s.index]):
            if prev.turn != s.turn or prev.question or self._is_ack(prev) or self.meta[prev.index]:
                break
            pw = _words(prev.text)
            if not pw or (len(pw) <= 5 and pw[0] in ("dat", "dit", "that", "this", "it")):
                continue  # a reaction ('Dat herken ik wel'), not the content of the worry
            out.insert(0, prev)
        return out

    def _context_after(self, s: Sentence) -> list[Sentence]:
        nxt = self.sentences[s.index + 1] if s.index + 1 < len(self.sentences) else None
        if nxt is None or nxt.turn != s.turn or nxt.question or self.meta[nxt.index]:
            return []
        return [nxt]

    def _merge_concerns(self, items: list[Concern]) -> list[Concern]:
        """Concerns about the same thing (most content words shared) become one, keeping the fullest text."""
        out: list[Concern] = []
        for it in items:
            words = self._content(it.text)
            same = [o for o in out if o.raised_by == it.raised_by and (
                _core(o.text) in _core(it.text) or _core(it.text) in _core(o.text) or (
                    words and self._content(o.text) and len(words & self._content(o.text)) >= 2
                    and len(words & self._content(o.text)) / min(len(words), len(self._content(o.text))) >= 0.6))]
            for o in same:
                out.remove(o)
                it.evidence = sorted(set(o.evidence) | set(it.evidence))
                if len(o.text) > len(it.text):
                    it.text = o.text
                it.raised_by = it.raised_by or o.raised_by
            out.append(it)
        return out

    # -- topics ----------------------------------------------------------------------------------------------
    def topics(self, limit_terms: int = 5) -> list[Topic]:
        found = []
        for t in load_topics():
            terms, evidence, first = [], [], None
            for i, s in enumerate(self.sentences):
                if self.meta[i]:
                    continue
                hits = list(t["re"].finditer(s.lower))
                if t.get("ctx_re") is not None and t["ctx_need"].search(s.lower):
                    hits += list(t["ctx_re"].finditer(s.lower))
                judged = self._subjective_spans(s)
                hits = [m for m in hits if not any(a < m.end() and m.start() < b for a, b in judged)]
                for m in hits:
                    term = m.group(0)
                    if term not in terms:
                        terms.append(term)
                    evidence.extend(s.segment_ids)
                    first = i if first is None else first
            if terms:
                label = t["label"].get(self.language, t["label"]["nl"])
                found.append((first, Topic(f"{label}: {', '.join(terms[:limit_terms])}",
                                           sorted(set(evidence)))))
        found.sort(key=lambda x: x[0])
        topics = [t for _, t in found]
        covered = {w for t in topics for w in _words(t.text)}
        salient = self._salient(covered)
        if salient:
            label = "Verder genoemd" if self.language == "nl" else "Also mentioned"
            ev = sorted({i for _, ids in salient for i in ids})
            topics.append(Topic(f"{label}: {', '.join(w for w, _ in salient)}", ev))
        return topics

    def _subjective_spans(self, s: Sentence) -> list[tuple[int, int]]:
        from .neutrality import find

        cache = self.__dict__.setdefault("_judged", {})
        if s.index not in cache:
            cache[s.index] = [(m.start(), m.end()) for m in find(s.text, "subjective")]
        return cache[s.index]

    def _salient(self, covered: set[str], n: int = 4) -> list[tuple[str, list[int]]]:
        """Content nouns said in at least two segments that no lexicon topic covers."""
        where: dict[str, set[int]] = {}
        for i, s in enumerate(self.sentences):
            if self.meta[i]:
                continue
            for t in _tokens(s.text):
                w = t.lower()
                if (len(w) >= 5 and re.fullmatch(r"[a-zà-ÿ-]+", w) and w not in self.c.stopwords
                        and w not in covered and t not in self.names and not self._verbish(w)):
                    where.setdefault(w, set()).update(s.segment_ids)
        ranked = sorted(((w, ids) for w, ids in where.items() if len(ids) >= 2), key=lambda x: (-len(x[1]), x[0]))
        return [(w, sorted(ids)[:1]) for w, ids in ranked[:n]]  # cite where first said: a pointer, not coverage

    def _verbish(self, w: str) -> bool:
        if self.language == "nl":
            adjective = w.endswith("e") and not w.endswith(("ie", "ee"))
            return adjective or (w.endswith(("en", "t", "de", "te")) and not w.endswith(("ing", "heid", "schap")))
        return w.endswith(("ing", "ed", "ly", "s"))

    # -- all together -------------------------------------------------------------------------------------
    def summarise(self) -> Summary:
        cands = self.resolve(self.action_candidates())
        self.action_sentences = {cd.sentence.index for cd in cands}
        actions = [self.render_action(cd) for cd in cands]
        return Summary(language=self.language, backend="extractive", topics=self.topics(),
                       concerns=self.concerns(), actions=actions, warnings=[])


def _coordinated_verbs(low: list[str], vi: int) -> set[str]:
    """Words right after 'en' that look like a first-person verb (no article/pronoun)."""
    out = set()
    for j in range(vi + 1, len(low) - 1):
        if low[j] == "en":
            w = low[j + 1]
            if w not in {"de", "het", "een", "ik", "we", "hij", "zij", "ze", "u", "dan", "ook", "daarna", "in", "op",
                         "met", "als", "dat", "die", "haar", "hem", "zijn", "mijn"} and re.fullmatch(r"[a-z]+", w):
                out.add(w)
    return out


def _core(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _lower_first(s: str) -> str:
    """Lower-case the first letter of a joined clause unless it starts a name ('Sem', 'Mr Jansen')."""
    first = s.split(" ", 1)[0]
    if first.lower() in {"de", "het", "een", "the", "a", "an", "als", "if", "daarnaast", "thuis", "misschien"}:
        return s[:1].lower() + s[1:]
    return s


def _join(tokens: list[str]) -> str:
    text = ""
    for t in tokens:
        if not text:
            text = t
        elif re.match(r"[,.;:!?)\]’”]", t) or text.endswith(("(", "[", "‘", "“")):
            text += t
        else:
            text += " " + t
    return text


def summarise(transcript, language: str | None = None, **_options) -> Summary:
    return Analyser(transcript, language).summarise()
