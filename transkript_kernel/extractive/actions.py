"""Finding action candidates: commitments ('ik stuur u ...'), proposals and agreements, each with its owner
(speaker role + pronoun) and due date, before they are resolved against the replies."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .phrasing import (ANNOUNCE_NOUNS, ANNOUNCE_VERBS, lead_in, strip_particles, tokens_of, trim_clauses,
                       without_vocative, words_of)
from ..sentences import Sentence
from .analyser import Analyser


SIDE = {"docent": "school", "school": "school", "tolk": "school", "ouder": "ouder", "leerling": "leerling",
        "samen": "samen"}
OTHER = {"docent": "ouder", "ouder": "docent", "leerling": "docent", "school": "ouder", "tolk": "docent"}
INFORMAL = {"je", "jij", "jou", "jouw"}


def addressee(an: Analyser, s: Sentence) -> str | None:
    """Who the speaker of ``s`` speaks to: the other side (OTHER), but the pupil when a pupil takes part and the
    school addresses them — in Dutch by the informal 'je/jij' (parents get 'u'), in English by the turn
    around it being the pupil's."""
    role = an.role(s)
    if role is None:
        return None
    if role in ("docent", "school", "tolk") and an.pupil_present:
        words = set(words_of(s.text))
        if an.language == "nl" and words & INFORMAL and "u" not in words:
            return "leerling"
        if an.language == "en" and "you" in words and "leerling" in _neighbour_roles(an, s):
            return "leerling"
    return OTHER.get(role)


def _neighbour_roles(an: Analyser, s: Sentence) -> set:
    """The roles of the other speakers' sentences right before and right after ``s``."""
    out = set()
    for rng in (range(s.index - 1, max(-1, s.index - 4), -1), range(s.index + 1, min(len(an.sentences), s.index + 4))):
        for k in rng:
            o = an.sentences[k]
            if o.speaker != s.speaker:
                out.add(o.role)
                break
    return out


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
    frame: dict = field(default_factory=dict)  # what made a broad candidate one (``broad``), for the scorer
    said: str | None = None  # the clause as spoken when ``text`` reorders it (quotes take the speaker's words)


def _finite_first_person(an: Analyser, part: str):
    """(pronoun, verb, verb index, tokens) when ``part`` holds a main clause with ik/we as subject. An 'ik' in a
    subordinate clause or an announcement ('Wat ik wil doen: ik meld haar aan') is passed over for the next one;
    a pronoun after a colon starts a clause; a fronted demonstrative object with the verb right after it ('Dat geef
    ik door', 'Die geef ik hem mee') is a main clause, not a subordinate one."""
    toks = tokens_of(part)
    low = [t.lower() for t in toks]
    firsts = an.c.first_singular | an.c.first_plural
    for i, w in enumerate(low):
        if w not in firsts and not (an.language == "en" and (w in ("i'll", "we'll", "i’ll", "we’ll")
                                                             or _going_to(an, low, i))):
            continue
        if w in ("i'll", "we'll", "i’ll", "we’ll"):
            return w.split("'")[0].split("’")[0], "will", i, toks
        if an.language == "en" and _going_to(an, low, i):
            return ("we" if w.startswith("we") else "i"), "will", i, toks
        before = [x for x in low[:i] if re.match(r"\w", x)]
        if an.language == "en":
            if any(b in an.c.subordinators for b in before[-3:]) and not (i > 0 and low[i - 1] in ":;"):
                continue
            if i + 1 < len(low):
                return w, low[i + 1], i + 1, toks
            return None
        if not before or low[i - 1] in (":", ";"):
            if i + 1 < len(low):
                return w, low[i + 1], i + 1, toks
            continue
        prev = low[i - 1]
        if prev in an.c.coordinators:
            if i + 1 < len(low):
                return w, low[i + 1], i + 1, toks
            continue
        fronted = len(before) == 2 and before[0] in FRONTED_OBJECTS and before[1] == prev
        if fronted and prev in ("doe", "doen") and not an.dues(part) and \
                len([x for x in low[i + 1:] if re.match(r"\w", x)]) <= 2:
            continue  # 'Dat doe ik (wel).' says yes to what was proposed; it is no action of its own
        if not fronted and (prev in an.c.subordinators or not re.match(r"\w", prev)):
            continue
        if not fronted and any(b in an.c.subordinators for b in before) and "," not in low[:i]:
            continue
        return w, prev, i - 1, toks
    return None


