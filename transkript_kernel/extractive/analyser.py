"""The :class:`Analyser`: what every part of the extractive summariser reads — sentences, speakers' roles (given
or guessed), cue lists, pupil names, meta sentences. The parts import it; it imports none of them, so the
package has no import circle."""
from __future__ import annotations

import json
import re
from functools import lru_cache

from ..lexicon import DATA, cues as load_cues, guess_language
from ..sentences import Sentence, sentences_of
from .language import finite_tags
from .phrasing import tokens_of, words_of


class Analyser:
    """What every part of the analysis reads: the sentences, their speakers' roles (given or guessed), the
    cue lists, pupil names and which sentences are about the recording itself."""

    def __init__(self, transcript, language: str | None = None, *, role_guess: bool = True):
        self.transcript = transcript
        self.language = language or transcript.language or guess_language(transcript.text)
        if self.language not in ("nl", "en"):
            self.language = guess_language(transcript.text)
        self.c = load_cues(self.language)
        self.ac = action_cues(self.language)
        self.sentences = sentences_of(transcript, self.language, tag=finite_tags(self.language))
        self.speaker_info = any(s.role for s in self.sentences)
        self.pupil_present = any(sp.role == "leerling" for sp in transcript.speakers.values())
        self.names = self._pupil_names()
        self.meta = self._meta_flags()
        self.guessed = {} if self.speaker_info else self._guess_roles()

    def _pupil_names(self) -> set[str]:
        """Capitalised words inside sentences that are neither speaker labels nor sentence starts: names."""
        labels, pupils = set(), set()
        for sp in self.transcript.speakers.values():
            toks = tokens_of(sp.label or "")
            for i, t in enumerate(toks):
                if i > 0 and toks[i - 1].lower() in ("van", "of"):
                    pupils.add(t)
                else:
                    labels.add(t.lower())
        counts: dict[str, int] = {p: 1 for p in pupils}
        for s in self.sentences:
            toks = tokens_of(s.text)
            for i, t in enumerate(toks[1:], 1):
                if (re.fullmatch(r"[A-Z][a-zà-ÿ]+", t) and toks[i - 1] not in ".!?"
                        and t.lower() not in self.c.stopwords and t.lower() not in labels):
                    counts[t] = counts.get(t, 0) + 1
        months = {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                  "oktober", "november", "december", "january", "february", "march", "may", "june", "july",
                  "august", "october", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                  "sunday", "dutch", "english", "i", "hindi", "mr", "mrs"}
        return {n for n, k in counts.items() if n.lower() not in months}

    def is_ack(self, s: Sentence) -> bool:
        low = s.lower.strip(" .!?,")
        words = words_of(low)
        return len(words) <= 6 and any(low.startswith(a) for a in self.c.acceptance + self.c.refusal)

    def _meta_flags(self) -> list[bool]:
        """Sentences about the recording, the summary or greetings; and those that point back at them."""
        from ..lexicon import phrase_re

        flags = []
        # a cue word in an ordinary sense is no talk about the recording: 'contact opnemen', 'na dit gesprek',
        # 'als Ilse haar verslag heeft', 'dan is ze de hele dag welkom'
        ordinary = phrase_re(self.c.raw.get("meta_not", ()))
        for i, s in enumerate(self.sentences):
            meta = bool(self.c.meta.search(ordinary.sub(" ", s.lower)))
            if not meta:
                words = words_of(s.text)
                # only a demonstrative that stands for something ('Dat is goed', 'Die krijgt u ook'), not one
                # that goes with a noun ('Dan spreek ik die jongens aan, deze week nog')
                if self._pointing(words):
                    j = i - 1
                    while j >= 0 and self.is_ack(self.sentences[j]):
                        j -= 1
                    meta = j >= 0 and flags[j] and i - j <= 3
            flags.append(meta)
        return flags

    def _pointing(self, words: list[str]) -> bool:
        """A demonstrative pronoun: first in the sentence (after 'ja', 'en', 'oké' ...) or last."""
        words = [w for w in words if w]
        k = 0
        while k < len(words) - 1 and words[k] in self.c.leading_particles:
            k += 1
        return bool(words) and (words[k] in self.c.demonstratives or words[-1] in self.c.demonstratives)

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
        from ..lexicon import phrase_re

        cues = self.c.raw.get("role_cues", {})
        res = {role: phrase_re(words) for role, words in cues.items()}
        out: dict[int, str] = {}
        for s in self.sentences:
            low = s.lower
            score = {role: len(rx.findall(low)) for role, rx in res.items()}
            best = max(score, key=score.get) if score else None
            if best and score[best] > 0 and list(score.values()).count(score[best]) == 1:
                out[s.index] = best
            elif self.is_ack(s) and s.index > 0 and out.get(s.index - 1) == "docent" and \
                    self.frame(self.sentences[s.index - 1].lower.rstrip(".?!")):
                out[s.index] = "ouder"
        return out

    def dues(self, text: str) -> list[tuple[int, int, str]]:
        low = text.lower()
        found = [m for rx in (self.c.due, self.ac["due"]) for m in rx.finditer(low) if m.group(0).strip()]
        out = []
        for m in sorted(found, key=lambda m: m.start() - m.end()):  # the longest phrase wins an overlap
            if not any(a < m.end() and m.start() < b for a, b, _ in out):
                out.append((m.start(), m.end(), text[m.start():m.end()].strip()))
        return sorted(out)

    def frame(self, low: str):
        for rx, owner, kind in self.c.frames:
            m = rx.match(low)
            if m:
                return m, owner, kind
        return None

    def content(self, text: str) -> set[str]:
        return {w for w in words_of(text) if w not in self.c.stopwords and len(w) > 2}

    def owner_noun(self, role: str | None) -> str | None:
        return self.c.owner_nouns.get(role) if role else None


@lru_cache(maxsize=None)
def action_cues(language: str) -> dict:
    """The action-only cue lists of ``data/lexicon/actions.json`` (time phrases the shared lists lack, English
    'going to' and 'would like to' frames), with the time phrases compiled."""
    data = json.loads((DATA / "actions.json").read_text(encoding="utf-8")).get(language, {})
    pats = data.get("due_patterns", [])
    due = re.compile(r"(?<![\w-])(?:" + "|".join(f"(?:{p})" for p in pats) + r")(?![\w-])") if pats else \
        re.compile(r"(?!x)x")
    return {**data, "due": due}
