"""The widget that shows other people's names before the PDF (widgets/third_parties.py)."""
from __future__ import annotations

import re

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


def _bullying_case(archive):
    conv = load("tp01-pesten-groepsapp")
    c = archive.create(pupil=conv["pupil"], date="2026-03-12", kind="oudergesprek",
                       participants=[Participant(n, r) for n, r in conv["participants"]],
                       consent=consent.record(True, "ouder", how="schriftelijk"))
    archive.save_transcript(c.id, transcript_of(conv), by="test")
    archive.save_summary(c.id, Summary("nl", "h", topics=[Topic("Berichten van Sem en Mila", [3])]), by="juf",
                         role="docent", reason="eerste versie")
    return c


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
    archive = Archive()
    c = _bullying_case(archive)
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


def _pdf_text(archive, pdf) -> str:
    import subprocess

    with archive.decrypted(pdf) as plain:
        return subprocess.run(["pdftotext", str(plain), "-"], check=True, capture_output=True, text=True).stdout


def test_export_panel_shows_the_names_and_makes_the_pdf_from_the_familys_copy():
    """Issue 16 item 1 in the app: the names next to the doubt box, replaced by default in the PDF."""
    from transkript_widgets.export import ExportPanel

    archive = Archive()
    c = _bullying_case(archive)
    panel = ExportPanel(lambda: archive)
    panel.load(c.id)
    assert panel.third_parties in panel.children
    assert panel.children.index(panel.third_parties) == panel.children.index(panel.confirm) + 1
    rows = {r.person.name: r for r in panel.third_parties.rows}
    assert set(rows) == {"Sem", "Mila", "Fleur"} and panel.third_parties.layout.display is None
    rows["Fleur"].choice.value = KEEP
    panel.with_transcript.value = True
    pdf = panel.export()
    if pdf is None:  # the doubtful-word box asked first (names the dictionary lacks): the teacher confirms
        assert panel.confirm.layout.display is None
        panel.confirm.checked.value = True
        panel.confirm.confirm_button.click()
        pdf = panel.last_pdf
    assert pdf is not None, panel.message.value
    text = " ".join(_pdf_text(archive, pdf).split())
    assert "klasgenoot" in text and "Fleur" in text
    assert not re.search(r"\b(Sem|Mila)\b", text), "another pupil's name reached the family's PDF"
    versions = archive.versions(c.id)
    assert versions[-1].version == 2 and "vervangen" in versions[-1].reason and "Sem" not in versions[-1].reason
    assert "Sem" in archive.transcript(c.id).text  # the case file keeps what was said
    archive.close()


def test_export_panel_stops_when_other_names_appear_after_it_was_shown():
    from transkript_widgets.export import ExportPanel

    archive = Archive()
    c = _bullying_case(archive)
    panel = ExportPanel(lambda: archive)
    panel.load(c.id)
    archive.save_summary(c.id, Summary("nl", "h", topics=[Topic("Berichten van Sem, Mila en Jesse", [3])]),
                         by="juf", role="docent", reason="aangepast")
    assert panel.export() is None and panel.last_pdf is None
    assert "Jesse" in {r.person.name for r in panel.third_parties.rows}
    assert "namen" in panel.message.value
    archive.close()


def test_new_names_keep_the_choices_made_and_gone_names_do_not_stop():
    archive = Archive()
    c = _bullying_case(archive)
    panel = ThirdParties()
    panel.load_for(archive, c.id)
    {r.person.name: r for r in panel.rows}["Fleur"].choice.value = KEEP
    assert panel.changed_for(archive, c.id) is False  # nothing new
    archive.save_summary(c.id, Summary("nl", "h", topics=[Topic("Berichten van Sem en Jesse", [3])]),
                         by="juf", role="docent", reason="aangepast")
    assert panel.changed_for(archive, c.id) is True
    assert panel.choices()["Fleur"] is None and panel.choices()["Jesse"] == "een klasgenoot"
    panel.apply(archive, c.id)  # Jesse replaced in a new stored version: gone from the summary, no new stop
    assert panel.changed_for(archive, c.id) is False
    archive.close()