def _fronted_time(an: Analyser, parts: list[str]) -> bool:
    """Are the comma parts before a clause only a fronted time ('En donderdag, het vierde uur')? A time phrase, no
    person acting in it, at most eight words."""
    joined = ", ".join(parts)
    words = set(words_of(joined))
    persons = an.c.first_singular | an.c.first_plural | an.c.second | an.c.third_pupil
    return bool(an.dues(joined)) and len(words_of(joined)) <= 8 and not words & persons


def _going_to(an: Analyser, low: list[str], i: int) -> bool:
    """English 'I'm going to ...', 'we'd like to ...', 'I would like to ...' at token ``i``: a commitment frame
    (``actions.json``: going_to, would_like)."""
    head = " ".join(low[i:i + 4])
    return any(head.startswith(p) for p in an.ac.get("going_to", []) + an.ac.get("would_like", []))


#: Demonstratives that open a main clause as its fronted object ('Dat geef ik door aan de roostermaker').
FRONTED_OBJECTS = {"dat", "die", "deze", "dit"}


def _verb_is_action(an: Analyser, verb: str, toks: list[str], vi: int) -> bool:
    c = an.c
    low = [t.lower() for t in toks]
    if re.search(r"\b(liever niet|rather not|niet meer|no longer)\b", " ".join(low)):
        return False
    nxt = " ".join(low[vi:vi + 2])
    if verb in c.non_action or nxt in c.non_action or " ".join(low[vi:vi + 3]) in c.non_action:
        return False
    if verb in c.past_irregular:
        return False
    if an.language == "nl":
        if len(verb) > 3 and verb.endswith(("de", "te")) and verb not in c.modals:
            return False
        if len(verb) > 5 and verb.endswith(("den", "ten")) and verb not in c.present_plural_dt \
                and not verb.endswith(("dden", "tten")):
            return False
        if verb in c.modals:
            rest = [w for w in low[vi + 1:] if re.match(r"\w", w)]
            if verb in ("ga", "gaan") and set(rest[:4]) & {"naar", "mee", "langs", "terug"}:
                return True  # 'ik ga voor scheikunde naar de steunles': going somewhere is the action
            return any(w.endswith("en") or w in ("doen", "gaan", "zien", "slaan", "staan") for w in rest)
    else:
        if verb.endswith("ed") or verb in ("am", "was", "have", "had"):
            return False
        if verb in ("would", "could", "might"):
            return False
    return True


def _subject_owner(an: Analyser, body: str, s: Sentence) -> str | None:
    words = words_of(body)
    if not words:
        return None
    first = words[0]
    role = an.role(s)
    if first in an.c.first_singular:
        return speaking_for(role)
    if first in an.c.first_plural:
        return "samen"
    if first in an.c.second:
        return addressee(an, s)
    if first in an.c.third_pupil or tokens_of(body)[0] in an.names:
        return "leerling"
    if an.c.school_roles.match(body.lower()):
        return "school"
    return None


def _we_owner(an: Analyser, s: Sentence, text_low: str) -> str | None:
    together = re.search(r"\b(?:we|wij)\b(?:\s+[\w'-]+){0,3}\s+(?:samen|together)\b|samen met u|with you", text_low)
    meeting = an.c.meeting.search(text_low) and an.role(s) in ("docent", "school")
    if an.c.agreement.search(text_low) or an.c.reciprocal.search(text_low) or meeting or \
            (an.role(s) == "docent" and together):
        return "samen"
    role = an.role(s)
    if role == "docent":
        return "school"
    return speaking_for(role)


def speaking_for(role: str | None) -> str | None:
    """Whose commitment an 'ik'/'we' is: an interpreter renders the parent's words in the first person ('Ik neem
    de rapporten volgende week mee'), so the parent's."""
    return "ouder" if role == "tolk" else role


