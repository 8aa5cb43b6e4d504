"""Who said what: merge diarisation turns into a transcript, guess roles, let the user rename speakers.

A summary is only useful when it knows who promised what, so every segment gets a speaker id ("S1", "S2", …
in order of first appearance). Where a speaker change falls inside a Whisper segment the segment is split at
the word timestamps; segment ids are renumbered here, the only moment that is allowed (nothing cites the
transcript yet). Attribution never fails the transcript: when diarisation cannot run, segments keep
``speaker=None`` and ``transcript.notices`` says why, in Dutch and English.
"""
from __future__ import annotations

import json
import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional

from .errors import BackendUnavailableError, InputError, TranskriptError
from .formatting import Text
from .transcript import ROLES, Segment, Speaker, Transcript, Word

log = logging.getLogger(__name__)
Progress = Optional[Callable[[float], None]]
ROLES_FILE = Path(__file__).resolve().parent / "data" / "roles.json"
_SENTENCE_END = re.compile(r"[.?!…]['\"”’)]*$")


def parse_mode(mode) -> str | int:
    """'auto', 'off' or a speaker count 1–10 (also as text); anything else is a clear InputError."""
    if isinstance(mode, str):
        m = mode.strip().lower()
        if m in ("auto", "off"):
            return m
        if m in ("uit", "geen", "none"):
            return "off"
        if m.isdigit():
            mode = int(m)
    if isinstance(mode, int) and not isinstance(mode, bool) and 1 <= mode <= 10:
        return mode
    raise InputError(f"Ongeldige waarde voor sprekers: {mode!r}. Gebruik 'auto', 'off' of een aantal (1-10).",
                     f"Invalid speakers value: {mode!r}. Use 'auto', 'off' or a number (1-10).")


def attribute(transcript: Transcript, clip, *, mode="auto", progress: Progress = None,
              backend: str | None = None, participants=()) -> Transcript:
    """Give every segment a speaker (mode 'auto', a fixed count, or 'off'); roles are guessed too.

    ``clip`` is an ``audio.AudioClip`` (or float32 16 kHz samples). ``participants`` (the consent form's
    :class:`~.conversation.Participant` list) help the role guess and name speakers (:func:`name_speakers`).
    Returns the same transcript, changed.
    """
    mode = parse_mode(mode)
    if mode == "off":
        _clear(transcript)
        return transcript
    if not transcript.segments:
        _clear(transcript)
        return transcript
    if mode == 1:
        _single(transcript)
        _record(transcript, mode, None)
        guess_roles(transcript, participants=participants)
        name_speakers(transcript, participants)
        return transcript
    from . import diarize

    try:
        if clip is None:
            raise InputError("Er is geen audio om sprekers in te herkennen.", "There is no audio to diarise.")
        result = diarize.diarize(clip, num_speakers=None if mode == "auto" else mode, backend=backend,
                                 progress=progress)
    except BackendUnavailableError as exc:
        return _unattributed(transcript, "Sprekerherkenning kon niet draaien; sprekers zijn niet ingevuld. "
                             + exc.nl, "Speaker diarisation could not run; speakers are left empty. " + exc.en)
    except TranskriptError as exc:
        return _unattributed(transcript, "Sprekers zijn niet herkend: " + exc.nl,
                             "Speakers were not recognised: " + exc.en)
    except Exception as exc:  # never lose a transcript to a diarisation bug
        log.exception("diarisation failed")
        return _unattributed(transcript, f"Sprekerherkenning mislukte ({type(exc).__name__}); sprekers zijn "
                                         "niet ingevuld.",
                             f"Speaker diarisation failed ({type(exc).__name__}); speakers are left empty.")
    apply_turns(transcript, result.turns)
    _record(transcript, mode, result)
    found = len(transcript.speakers)
    if mode == "auto" and found == 1:
        transcript.notices.append(Text("Er is één stem herkend. Klopt dat niet, kies dan het aantal sprekers.",
                                       "One voice was recognised. If that is wrong, choose the number of speakers."))
    elif mode != "auto" and found < mode:
        transcript.notices.append(Text(f"Gevraagd: {mode} sprekers; in de spraak zijn er {found} teruggevonden.",
                                       f"Asked for {mode} speakers; {found} were found in the speech."))
    guess_roles(transcript, participants=participants)
    name_speakers(transcript, participants)
    return transcript


