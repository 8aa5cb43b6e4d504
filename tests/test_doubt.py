"""Doubtful words: the one rule (low word probability, or unknown to the dictionary and not a name)."""
import pytest

from transkript_kernel import doubt, spelling
from transkript_kernel.summary import Action, Concern, Summary, Topic
from transkript_kernel.transcript import Segment, Transcript, Word

pytestmark = pytest.mark.skipif(not spelling.available("nl"), reason="hunspell-nl not installed")


def _seg(sid, text, probs=None, start=0.0):
    words = None
    if probs is not None:
        toks = text.split()
        assert len(toks) == len(probs)
        words = [Word(start + i * 0.4, start + i * 0.4 + 0.35, " " + tok, p) for i, (tok, p) in enumerate(zip(toks, probs))]
    return Segment(sid, start, start + 0.4 * len(text.split()), text, None, words)


def _transcript(*segments, language="nl"):
    return Transcript(language=language, duration=60.0, segments=list(segments))


def test_low_probability_and_unknown_words_are_marked():
    t = _transcript(_seg(0, "Ilze leest nog erg langzaam.", [0.9, 0.95, 0.2, 0.99, 0.97]),
                    _seg(1, "De juf belt vrijdag zamira.", start=5.0))
    found = doubt.marks(t)
    assert [(m.segment_id, m.word_index, m.word, m.reason) for m in found] == [
        (0, 0, "Ilze", "dictionary"), (0, 2, "nog", "probability"), (1, 4, "zamira", "dictionary")]
    # the word's own time, so ▶ plays from the word; a segment without word timings gives the segment's time
    assert found[1].start == pytest.approx(0.8) and found[1].probability == pytest.approx(0.2)
    assert found[2].start == 5.0


def test_names_from_the_consent_form_are_not_unknown_but_low_probability_stays():
    t = _transcript(_seg(0, "Ilze leest nog erg langzaam.", [0.9, 0.95, 0.2, 0.99, 0.97]))
    found = doubt.marks(t, names=["Ilze de Vries", "Meester Bram"])
    assert [m.word for m in found] == ["nog"]
    # names with apostrophes, hyphens and diacritics match their parts too
    t2 = _transcript(_seg(0, "Mevrouw El-Amrani en D'Souza en Zoë Ağaoğlu praten."))
    assert [m.word for m in doubt.marks(t2)]  # the dictionary does not know them ...
    assert doubt.marks(t2, names=["Fatima El-Amrani", "Kees D'Souza", "Zoë Ağaoğlu"]) == []  # ... the form does


def test_words_the_teacher_typed_are_hers():
    seg = _seg(0, "Ilze leest nog erg langzaam.", [0.9, 0.95, 0.2, 0.99, 0.97])
    seg.text = "Ilse leest heel erg langzaam."  # corrected the name and the unsure word
    assert doubt.marks(_transcript(seg)) == []
    seg.text = "Ilze leest nog steeds erg langzaam."  # inserted a word: the others keep their marks and indices
    found = doubt.marks(_transcript(seg))
    assert [(m.word_index, m.word) for m in found] == [(0, "Ilze"), (2, "nog")]
    assert doubt.tokens(seg.text)[found[1].word_index] == "nog"


def test_threshold_is_the_boundary():
    seg = _seg(0, "Hij leest thuis.", [doubt.THRESHOLD, doubt.THRESHOLD - 0.01, 0.99])
    assert [m.word for m in doubt.marks(_transcript(seg))] == ["leest"]


def test_numbers_punctuation_and_single_letters_are_never_marked():
    t = _transcript(_seg(0, "Hij scoorde 5,4 op 12 maart — een D. ... !"))
    assert doubt.marks(t) == []


def test_english_transcript_uses_the_english_dictionary_when_there_is_one():
    t = _transcript(_seg(0, "He reads very slowly at home."), language="en")
    if spelling.available("en"):
        assert doubt.marks(t) == []
    t.model = {"text_language": "en"}
    assert doubt.text_language(t) == "en"