def action_candidates(an: Analyser) -> list[Candidate]:
    """Every sentence that may carry an action, in order; ``resolve`` decides which of them stand."""
    c = an.c
    out: list[Candidate] = []
    called = an.names | {t for sp in an.transcript.speakers.values() for t in tokens_of(sp.label or "")
                         if t[:1].isupper()}
    for i, s in enumerate(an.sentences):
        if an.meta[i] or an.is_ack(s):
            continue
        text = strip_particles(without_vocative(strip_particles(s.text.strip(), c), c, called), c)
        led = lead_in(text, c)
        announced, text = led != text or _announced(an, s), led
        low = text.lower().rstrip(".!?")
        that = THAT.get(an.language)
        todo = _announced_todo(an, s, text) if announced and led != strip_particles(s.text.strip(), c) else None
        if todo is not None:
            # 'Wat ik in elk geval moet doen: het onderwijskundig rapport opstellen en naar de school sturen'
            out.append(candidate(an, s, todo[0], todo[1], "commitment"))
            continue
        if announced and not s.question and words_of(low)[:1] == [that] and len(words_of(low)) >= 4:
            # 'Wat ik wel zou willen: dat je elke woensdag even bij mij langskomt': the wish is the proposal
            from .language import verb_second

            body = text[text.lower().index(that) + len(that):].strip()
            main = verb_second(body, an.language)
            cd = candidate(an, s, main[:1].upper() + main[1:] if main else text, _that_owner(an, body, s),
                           "proposal")
            cd.said = text
            out.append(cd)
            continue
        if s.question:
            # only requests ('Kunt u ...?', 'Could you ...?', 'Belt u mij dan?') and proposals put as a question
            # ('Zou het helpen als ...?', 'Wat als jullie ...?', 'What if you ...?') are proposals in question form
            f = an.frame(low) or _verb_first_request(an, low)
            if f and not c.concern.search(low) and (f[2] == "request" or (
                    f[1] in ("other", "addressee", "subject") and f[2] == "proposal")):
                m, rule = f[0], f[1]
                body = m.group("body")
                if f[2] == "request" and len(an.content(body)) < 2:
                    continue  # 'Kan ik thuis iets doen?' asks for advice; it is no request
                owner = {"other": addressee(an, s), "addressee": addressee(an, s), "samen": "samen",
                         "speaker": an.role(s)}.get(rule)
                if rule == "subject":
                    owner = _subject_owner(an, body, s)
                    owner = _we_owner(an, s, low) if owner == "samen" else owner
                cd = candidate(an, s, text.rstrip("?"), owner, "proposal" if f[2] != "request" else "request")
                if rule in ("addressee", "subject") and f[2] == "proposal":
                    cd.body = trim_clauses(body, c)  # 'Zou het helpen als hij ... neemt?' -> 'Hij neemt ...'
                out.append(cd)
            continue
        if c.concern.search(low):
            continue
        role = an.role(s)
        # 1. proposal and agreement frames
        f = an.frame(low)
        if f:
            m, owner_rule, kind = f
            body = text[m.start("body"):m.end("body")]
            if owner_rule == "subject":
                owner = _subject_owner(an, body, s)
                if owner == "samen" and kind != "agreement":
                    owner = _we_owner(an, s, low)
            elif owner_rule in ("other", "addressee"):
                owner = addressee(an, s)
            elif owner_rule == "speaker":
                owner = role
            else:
                owner = owner_rule
            cd = candidate(an, s, text, owner, kind)
            cd.imperative = m.re.pattern in c.imperative_frames
            if owner_rule in ("other", "addressee") and m.group(0) == low and not cd.imperative:
                cd.body = trim_clauses(body, c)
            out.append(cd)
            continue
        # 2. 'u krijgt' / 'you will receive': the speaker's side delivers
        words = words_of(low)
        pupil = set(words) & (c.third_pupil | {n.lower() for n in an.names})
        if role in ("docent", None) and any(w in c.receive for w in words) and (set(words) & c.second or pupil):
            owner = "school" if role == "docent" else None
            if not c.problem.search(low):
                out.append(candidate(an, s, text, owner, "receive"))
                continue
        # 3. clause by clause: commitments (ik/we) and arrangements (pupil, school staff)
        parts = [p for p in re.split(r",\s+|;\s+", text) if p.strip()]
        conditional = bool(re.match(r"(als|if|wanneer|when|zodra|indien)\b", low))
        heads = []
        for k, part in enumerate(parts):
            head = _clause_head(an, part, s, conditional or (k > 0 and bool(
                re.match(r"(als|if|wanneer|when|zodra)\b", parts[k - 1].lower()))), low)
            if head and head[1] == "arrangement" and heads and \
                    (words_of(part)[:1] or [""])[0] in c.third_pupil | {"die", "deze"}:
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
            elif n == 0 and k > 0 and _fronted_time(an, parts[:k]):
                start = 0  # 'En donderdag, het vierde uur, wil ik een gesprek ...': the time belongs to it
            chunk = [strip_particles(parts[start], c) if start == k else parts[start]] + parts[start + 1:end]
            out.append(candidate(an, s, ", ".join(chunk), owner, kind, weak=weak))
    return out


