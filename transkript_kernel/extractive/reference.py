"""What a pronoun in an agreement points back to: 'Die vraag ik opnieuw aan bij de conciërge' after 'De kluiscode.',
'Ik scan hem vanavond in' after 'een verklaring van de diabetesverpleegkundige'.

Why: people name the thing once and then say 'die', 'dat', 'hem'; an item that keeps only the pronoun tells the
parent nothing ('Die vraagt de leerkracht aan') and misses what was agreed. The antecedent is the most recent
noun of the right grammatical gender (HanTa's CGN tags: 'die/deze/hem' a common-gender or plural noun, 'dat/dit/
het' a neuter one, object 'ze' a plural one) in the few sentences before, passing over sentences that only hold
pronouns themselves ('Die heb ik thuis, in de map.' is skipped for what it points to), people, names, and words too
common to name a thing (wordfreq's Zipf above COMMON: 'dag', 'tijd', 'keer').
"""
from __future__ import annotations

from .analyser import Analyser
from .language import Word, analysis, lemma

#: How far back (in sentences) an antecedent may be.
LOOKBACK = 4
#: Nouns this frequent in general Dutch/English (wordfreq Zipf) name no particular thing.
COMMON = 5.3
#: Nouns for people: a pronoun about a thing never points back to them.
PERSONS = {"kind", "kinderen", "jongen", "jongens", "meisje", "meisjes", "leerling", "leerlingen", "ouder", "ouders",
           "moeder", "vader", "juf", "meester", "docent", "docenten", "mentor", "leerkracht", "collega", "broer",
           "zus", "oma", "opa", "man", "vrouw", "mevrouw", "meneer", "tante", "oom", "neef", "nicht", "vriend",
           "vriendin", "vriendinnen", "vrienden", "klasgenoot", "klasgenoten", "mensen", "begeleider", "tolk",
           "child", "children", "boy", "boys", "girl", "girls", "pupil", "pupils", "parent", "parents", "mother",
           "father", "teacher", "teachers", "mentor", "colleague", "brother", "sister", "friend", "friends", "people",
           "man", "woman", "mum", "dad", "grandma", "grandpa"}
#: Which pronoun wants which noun: 'zijd' (de-word), 'onz' (het-word), 'mv' (plural).
WANTS = {"die": ("zijd", "mv"), "deze": ("zijd", "mv"), "hem": ("zijd",), "dat": ("onz",), "dit": ("onz",),
         "het": ("onz",), "ze": ("mv",), "it": ("ev",), "that": ("ev",), "them": ("mv",), "those": ("mv",)}


def _gender(w: Word) -> str | None:
    """'zijd', 'onz' or 'mv' of a common noun (CGN tag); English 'ev'/'mv' (C5 NN1/NN2); None for anything else."""
    tag = w.tag
    if tag.startswith("N(soort"):
        if ",mv" in tag:
            return "mv"
        return "onz" if ",onz" in tag else "zijd"
    if tag.startswith("NN"):
        return "mv" if tag == "NN2" else "ev"
    return None


#: Nouns of time: 'elke avond', 'deze week' name when, never the thing a pronoun stands for.
TIMES = {"dag", "dagen", "week", "weken", "weekend", "avond", "avonden", "ochtend", "ochtenden", "middag", "nacht",
         "maand", "maanden", "jaar", "uur", "uren", "keer", "minuut", "minuten", "kwartier", "vakantie", "pauze",
         "moment", "day", "days", "week", "weeks", "weekend", "evening", "morning", "afternoon", "night", "month",
         "year", "hour", "hours", "time", "times", "minute", "minutes", "holiday", "break"}


def _thing(w: Word, language: str) -> bool:
    low = w.token.lower()
    if low in PERSONS or lemma(low, language) in PERSONS or low in TIMES or len(low) < 3:
        return False
    try:
        from wordfreq import zipf_frequency
    except ImportError:
        return True
    return zipf_frequency(low, language) <= COMMON


#: CGN tags of determiners: demonstrative, possessive and indefinite pronouns before a noun ('die', 'zijn', 'elke').
DETERMINERS = ("VNW(aanw,det", "VNW(bez", "VNW(onbep,det")


def _in_pp(words: list[Word], i: int) -> bool:
    """Is the noun at ``i`` inside a prepositional phrase (a preposition opens its phrase)?"""
    k = i - 1
    while k >= 0 and (words[k].pos in ("ADJ", "LID", "TW") or words[k].tag.startswith(DETERMINERS)):
        k -= 1
    return k >= 0 and words[k].pos == "VZ"


def _object_np(words: list[Word], i: int, language: str) -> bool:
    """Is the word at ``i`` the head of an object noun phrase: a thing, outside a prepositional phrase, with an
    article or determiner before it or plural ('een leesboekje', 'kaartjes')? A bare singular is no object of
    its own ('elke maandag kort', or a recogniser's 'maandagkort')."""
    w = words[i]
    if not _gender(w) or not _thing(w, language) or _in_pp(words, i):
        return False
    k = i - 1
    while k >= 0 and words[k].pos == "ADJ":
        k -= 1
    if k >= 0 and words[k].token.lower() in ("elke", "elk", "iedere", "ieder", "every", "each"):
        return False  # 'elke maandag', 'iedere week': when, not what
    determined = k >= 0 and (words[k].pos == "LID" or words[k].tag.startswith(DETERMINERS + ("TW",)))
    return determined or _gender(w) == "mv"


