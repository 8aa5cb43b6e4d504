"""Consent comes first: whether a conversation may be recorded, and the record of who said so.

The rules (kinds that are never recorded, the age from which the pupil's view is asked, default texts) live in
``data/consent.json`` so a school can read them; :class:`ConsentPolicy` lets its leadership forbid more.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from typing import Iterable

from traitlets import List, Unicode
from traitlets.config import Configurable

from ..conversation import CONSENT_HOW, COORDINATOR_STATEMENT, KINDS, ConsentRecord, Conversation
from ..errors import ConsentError, ConsentRefusedError, ForbiddenKindError, InputError


class ConsentPolicy(Configurable):
    """School rules on recording, on top of the fixed list in data/consent.json."""

    extra_forbidden = List(Unicode(), default_value=[],
                           help="Extra conversation kinds or circumstances that the school's leadership does not "
                                "allow to be recorded (e.g. ['zorggesprek']).").tag(config=True)


@lru_cache(maxsize=1)
def rules() -> dict:
    with resources.files("transkript_kernel").joinpath("data/consent.json").open(encoding="utf-8") as fh:
        return json.load(fh)


FORBIDDEN_KINDS: tuple[str, ...] = tuple(rule["id"] for rule in rules()["forbidden"])
PUPIL_VIEW_FROM_AGE: int = int(rules()["pupil_view_from_age"])


def normalize(text: str) -> str:
    """Compare kinds loosely: case, accents, spaces/hyphens/underscores do not matter."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(text.replace("-", " ").replace("_", " ").split())


def _compact(text: str) -> str:
    return normalize(text).replace(" ", "")


def words(text: str) -> tuple[str, ...]:
    """The words of a kind or circumstance, normalised: punctuation, hyphens and underscores separate words."""
    return tuple(re.findall(r"\w+", normalize(text)))