#: Finite verbs that open a question about a state, not a request ('Heeft u ...?', 'Weet je ...?').
STATE_VERBS = {"heeft", "hebt", "heb", "is", "bent", "ben", "vindt", "vind", "weet", "denkt", "denk", "ziet", "zie",
               "snapt", "snap", "begrijpt", "herkent", "kent", "mist", "hoort", "zegt", "bedoelt", "voelt", "merkt",
               "was", "had", "zou", "kan", "kun", "kunt", "mag", "moet", "wil", "wilt", "zal", "gaat", "ga"}
VERB_FIRST = re.compile(r"^(?P<verb>[a-zà-ÿ]+) (?:u|je|jij|jullie) (?P<body>.+)$")


def _verb_first_request(an: Analyser, low: str):
    """'Belt u mij dan?', 'Laat u me weten wanneer hij start?', 'Stuur je me de foto?': a question that opens with
    an acting verb and the one spoken to asks them to do it (a frame match: (match, 'other', 'request'))."""
    if an.language != "nl":
        return None
    m = VERB_FIRST.match(low)
    if not m or m.group("verb") in STATE_VERBS or m.group("verb") in an.c.non_action or \
            m.group("verb") in an.c.subordinators or len(an.content(m.group("body"))) < 1:
        return None
    return m, "other", "request"


#: The word that opens a wished-for clause after an announcement ('Wat ik zou willen: dat ...').
THAT = {"nl": "dat", "en": "that"}


def _announced(an: Analyser, s: Sentence) -> bool:
    """Is the sentence before ``s`` in the same turn a bare announcement ('Wat ik zou willen.', 'Mijn voorstel.')?
    Speech recognisers often end it with a full stop instead of a colon."""
    if s.index == 0:
        return False
    prev = an.sentences[s.index - 1]
    words = words_of(prev.text)
    if prev.turn != s.turn or not words or len(words) > 7 or prev.question:
        return False
    wh = set(an.c.raw.get("wh_words", [])) | {"what"}
    return words[0] in wh and words[-1] in ANNOUNCE_VERBS or bool(set(words) & ANNOUNCE_NOUNS)


def _announced_todo(an: Analyser, s: Sentence, rest: str):
    """(text, owner) when an announcement before a colon is followed by what to do without a subject, a to-do
    line of infinitives ('Wat ik moet doen: het rapport opstellen en naar de school sturen'); the owner is the
    announcement's subject (ik: the speaker; we: the school or both)."""
    from .language import analysis

    lead = words_of(s.text.split(":", 1)[0])
    a = analysis(rest, an.language)
    if an.language != "nl" or a is None or len(words_of(rest)) < 3 or a.finite:
        return None
    content = [w for w in a.words if w.pos != "LET"]
    if not content or not content[-1].infinitive:
        return None
    if set(lead) & an.c.first_singular:
        return rest, speaking_for(an.role(s))
    if set(lead) & an.c.first_plural:
        return rest, _we_owner(an, s, s.lower)
    return None


def _that_owner(an: Analyser, body: str, s: Sentence) -> str | None:
    """Who acts in a wished-for 'dat'-clause: 'dat je ...' the one spoken to, 'dat we ...' both or the school, 'dat
    hij ...' (the pupil) the school that arranges it when the school speaks, 'dat Kerem en mevrouw Schouten ...'
    the speaker's side."""
    owner = _subject_owner(an, body, s)
    role = an.role(s)
    if owner == "samen":
        return _we_owner(an, s, s.lower)
    if owner == "leerling" and role in ("docent", "school") and not set(words_of(body)[:1]) & an.c.second:
        return "school"
    return owner or role