def noun_phrase(words: list[Word], i: int) -> str:
    """The noun at ``i`` with its determiner and adjectives ('het onderwijskundig rapport'); a bare noun gets
    the article of its gender ('screenshots' -> 'de screenshots')."""
    start = i
    while start > 0 and (words[start - 1].pos in ("ADJ", "LID") or words[start - 1].tag.startswith(
            DETERMINERS + ("TW", "DPS", "AT0", "DT0", "AJ"))):
        start -= 1
    phrase = " ".join(w.token for w in words[start:i + 1])
    if start == i:
        g = _gender(words[i])
        article = {"onz": "het", "zijd": "de", "mv": "de", "ev": "the"}.get(g, "")
        phrase = f"{article} {phrase}".strip()
    return phrase


def antecedent(an: Analyser, index: int, pronoun: str):
    """(noun phrase, head noun, sentence) that ``pronoun`` in sentence ``index`` points back to, or None."""
    wants = WANTS.get(pronoun.lower())
    if not wants:
        return None
    for k in range(index - 1, max(-1, index - 1 - LOOKBACK), -1):
        s = an.sentences[k]
        if an.meta[k]:
            return None
        a = analysis(s.text, an.language)
        if a is None:
            return None
        ws = list(a.words)
        nouns = [j for j, w in enumerate(ws) if _gender(w) is not None]
        if not nouns:
            continue  # 'Ik heb er wel twintig.', 'Die heb ik thuis.': look further back
        fits = [j for j in nouns if _gender(ws[j]) in wants and _thing(ws[j], an.language)]
        if fits:
            # an object or subject is what gets taken up again, rather than a noun in a prepositional phrase
            # ('een weekplanning bijhoudt in de agenda' -> 'die' is the weekplanning)
            free = [j for j in fits if not _in_pp(ws, j)]
            j = (free or fits)[-1]
            return noun_phrase(ws, j), ws[j].token, s
        if any(_thing(ws[j], an.language) for j in nouns):
            return None  # the nearest thing named does not fit the pronoun: do not guess further back
    return None


#: Verbs (lemmas) whose object is a thing handed, written or arranged: only with them does an object 'hem/ze/het'
#: stand for a thing ('Ik scan hem in') rather than for the pupil ('Ik bel hem').
OBJECT_VERBS = {"scannen", "inscannen", "mailen", "sturen", "opsturen", "doorsturen", "meegeven", "meenemen", "invullen",
                "ondertekenen", "tekenen", "opzoeken", "inleveren", "brengen", "printen", "uitprinten", "lezen",
                "doorlezen", "bekijken", "afmaken", "maken", "opstellen", "samenstellen", "aanvragen", "bewaren",
                "kopen", "regelen", "opschrijven", "ophangen", "leggen", "zetten", "delen", "doorgeven", "bespreken",
                "scan", "email", "send", "forward", "sign", "fill", "print", "read", "bring", "finish", "write",
                "share", "check"}
SUBJECTS = {"ik", "we", "wij", "u", "je", "jij", "jullie", "i", "we", "you"}
CAUSATIVE = {"laat", "laten", "let", "lets"}


def object_pronouns(an: Analyser, text: str) -> list[str]:
    """The pronouns in ``text`` that stand for a thing as the object of a handling verb, in order ('Ik scan hem
    vanavond in en mail hem naar u' -> ['hem']). A determiner 'die' ('die jongens') is none; neither is a pronoun
    in a clause without a person as subject; English is left alone."""
    if an.language != "nl":
        return []  # English 'it' is as often no object at all ('it would help', 'check it out')
    a = analysis(text, an.language)
    if a is None:
        return []
    ws = list(a.words)
    low = [w.token.lower() for w in ws]
    if not set(low) & SUBJECTS:
        return []
    if not any(w.pos == "WW" and (w.lemma.lower() in OBJECT_VERBS or lemma(w.token, an.language) in OBJECT_VERBS
                                  or any(w.lemma.lower().endswith(v) for v in ("sturen", "geven", "nemen")))
               for w in ws):
        return []
    if set(low) & CAUSATIVE:
        return []  # 'ik laat hem extra lezen': the object of 'laten' is a person
    out = []
    for k, w in enumerate(ws):
        if low[k] not in WANTS or low[k] in out:
            continue
        if any(_object_np(ws, j, an.language) for j in range(k + 1, len(ws))):
            continue  # 'ik geef hem een leesboekje mee': another object follows, so 'hem' is the one receiving
        if low[k] in ("dat", "die", "that") and k > 0 and ws[k - 1].pos == "N":
            continue  # 'een rustig meisje dat ...': a relative pronoun
        nxt = ws[k + 1] if k + 1 < len(ws) else None
        if ("det" in w.tag or w.tag.startswith(("DT0", "AT0"))) and nxt is not None and nxt.pos in ("N", "ADJ"):
            continue  # a determiner ('die jongens'); the tagger's 'det' before 'elke' is a pronoun after all
        if k > 0 and ws[k - 1].pos == "VZ":
            continue  # 'met hem': a person, not the thing handled
        if low[k] in ("dat", "that") and k > 0 and nxt is not None and (
                nxt.subject_pronoun or nxt.pos in ("LID", "N", "VNW") or nxt.token.lower() in SUBJECTS):
            continue  # 'ik zorg dat ik/de/hij ...': 'dat' opens a clause; 'wil dat ondertekend terugsturen' not
        if low[k] in ("het", "it") and k + 1 < len(ws) and ws[k + 1].finite:
            continue  # 'het gaat', 'it is': no object
        out.append(low[k])
    return out