def apply_turns(transcript: Transcript, turns) -> Transcript:
    """Label segments from diarisation turns (``start``, ``end``, ``speaker``), splitting at word boundaries.

    Speaker ids become "S1", "S2", … in order of first appearance; segments are renumbered in time order.
    """
    from .diarize import Diarization

    d = turns if isinstance(turns, Diarization) else Diarization(
        turns=sorted(turns, key=lambda t: t.start), num_speakers=0, backend="given", duration=transcript.duration)
    out: list[Segment] = []
    for seg in transcript.segments:
        words = [w for w in (seg.words or []) if w.word.strip()]
        if not words:
            out.append(_relabel(seg, d.speaker_at(seg.start, seg.end)))
            continue
        labels = _smooth([d.speaker_at(_sounding(w), w.end, reach=1.0) for w in words], words)
        runs = _runs(labels)
        if len(runs) == 1:
            out.append(_relabel(seg, labels[0]))
            continue
        for k, (i, j, spk) in enumerate(runs):
            part = seg.words[_index(seg.words, words[i]):_index(seg.words, words[j - 1]) + 1] if seg.words else []
            start = seg.start if k == 0 else words[i].start
            end = seg.end if k == len(runs) - 1 else words[j - 1].end
            text = "".join(w.word for w in part).strip()
            out.append(Segment(id=seg.id, start=start, end=max(start, end), text=text, speaker=spk, words=part))
    ids: dict = {}
    for seg in sorted(out, key=lambda s: (s.start, s.end)):
        if seg.speaker is not None and seg.speaker not in ids:
            ids[seg.speaker] = f"S{len(ids) + 1}"
    for seg in out:
        seg.speaker = ids.get(seg.speaker)
    # new voices, new names: an earlier "S1" need not be the same person after a new diarisation
    transcript.speakers = {sid: Speaker(label=f"Spreker {sid[1:]}") for sid in ids.values()}
    transcript.segments = out
    transcript.renumber()
    return transcript


def _sounding(word: Word, longest: float = 0.6) -> float:
    """Where a word's sound starts: Whisper lets a word after a pause begin early, inside the pause (a turn's
    first "Dat" at 31.2–32.3 s when the next speaker starts at 32.2 s), so a long word counts by its end."""
    return max(word.start, word.end - longest)


def _relabel(seg: Segment, speaker) -> Segment:
    seg.speaker = speaker
    return seg


def _index(words: list[Word], word: Word) -> int:
    for i, w in enumerate(words):
        if w is word:
            return i
    raise ValueError("word not in segment")  # pragma: no cover


def _runs(labels) -> list[tuple[int, int, object]]:
    runs = []
    for i, lab in enumerate(labels):
        if runs and runs[-1][2] == lab:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1, lab])
    return [tuple(r) for r in runs]


def _smooth(labels: list, words: list[Word]) -> list:
    """Fill unknown words from neighbours and move each change to the nearest sentence end or pause.

    Diarisation boundaries drift by a few tenths of a second; a speaker change almost always falls at the end
    of a sentence or at a pause, so a change within two words of one moves there.
    """
    labels = list(labels)
    for i in range(len(labels)):  # forward, then backward fill
        if labels[i] is None and i > 0:
            labels[i] = labels[i - 1]
    for i in range(len(labels) - 2, -1, -1):
        if labels[i] is None:
            labels[i] = labels[i + 1]
    if len(labels) < 2:
        return labels

    def is_break(k: int) -> bool:  # a break between word k-1 and word k
        return (_SENTENCE_END.search(words[k - 1].word.strip()) is not None
                or _sounding(words[k]) - words[k - 1].end >= 0.3)

    changes = [k for k in range(1, len(labels)) if labels[k] != labels[k - 1]]
    for k in changes:
        if is_break(k):
            continue
        cands = [c for c in range(max(1, k - 2), min(len(labels), k + 3)) if is_break(c)]
        if not cands:
            continue
        c = min(cands, key=lambda c: (abs(c - k), c))
        left, right = labels[k - 1], labels[k]
        if c < k:
            for m in range(c, k):
                labels[m] = right
        else:
            for m in range(k, c):
                labels[m] = left
    return labels


def _clear(transcript: Transcript) -> None:
    for seg in transcript.segments:
        seg.speaker = None
    transcript.speakers = {}


def _single(transcript: Transcript) -> None:
    old = transcript.speakers.get("S1")
    for seg in transcript.segments:
        seg.speaker = "S1"
    transcript.speakers = {"S1": old or Speaker(label="Spreker 1")}


def _unattributed(transcript: Transcript, nl: str, en: str) -> Transcript:
    _clear(transcript)
    transcript.notices.append(Text(nl, en))
    return transcript