def _clause_head(an: Analyser, part: str, s: Sentence, conditional: bool, sentence_low: str):
    """(owner, kind, weak) when ``part`` carries an action of its own, else None."""
    c = an.c
    role = an.role(s)
    plow = part.lower()
    if not sentence_low.startswith(plow.rstrip(".!?")):
        f = an.frame(strip_particles(part, c).lower().rstrip(".!?"))
        if f and f[1] in ("other", "addressee") and f[2] == "proposal":
            return addressee(an, s), "proposal", False
    hit = _finite_first_person(an, part)
    if hit:
        pron, verb, vi, toks = hit
        if _verb_is_action(an, verb, toks, vi):
            toks_low = [t.lower() for t in toks]
            pi = next((k for k, t in enumerate(toks_low) if t == pron), 0)
            if pi > 1 and toks_low[pi - 1] in c.coordinators and not an.dues(part) \
                    and not c.future.search(plow):
                return None  # 'Haar moeder werkt vroeg en ik breng ...': telling, not promising
            if pron not in c.first_plural:
                return speaking_for(role), "commitment", False
            has_due = bool(an.dues(part))
            future = bool(c.future.search(plow)) or verb == "will"
            linked = bool(c.condition.search(plow) or c.link.search(plow))
            if not (conditional or has_due or future or linked or c.agreement.search(plow)):
                return None
            return _we_owner(an, s, sentence_low), "commitment", not (conditional or future or linked)
    if c.problem.search(plow) or c.concern.search(plow):
        return None
    # 'ze gaat vanaf januari naar de taalgroep', 'Yara mag een knuffel meenemen'
    modal = _pupil_future(an, plow, part)
    if modal is not None and c.pupil_modals.get(modal) != "school" and not an.dues(part):
        modal = None  # 'dan gaat ze zitten wachten': a description, not an arrangement
    if modal is not None:
        if role != "docent":
            return role, "arrangement", False
        if c.pupil_modals.get(modal) == "school":
            return "school", "arrangement", False
        words = words_of(plow)
        after = words[words.index(modal.split()[0]) + 1:] if modal.split()[0] in words else words
        own = any(w in c.possessives for w in after[1:]) and not set(after) & {"group", "groep", "class", "klas"}
        return ("leerling" if own else "school"), "arrangement", False
    # 'de pleinwacht let de komende twee weken extra op'
    bare = strip_particles(part, c).lower()
    rm = c.school_roles.search(bare)
    if rm and rm.start() <= 25 and role in ("docent", None):
        after = words_of(bare[rm.end():])[:1]
        static = {"is", "was", "heeft", "had", "zijn", "waren", "vindt", "vond", "denkt", "zegt", "zei", "has",
                  "is", "was", "were", "thinks", "says", "said"}
        if after and after[0] not in static:
            return ("school" if role == "docent" else None), "arrangement", False
    return None


def _pupil_future(an: Analyser, low: str, text: str) -> str | None:
    """The modal of 'ze gaat/zal/mag ...' with the pupil as subject, or None."""
    subj = "|".join(sorted(re.escape(w) for w in an.c.third_pupil | {n.lower() for n in an.names}))
    modals = "|".join(sorted((re.escape(m) for m in an.c.pupil_modals), key=len, reverse=True))
    if not subj or not modals:
        return None
    if an.language == "en":
        low = re.sub(r"\b(she|he|they)['’]ll\b", r"\1 will", low)
        m = re.search(rf"\b(?:{subj}) ({modals})\b", low)
        return m.group(1) if m else None
    m = re.search(rf"\b(?:{subj}) ({modals})\b.*\w+en\b", low) or \
        re.search(rf"\b({modals}) (?:{subj})\b.*\w+en\b", low)
    return m.group(1) if m else None


def candidate(an: Analyser, s: Sentence, text: str, owner, kind, weak=False) -> Candidate:
    """A candidate from ``text`` of ``s``: explanatory clauses trimmed, its due dates read."""
    clause = trim_clauses(text, an.c)
    dues = an.dues(clause)
    due = ", ".join(dict.fromkeys(d[2] for d in dues)) or None
    return Candidate(s, owner, clause, due, kind, weak=weak, evidence=list(s.segment_ids), own_owner=owner)