def test_next_mark_walks_in_reading_order_and_wraps():
    t = _transcript(_seg(0, "Ilze leest nog.", [0.9, 0.9, 0.1]), _seg(1, "Goed zo."), _seg(2, "zamira belt.", start=9))
    found = doubt.marks(t)
    order = [s.id for s in t.segments]
    first = doubt.next_mark(found)
    assert (first.segment_id, first.word_index) == (0, 0)
    second = doubt.next_mark(found, (0, 0), order)
    assert (second.segment_id, second.word_index) == (0, 2)
    third = doubt.next_mark(found, (1, 0), order)  # from a segment without marks
    assert (third.segment_id, third.word) == (2, "zamira")
    assert doubt.next_mark(found, (2, 0), order) == first
    assert doubt.next_mark([], None) is None


def _summary():
    s = Summary(language="nl", backend="extractive",
                topics=[Topic("Lezen van Ilze", [0])],
                concerns=[Concern("Ouder maakt zich zorgen over het lezen.", "ouder", [0])],
                actions=[Action("Docent belt zamira vrijdag.", "docent", None, [1]),
                         Action("Ouder leest thuis nog voor.", "ouder", None, [0])])
    return s


def test_words_in_summary_items_come_from_the_dictionary_and_the_cited_marks():
    t = _transcript(_seg(0, "Ilze leest nog erg langzaam.", [0.9, 0.95, 0.2, 0.99, 0.97]),
                    _seg(1, "Ik bel zamira vrijdag.", start=5.0))
    found = doubt.marks(t)
    assert doubt.words_in("Docent belt zamira vrijdag.", t, [1], found=found) == ["zamira"]
    # "nog" is doubtful in segment 0 only: an item citing segment 0 carries it, one citing 1 does not
    assert doubt.words_in("Ouder leest thuis nog voor.", t, [0], found=found) == ["nog"]
    assert doubt.words_in("Ouder leest thuis nog voor.", t, [1], found=found) == []
    assert doubt.words_in("Lezen van Ilze", None, names=["Ilze"]) == []
    items = doubt.item_doubts(_summary(), t, names=["Ilze"])
    assert [(d.section, d.index, d.words) for d in items] == [("actions", 0, ("zamira",)), ("actions", 1, ("nog",))]


def test_blocking_words_are_only_in_ticked_items():
    t = _transcript(_seg(0, "Ilze leest nog erg langzaam.", [0.9, 0.95, 0.2, 0.99, 0.97]),
                    _seg(1, "Ik bel zamira vrijdag.", start=5.0))
    s = _summary()
    assert {d.words for d in doubt.blocking_words(s, t, ["Ilze"])} == {("zamira",), ("nog",)}
    s.actions[0].include = False  # the teacher left this proposal out
    assert [d.words for d in doubt.blocking_words(s, t, ["Ilze"])] == [("nog",)]
    assert doubt.cli_lines(doubt.blocking_words(s, t, ["Ilze"])) == ["[?] nog — Ouder leest thuis nog voor."]


def test_names_for_a_conversation_come_from_pupil_participants_and_consent():
    from transkript_kernel.conversation import ConsentRecord, Conversation, Participant

    conv = Conversation(id="x", pupil="Ilse de Vries", date="2026-01-01",
                        participants=[Participant("Meester Bram", "docent"), Participant("Samira", "school")],
                        consent=ConsentRecord(True, "ouder", "2026-01-01T10:00", name="Mevrouw Visser"))
    names = doubt.names_for(conv)
    assert names == ["Ilse de Vries", "Meester Bram", "Samira", "Mevrouw Visser"]
    t = _transcript(_seg(0, "Ilse en Samira en Visser."))
    assert doubt.marks(t, names) == [] and doubt.names_for(None) == []
