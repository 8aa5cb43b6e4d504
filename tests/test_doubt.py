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


# --- the faces: transcript editor and the export confirmation -------------------------------------------------
class _FakeArchive:
    def __init__(self, conversation=None, transcript=None, summary=None):
        self.conversation, self._transcript, self._summary = conversation, transcript, summary
        self.saved = []

    def get(self, cid):
        if self.conversation is None:  # as the real case file says it
            from transkript_kernel.errors import NotFoundError

            raise NotFoundError(f"Gesprek {cid} bestaat niet.", f"Conversation {cid} does not exist.")
        return self.conversation

    def save_transcript(self, cid, transcript, by):
        self.saved.append(transcript.copy())
        self._transcript = transcript
        return len(self.saved)

    def transcript(self, cid):
        return self._transcript

    def summary(self, cid):
        return self._summary


class _Clip:
    sample_rate = 16000

    def __init__(self, seconds):
        import numpy as np

        self.samples = np.zeros(int(seconds * self.sample_rate), dtype="float32")


def _editor_transcript(n_segments=45):
    segs = [_seg(i, "Hij leest thuis elke avond.", [0.99] * 5, start=i * 3.0) for i in range(n_segments)]
    segs[3] = _seg(3, "Ilze leest nog langzaam.", [0.9, 0.95, 0.2, 0.99], start=9.0)
    segs[30] = _seg(30, "De juf belt zamira vrijdag.", [0.99, 0.99, 0.99, 0.9, 0.99], start=90.0)
    return _transcript(*segs)


def _editor(archive):
    pytest.importorskip("ipywidgets")
    from transkript_widgets.transcript_editor import TranscriptEditor

    editor = TranscriptEditor(lambda: archive)
    load = editor.load

    def load_with_clip(cid, transcript):
        load(cid, transcript)
        editor._clip = _Clip(200)  # no recording in the fake case file: a silent one of the right length

    editor.load = load_with_clip
    return editor


def _html_of_rows(editor) -> str:
    out = []
    for row in editor.rows.children:
        for child in row.children[4:]:
            out.append(child.children[0].value)
    return "".join(out)


def test_editor_underlines_doubtful_words_and_plays_from_the_word():
    from transkript_kernel.conversation import Conversation

    archive = _FakeArchive(Conversation(id="c1", pupil="Sanne Test", date="2026-01-01"))
    editor = _editor(archive)
    editor.load("c1", _editor_transcript())
    assert [(m.segment_id, m.word) for m in editor.marks] == [(3, "Ilze"), (3, "nog"), (30, "zamira")]
    row = editor.rows.children[3]
    assert "tk-seg-doubt" in row._dom_classes and len(row.children) == 5
    assert row.children[3].value == "Ilze leest nog langzaam."  # the text box stays the fourth child
    html = row.children[4].children[0].value
    assert html.count('<u class="tk-doubt') == 2 and ">Ilze</u>" in html and ">nog</u>" in html
    assert all(len(r.children) == 4 for i, r in enumerate(editor.rows.children) if i != 3)
    buttons = row.children[4].children[1].children
    assert [b.description for b in buttons] == ["▶ Ilze", "▶ nog"]
    buttons[1].click()  # ▶ at "nog": its own time with a little context, not the whole segment
    seconds = (len(editor.player.value) - 44) / 2 / 16000
    nog = editor.marks[1]
    assert seconds == pytest.approx((nog.end - nog.start) + sum(
        __import__("transkript_widgets.transcript_editor", fromlist=["x"]).WORD_CONTEXT_SECONDS), abs=0.01)
    assert editor.current_mark == nog and "tk-doubt-current" in _html_of_rows(editor)


def test_next_doubtful_word_turns_pages_and_wraps():
    archive = _FakeArchive()
    editor = _editor(archive)
    editor.load("c1", _editor_transcript())
    assert not editor.doubt_button.disabled and "3" in editor.doubt_label.value
    seen = []
    for _ in range(4):
        editor.doubt_button.click()
        seen.append((editor.current_mark.word, editor.page))
    assert seen == [("Ilze", 0), ("nog", 0), ("zamira", 1), ("Ilze", 0)]
    assert bytes(editor.player.value[:4]) == b"RIFF"
    assert "zamira" not in _html_of_rows(editor)  # page 0 shows only its own marks