def _contains(haystack: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return n > 0 and any(haystack[i:i + n] == phrase for i in range(len(haystack) - n + 1))


def _matches(name: str, phrases: Iterable[str], exact: Iterable[str] = ()) -> bool:
    """Whole words anywhere ("Veilig Thuis melding" holds "veilig thuis"; "klachten" does not hold "klacht"),
    a glued spelling of the whole name ("VeiligThuis"), or one of ``exact`` as the whole name."""
    have, key = words(name), _compact(name)
    for phrase in phrases:
        if _contains(have, words(phrase)) or (key and key == _compact(phrase)):
            return True
    return any(key and key == _compact(e) for e in exact)


def forbidden_rule(name: str, *, policy: ConsentPolicy | None = None) -> dict | None:
    """The rule that forbids recording ``name`` (a kind or circumstance), or None.

    Matched as whole words anywhere in ``name``: a forbidden subject does not become allowed by a word more
    ("disciplinair gesprek", "Veilig Thuis melding"). A rule's ``exact`` words are too common to refuse
    anywhere ("directie aanwezig" is harmless) and count only as the whole name."""
    if not words(name):
        return None
    for rule in rules()["forbidden"]:
        if _matches(name, (rule["id"], *rule["aliases"]), rule.get("exact", ())):
            return rule
    extra = policy.extra_forbidden if policy is not None else _policy().extra_forbidden
    for forbidden in extra:
        if _matches(name, (forbidden,)):
            return {"id": forbidden, "nl": f"De schoolleiding staat niet toe dat '{forbidden}' wordt opgenomen.",
                    "en": f"The school's leadership does not allow '{forbidden}' to be recorded."}
    return None


def check_kind(kind: str, circumstances: Iterable[str] = (), *, policy: ConsentPolicy | None = None) -> str:
    """The gate before anything is stored: forbidden words anywhere in the kind or a circumstance raise
    :class:`ForbiddenKindError` (reason and advice to write notes); then only a known kind passes
    (:data:`conversation.KINDS`, compared loosely). Returns the kind as the case file stores it."""
    policy = policy or _policy()
    for name in (kind, *circumstances):
        rule = forbidden_rule(str(name or ""), policy=policy)
        if rule:
            advice = rules()["advice"]
            exc = ForbiddenKindError(f"{rule['nl']} {advice['nl']}", f"{rule['en']} {advice['en']}")
            exc.rule = rule["id"]
            raise exc
    known = {_compact(k): k for k in KINDS}
    found = known.get(_compact(str(kind or "")))
    if found is None:
        shown = str(kind or "")[:80]
        raise InputError(f"Onbekend soort gesprek {shown!r}; kies uit {', '.join(KINDS)}.",
                         f"Unknown kind of conversation {shown!r}; choose from {', '.join(KINDS)}.")
    return found


def _policy() -> ConsentPolicy:
    from .. import settings

    return settings.get(ConsentPolicy)


@dataclass
class ConsentDecision:
    recording_allowed: bool
    nl: str
    en: str


def check(kind: str, consent: ConsentRecord | None = None, *, circumstances: Iterable[str] = (),
          age_band: str = "", policy: ConsentPolicy | None = None) -> ConsentDecision:
    """Refuse forbidden kinds and circumstances outright (:class:`ForbiddenKindError`, with the reason and
    advice to write notes) and unknown kinds (:class:`InputError`); otherwise say whether recording is
    allowed by this consent."""
    check_kind(kind, circumstances, policy=policy)
    if consent is None:
        return ConsentDecision(False, "Er is nog geen toestemming vastgelegd.", "No consent has been recorded yet.")
    validate(consent, age_band=age_band)
    if consent.withdrawn_at:
        return ConsentDecision(False, "De toestemming is ingetrokken.", "Consent has been withdrawn.")
    if not consent.given:
        return ConsentDecision(False, "Geen toestemming: er wordt niets opgenomen; u kunt wel schriftelijke "
                                      "aantekeningen bij het gesprek bewaren.",
                               "No consent: nothing is recorded; you can still keep written notes.")
    if consent.pupil_view == "refused":
        return ConsentDecision(False, "De leerling wil niet dat het gesprek wordt opgenomen.",
                               "The pupil does not want the conversation recorded.")
    return ConsentDecision(True, "Toestemming gegeven.", "Consent given.")


def validate(consent: ConsentRecord, *, age_band: str = "") -> None:
    if consent.how not in CONSENT_HOW:
        raise InputError(f"Toestemming moet 'mondeling', 'schriftelijk' of '{COORDINATOR_STATEMENT}' zijn, niet "
                         f"{consent.how!r}.",
                         f"Consent must be 'mondeling' (spoken), 'schriftelijk' (written) or '{COORDINATOR_STATEMENT}' "
                         f"(a batch coordinator's statement), not {consent.how!r}.")
    if not (consent.by or "").strip():
        raise InputError("Leg vast wie toestemming gaf (bijvoorbeeld 'ouder').",
                         "Record who gave consent (for example 'ouder').")
    if consent.pupil_view not in (None, "given", "refused"):
        raise InputError(f"Mening van de leerling moet 'given' of 'refused' zijn, niet {consent.pupil_view!r}.",
                         f"The pupil's view must be 'given' or 'refused', not {consent.pupil_view!r}.")
    age = Conversation(id="", pupil="", date="", age_band=age_band).pupil_age
    if consent.given and age is not None and age >= PUPIL_VIEW_FROM_AGE and consent.pupil_view is None:
        raise ConsentError(f"De leerling is {age} jaar of ouder: vraag ook de leerling zelf om toestemming en "
                           "leg die vast.",
                           f"The pupil is {age} or older: ask the pupil's own view as well and record it.")


def record(given: bool, by: str, *, how: str = "mondeling", name: str = "", purpose: str | None = None,
           retention_notice: str | None = None, pupil_view: str | None = None, at: str | None = None,
           language: str = "nl") -> ConsentRecord:
    """A consent record with the school's default purpose and retention notice filled in."""
    lang = "nl" if language == "nl" else "en"
    return ConsentRecord(given=bool(given), by=by, at=at or now(), how=how,
                         purpose=purpose if purpose is not None else rules()["default_purpose"][lang],
                         retention_notice=(retention_notice if retention_notice is not None
                                           else rules()["default_retention_notice"][lang]),
                         pupil_view=pupil_view, name=name)


def coordinator_statement(*, language: str = "nl", at: str | None = None) -> ConsentRecord:
    """The consent record of a batch run with ``--consent given``: the coordinator states that the parents gave
    consent for every recording; it is stored and printed as that ("verklaring coördinator"), never as the
    parents' own spoken or written answer."""
    return record(True, "ouder", how=COORDINATOR_STATEMENT, at=at, language=language)


_ACTIONS = {"import": ("een opname toevoegen", "adding a recording"), "process": ("verwerken", "processing")}


def require_recording_allowed(conversation: Conversation, action: str = "import") -> None:
    """Raise :class:`ConsentRefusedError` unless this conversation's consent allows a recording."""
    decision = check(conversation.kind, conversation.consent, age_band=conversation.age_band)
    if not decision.recording_allowed:
        nl, en = _ACTIONS.get(action, (action, action))
        raise ConsentRefusedError(f"{decision.nl} Gesprek {conversation.id}: {nl} is niet toegestaan.",
                                  f"{decision.en} Conversation {conversation.id}: {en} is not allowed.")


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
