"""The widget that shows other people's names before the PDF (widgets/third_parties.py)."""
from __future__ import annotations

from thirdparty_helpers import form, load, transcript_of

from transkript_kernel import doubt, thirdparty
from transkript_kernel.casefile import consent
from transkript_kernel.casefile.archive import Archive
from transkript_kernel.conversation import Participant
from transkript_kernel.summary import Summary, Topic
from transkript_kernel.transcript import Segment, Transcript
from transkript_widgets.third_parties import KEEP, TYPED, ThirdParties


def _found(conv):
    return thirdparty.find(transcript_of(conv), None, doubt.names_for(form(conv)), language=conv["language"])


def test_each_name_with_its_passages_and_the_default_choice():
    conv = load("tp02-ruzie-plein")
    panel = ThirdParties()
    assert panel.layout.display == "none"  # nothing to show before loading
    panel.load(_found(conv), transcript_of(conv))
    assert panel.layout.display is None and [r.person.name for r in panel.rows] == ["Youssef", "Kerem", "Ruben"]
    youssef = panel.rows[0].head.value
    assert "<b>Youssef</b>" in youssef and youssef.count("<li") == 4  # three passages and "en nog 2"
    assert panel.choices() == {"Youssef": "een klasgenoot", "Kerem": "een klasgenoot", "Ruben": "een leerkracht"}
    panel.rows[1].choice.value = TYPED
    assert not panel.rows[1].phrase.disabled
    panel.rows[1].phrase.value = "een andere leerling"
    panel.rows[2].choice.value = KEEP
    assert panel.choices() == {"Youssef": "een klasgenoot", "Kerem": "een andere leerling", "Ruben": None}
    assert panel.keep() == ["Ruben"]


def test_a_passage_is_text_not_markup():
    t = Transcript("nl", 4.0, [Segment(0, 0.0, 3.0, "Sem zei <script>x</script> tegen Mila.", None)])
    panel = ThirdParties()
    panel.load(thirdparty.find(t, None, []), t)
    html = "".join(r.head.value for r in panel.rows)
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>Mila</b>" in html


def test_apply_makes_the_family_copy_with_the_teachers_choices():
    conv = load("tp01-pesten-groepsapp")
    archive = Archive()
    c = archive.create(pupil=conv["pupil"], date="2026-03-12", kind="oudergesprek",
                       participants=[Participant(n, r) for n, r in conv["participants"]],
                       consent=consent.record(True, "ouder", how="schriftelijk"))
    archive.save_transcript(c.id, transcript_of(conv), by="test")
    archive.save_summary(c.id, Summary("nl", "h", topics=[Topic("Berichten van Sem en Mila", [3])]), by="juf",
                         role="docent", reason="eerste versie")
    panel = ThirdParties()
    panel.load_for(archive, c.id)
    rows = {r.person.name: r for r in panel.rows}
    assert set(rows) == {"Sem", "Mila", "Fleur"}
    rows["Fleur"].choice.value = KEEP
    rows["Mila"].choice.value = TYPED
    rows["Mila"].phrase.value = "een andere klasgenoot"
    family = panel.apply(archive, c.id)
    assert family.summary.topics[0].text == "Berichten van een klasgenoot en een andere klasgenoot"
    assert "Fleur" in family.transcript.text and "Sem" not in family.transcript.text
    assert family.version == 2 and archive.summary(c.id, 1).topics[0].text == "Berichten van Sem en Mila"
    archive.close()