def _record(transcript: Transcript, mode, result) -> None:
    """Say in ``transcript.model`` how speakers were found (provenance, like the ASR settings)."""
    info = {"mode": mode, "backend": result.backend if result else None,
            "speakers": len(transcript.speakers)}
    if transcript.model is None:
        transcript.model = {}
    transcript.model["diarization"] = info


# --- roles ------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def role_cues() -> dict:
    """The cue words of ``data/roles.json`` (data, not code: schools can extend them)."""
    with open(ROLES_FILE, encoding="utf-8") as fh:
        return json.load(fh)


def _hits(text: str, cues) -> int:
    return sum(len(re.findall(r"(?<!\w)" + re.escape(c) + r"(?!\w)", text)) for c in cues)


def role_scores(transcript: Transcript) -> dict[str, dict[str, float]]:
    """Per speaker: teacher, pupil and parent evidence, as :func:`guess_roles` weighs it."""
    cues = role_cues()
    t = cues["teacher"]
    texts: dict[str, list[str]] = {}
    early: dict[str, list[str]] = {}
    first = None
    for seg in sorted(transcript.segments, key=lambda s: s.start):
        if seg.speaker is None:
            continue
        first = first or seg.speaker
        texts.setdefault(seg.speaker, []).append(seg.text.lower())
        if seg.start <= t["consent"]["within_first_seconds"]:
            early.setdefault(seg.speaker, []).append(seg.text.lower())
    total = sum(len(" ".join(v).split()) for v in texts.values()) or 1
    scores = {}
    for sid, parts in texts.items():
        text = " ".join(parts)
        n = max(1, len(text.split()))
        teacher = (t["consent"]["weight"] * min(2, _hits(" ".join(early.get(sid, [])), t["consent"]["cues"]))
                   + t["leading"]["weight"] * min(3, _hits(text, t["leading"]["cues"]))
                   + t["school"]["weight"] * 100 * _hits(text, t["school"]["cues"]) / n / 5
                   + (3 if sid == first else 0) + 3 * n / total)
        staff = _hits(text, cues["school"]["cues"])
        scores[sid] = {"teacher": round(teacher, 3),
                       "pupil": cues["pupil"]["weight"] * _hits(text, cues["pupil"]["cues"]) / n,
                       "parent": cues["parent"]["weight"] * _hits(text, cues["parent"]["cues"]) / n,
                       "school": cues["school"]["weight"] * staff / n, "school_hits": staff}
    return scores


def guess_roles(transcript: Transcript, *, overwrite: bool = False, participants=()) -> Transcript:
    """Teacher = who asks for consent / leads (cue words in ``data/roles.json``); others parent, pupil or
    school (other staff: intern begeleider, zorgcoördinator, directie).

    Roles a user already set are kept unless ``overwrite``. One speaker only becomes 'docent' when the
    teacher cues say so (a consent question or school words), else stays unknown. A non-teacher speaker is
    'school' with at least ``min_hits`` staff cues that beat the pupil and parent evidence; when the consent
    form lists a 'school' participant and nobody qualified, the non-teacher speaker with the most staff
    evidence gets it (the form says such a person was there).
    """
    scores = role_scores(transcript)
    for sid in transcript.speakers:
        scores.setdefault(sid, {"teacher": 0.0, "pupil": 0.0, "parent": 0.0, "school": 0.0, "school_hits": 0})
    if not scores:
        return transcript
    free = [sid for sid, sp in transcript.speakers.items() if overwrite or sp.role is None]
    taken = any(sp.role == "docent" for sid, sp in transcript.speakers.items() if sid not in free)
    teacher = None
    if not taken and free:
        teacher = max(free, key=lambda s: (scores[s]["teacher"], -int(s[1:]) if s[1:].isdigit() else 0))
        if len(transcript.speakers) == 1 and scores[teacher]["teacher"] <= 6.0:
            teacher = None  # one voice without teacher cues: do not guess
    for sid in free:
        sp = transcript.speakers[sid]
        if sid == teacher:
            sp.role = "docent"
        elif len(transcript.speakers) == 1:
            sp.role = None
        else:
            s = scores[sid]
            staff = s["school_hits"] >= role_cues()["school"].get("min_hits", 2)
            if staff and s["school"] > s["pupil"] and s["school"] >= s["parent"]:  # staff cues are specific,
                # parent cues include pronouns ("hij", "ze") that staff use as much
                sp.role = "school"
            else:
                sp.role = "leerling" if s["pupil"] > s["parent"] else "ouder"
    _balance(transcript, [sid for sid in free if sid != teacher], scores, _participant_roles(participants))
    return transcript