def test_a_corrected_word_stops_being_marked_after_saving_and_names_count():
    from transkript_kernel.conversation import Conversation, Participant

    archive = _FakeArchive(Conversation(id="c1", pupil="Ilze Test", date="2026-01-01",
                                        participants=[Participant("Zamira", "docent")]))
    editor = _editor(archive)
    editor.load("c1", _editor_transcript())
    assert [m.word for m in editor.marks] == ["nog"]  # both names are on the form
    editor.rows.children[3].children[3].value = "Ilze leest heel langzaam."
    editor.save_button.click()
    assert archive.saved and editor.marks == [] and editor.doubt_button.disabled
    assert all(len(r.children) == 4 for r in editor.rows.children)


def test_export_confirmation_blocks_until_the_teacher_confirms_the_words_shown():
    pytest.importorskip("ipywidgets")
    from transkript_widgets.doubt_confirm import DoubtConfirm

    t = _transcript(_seg(0, "Ilze leest nog erg langzaam.", [0.9, 0.95, 0.2, 0.99, 0.97]),
                    _seg(1, "Ik bel zamira vrijdag.", start=5.0))
    s = _summary()
    confirmed = []
    box = DoubtConfirm(on_confirm=lambda: confirmed.append(True))
    assert box.needs_confirmation(s, t, ["Ilze"]) is True and box.layout.display is None
    assert "<u>zamira</u>" in box.items.value and "<u>nog</u>" in box.items.value
    box.confirm_button.click()  # disabled until the box is ticked
    assert not confirmed and box.needs_confirmation(s, t, ["Ilze"])
    box.checked.value = True
    box.confirm_button.click()
    assert confirmed == [True] and box.layout.display == "none"
    assert box.needs_confirmation(s, t, ["Ilze"]) is False  # the same words: confirmed
    s.actions.append(Action("Ouder belt Daant.", "ouder", None, [1]))
    assert box.needs_confirmation(s, t, ["Ilze"]) is True  # a new doubtful word asks again
    for item in (*s.actions, *s.topics, *s.concerns):
        item.include = False
    assert box.needs_confirmation(s, t, ["Ilze"]) is False  # nothing ticked, nothing blocks
    archive = _FakeArchive(None, t, _summary())
    archive.conversation = type("C", (), {"pupil": "Ilze", "participants": [], "consent": None})()
    box.reset()
    assert box.needs_confirmation_for(archive, "c1") is True


# --- the command line never blocks: it names the words ------------------------------------------------------
def test_report_command_prints_doubtful_words_and_still_makes_the_pdf(tmp_path, capsys):
    from transkript_kernel import cli

    t = _transcript(_seg(0, "Ilze leest nog erg langzaam.", [0.9, 0.95, 0.2, 0.99, 0.97]),
                    _seg(1, "Ik bel zamira vrijdag.", start=5.0))
    t.save(tmp_path / "t.json")
    _summary().save(tmp_path / "s.json")
    out = tmp_path / "v.pdf"
    assert cli.main(["report", str(tmp_path / "t.json"), "--summary", str(tmp_path / "s.json"),
                     "--pdf", str(out)]) == 0
    printed = capsys.readouterr().out
    assert out.stat().st_size > 1000
    assert "[?] zamira — Docent belt zamira vrijdag." in printed
    assert "[?] nog — Ouder leest thuis nog voor." in printed
    assert "[?] Ilze — Lezen van Ilze" in printed  # no consent form here: the name is not vouched for


def test_batch_log_gets_the_doubtful_words_on_its_file_descriptor(capfd):
    from transkript_kernel.batch import NotebookRun

    t = _transcript(_seg(0, "Ilze leest nog erg langzaam.", [0.9, 0.95, 0.2, 0.99, 0.97]),
                    _seg(1, "Ik bel zamira vrijdag.", start=5.0))
    fake = type("Run", (), {})()
    fake.archive = _FakeArchive(type("C", (), {"pupil": "Ilze", "participants": [], "consent": None})(), t,
                                _summary())
    fake.conversation_id = "c1"
    NotebookRun._log_doubts(fake)
    err = capfd.readouterr().err
    assert err.splitlines() == ["[?] zamira — Docent belt zamira vrijdag.", "[?] nog — Ouder leest thuis nog voor."]