def _balance(transcript: Transcript, others: list[str], scores: dict, expected: dict) -> None:
    """Use the consent form's roles: when it lists a pupil or a staff member nobody was given, and more
    speakers were called 'ouder' (or 'leerling') than the form has, the likeliest of those gets the missing
    role — staff by staff cues (at least one), the pupil by pupil-over-parent cues, then by fewest words."""
    if not expected:
        return
    words: dict[str, int] = {}
    for seg in transcript.segments:
        if seg.speaker:
            words[seg.speaker] = words.get(seg.speaker, 0) + len(seg.text.split())
    for role in ("school", "leerling"):
        roles = [transcript.speakers[sid].role for sid in transcript.speakers]
        if not expected.get(role) or role in roles:
            continue
        surplus = [sid for sid in others if transcript.speakers[sid].role in ("ouder", "leerling", "school")
                   and roles.count(transcript.speakers[sid].role) > len(expected.get(transcript.speakers[sid].role, []))]
        if role == "school":
            surplus = [sid for sid in surplus if scores[sid]["school_hits"] > 0]
            key = lambda sid: (scores[sid]["school_hits"], scores[sid]["teacher"])  # noqa: E731
        else:
            key = lambda sid: (scores[sid]["pupil"] - scores[sid]["parent"], -words.get(sid, 0))  # noqa: E731
        if surplus:
            transcript.speakers[max(surplus, key=key)].role = role


def _participant_roles(participants) -> dict[str, list[str]]:
    """Role -> names of the consent form's participants (roles lower case; unknown roles kept as given)."""
    out: dict[str, list[str]] = {}
    for p in participants or ():
        name = " ".join(str(getattr(p, "name", "") or "").split())
        role = str(getattr(p, "role", "") or "").strip().lower()
        if name and role:
            out.setdefault(role, []).append(name)
    return out


_DEFAULT_LABEL = re.compile(r"^Spreker \d+$")


def name_speakers(transcript: Transcript, participants) -> Transcript:
    """Label a speaker with a participant's name when their role matches exactly one participant and one
    speaker ("Spreker 1 (docent)" becomes "Meester Bram"). Only default labels change: a name the teacher
    gave is kept, and the teacher can still rename anyone afterwards."""
    expected = _participant_roles(participants)
    by_role: dict[str, list[str]] = {}
    for sid, sp in transcript.speakers.items():
        if sp.role:
            by_role.setdefault(sp.role, []).append(sid)
    for role, sids in by_role.items():
        names = expected.get(role, [])
        if len(names) == 1 and len(sids) == 1:
            sp = transcript.speakers[sids[0]]
            if _DEFAULT_LABEL.match(sp.label or ""):
                sp.label = names[0][:80].strip()
    return transcript


def rename(transcript: Transcript, speaker_id: str, *, label: str | None = None,
           role: str | None = None) -> Transcript:
    """Change a speaker's shown name and/or role. ``role=""`` clears it; ``None`` leaves it as it is."""
    if speaker_id not in transcript.speakers:
        known = ", ".join(transcript.speakers) or "-"
        raise InputError(f"Spreker {speaker_id!r} bestaat niet in dit transcript (wel: {known}).",
                         f"Speaker {speaker_id!r} does not exist in this transcript (known: {known}).")
    sp = transcript.speakers[speaker_id]
    if label is not None:
        if not isinstance(label, str) or not label.strip():
            raise InputError("De naam van een spreker mag niet leeg zijn.", "A speaker's name cannot be empty.")
        if len(label.strip()) > 80:
            raise InputError("De naam van een spreker mag hoogstens 80 tekens lang zijn.",
                             "A speaker's name can be at most 80 characters long.")
        sp.label = " ".join(label.split())
    if role is not None:
        value = role.strip().lower() if isinstance(role, str) else role
        value = None if value in ("", "geen", "none") else value
        if value not in ROLES:
            allowed = ", ".join(r for r in ROLES if r)
            raise InputError(f"Onbekende rol {role!r}; kies uit {allowed}.",
                             f"Unknown role {role!r}; choose from {allowed}.")
        sp.role = value
    return transcript


def merge(transcript: Transcript, source_id: str, into_id: str) -> Transcript:
    """Fold one speaker into another (diarisation split one voice in two); segment ids do not change."""
    for sid in (source_id, into_id):
        if sid not in transcript.speakers:
            raise InputError(f"Spreker {sid!r} bestaat niet in dit transcript.",
                             f"Speaker {sid!r} does not exist in this transcript.")
    if source_id == into_id:
        return transcript
    for seg in transcript.segments:
        if seg.speaker == source_id:
            seg.speaker = into_id
    del transcript.speakers[source_id]
    return transcript
