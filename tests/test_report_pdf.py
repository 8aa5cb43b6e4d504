"""The PDF report, read back the way a reader sees it: pdftotext for the text layer, pdffonts, pdftoppm."""
from __future__ import annotations

import re
import subprocess
import unicodedata

import pytest
from conftest import reference_transcript

from transkript_kernel import report
from transkript_kernel.conversation import ConsentRecord, Conversation, Participant
from transkript_kernel.errors import InputError
from transkript_kernel.summary import Action, Concern, Summary, Topic, Warning
from transkript_kernel.transcript import Transcript

EVIL = "Zoë <script>alert(1)</script> van Dijk"


@pytest.fixture(scope="module")
def transcript(tmp_path_factory) -> Transcript:
    return Transcript.load(reference_transcript("pub01-lezen-groep5", tmp_path_factory.mktemp("ref")))


@pytest.fixture
def summary() -> Summary:
    # invented content (not the eval texts): the report must print whatever the summary holds
    return Summary("nl", "handmatig",
                   topics=[Topic("Voortgang bij technisch lezen", [2]), Topic("Leesplezier thuis", [3])],
                   concerns=[Concern("Het leestempo blijft achter bij de groep", "ouder", [3])],
                   actions=[Action("Extra leesbegeleiding, drie keer per week", "school", "vanaf volgende week", [4]),
                            Action("Samen lezen, tien minuten", "ouder", "elke avond", [6]),
                            Action("Nagaan of een onderzoek naar dyslexie nodig is", "docent", None, [9])],
                   warnings=[Warning("subjective", "Het oordeel 'boeken zijn saai' is niet als feit opgenomen.", [3])])


@pytest.fixture
def conversation() -> Conversation:
    return Conversation(id="20260312-abcd", pupil=EVIL, date="2026-03-12", kind="tienminutengesprek", group="5b",
                        participants=[Participant("Juf Anaïs Smit", "docent"), Participant("Noël de Vries", "ouder")],
                        consent=ConsentRecord(True, "ouder", "2026-03-12T18:02:00+00:00", "mondeling",
                                              purpose="verslag van het gesprek"))


def pdftotext(pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def page_count(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def fonts(pdf) -> list[tuple[str, str]]:
    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    return [(r[0], r[-5]) for r in rows]  # name, emb


def page1_png(pdf, artifacts, name: str):
    prefix = artifacts / name
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
                   check=True)
    png = prefix.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return png


def test_dutch_report_has_every_section(tmp_path, artifacts, transcript, summary, conversation):
    pdf = report.render_pdf(tmp_path / "verslag.pdf", transcript=transcript, summary=summary,
                            conversation=conversation, language="nl", with_transcript=True, version=3,
                            school_name="Basisschool De Eikenhorst")
    text = pdftotext(pdf)
    flat = " ".join(text.split())
    for expected in ["Basisschool De Eikenhorst", "Vertrouwelijk".upper(), "Verslag van het gesprek",
                     "Concept — ter controle", "Versie 3", "Gegevens van het gesprek",
                     "Leerling", EVIL, "Groep", "5b", "12 maart 2026", "tienminutengesprek",
                     "Juf Anaïs Smit (docent), Noël de Vries (ouder)", "Toestemming",
                     "Voor het opnemen en uitwerken van dit gesprek is toestemming gegeven.", "mondeling",
                     "Besproken onderwerpen", "Voortgang bij technisch lezen", "Zorgen",
                     "Het leestempo blijft achter bij de groep", "ingebracht door: ouder",
                     "Afspraken", "Wie", "Wat", "Wanneer", "vanaf volgende week", "elke avond", "niet genoemd",
                     "Aandachtspunten bij dit verslag", "Subjectieve uitspraak",
                     "Klopt er iets niet, of mist er iets?", "Volledig transcript", "Spreektijd per spreker",
                     "Pagina 1 van", "Duur van de opname"]:
        assert expected in flat, f"{expected!r} missing from the PDF text"
    # the action table: owner, what and when on one row
    assert re.search(r"school\s+Extra leesbegeleiding.*vanaf volgende", text)
    # the full transcript with times and speakers, straight from the (reference) transcript
    first = transcript.segments[0]
    assert "00:00" in text and transcript.label_of(first.speaker).split(",")[0] in flat
    assert " ".join(first.text.split()[:6]) in flat
    # Dutch characters survive into the text layer
    for ch in "ëïé":
        assert ch in text
    pages = page_count(pdf)
    assert pages >= 2 and f"Pagina {pages} van {pages}" in flat
    embedded = fonts(pdf)
    assert embedded and all(emb == "yes" for _, emb in embedded), embedded
    assert any("DejaVu" in name for name, _ in embedded)
    page1_png(pdf, artifacts, "report-nl-page1")


def test_without_transcript_and_final(tmp_path, transcript, summary, conversation):
    conversation.status = "definitief"
    pdf = report.render_pdf(tmp_path / "v.pdf", transcript=transcript, summary=summary, conversation=conversation)
    flat = " ".join(pdftotext(pdf).split())
    assert "Definitief" in flat and "Concept" not in flat
    assert "Volledig transcript" not in flat
    assert transcript.segments[0].text.split(".")[0] not in flat
    assert "[3]" not in flat  # evidence references only make sense beside the transcript


def test_missing_consent_and_empty_summary_are_stated(tmp_path, transcript):
    conv = Conversation(id="x", pupil="Daan", date="2026-01-05", consent=None)
    pdf = report.render_pdf(tmp_path / "v.pdf", transcript=transcript, summary=Summary("nl", "x"),
                            conversation=conv)
    flat = " ".join(pdftotext(pdf).split())
    assert "Voor dit gesprek is geen toestemming vastgelegd." in flat
    assert flat.count("Geen.") == 3  # topics, concerns, actions


def test_html_is_escaped_and_self_contained(transcript, summary, conversation):
    transcript = transcript.copy()
    transcript.segments[0].text = "<img src=x onerror=alert(2)> & <b>vet</b>"
    html = report.render_html(transcript=transcript, summary=summary, conversation=conversation,
                              with_transcript=True, school_name='"><script>alert(3)</script>')
    assert "<script" not in html.lower()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<link" not in html.lower()
    without_data = re.sub(r"data:[^\"']+", "", html)
    assert not re.search(r"(https?:)?//[a-z]", without_data, re.I), "external URL in the report"
    assert "mathjax" not in html.lower() and "require.js" not in html.lower()


def test_arabic_report_is_right_to_left(tmp_path, artifacts, transcript, summary, conversation):
    html = report.render_html(transcript=transcript, summary=summary, conversation=conversation, language="ar")
    assert '<html dir="rtl" lang="ar">' in html
    pdf = report.render_pdf(tmp_path / "ar.pdf", transcript=transcript, summary=summary,
                            conversation=conversation, language="ar", school_name="مدرسة النور")
    text = unicodedata.normalize("NFKC", pdftotext(pdf))
    arabic = [c for c in text if "\u0600" <= c <= "\u06ff"]
    assert len(arabic) > 200, "Arabic glyphs missing from the text layer"
    for word in ["سري", "الموافقة", "الاتفاقات", "المخاوف"]:  # confidential, consent, agreements, concerns
        assert word in text, word
    # the Dutch content is not translated, and the report says so (in Arabic)
    assert "غير مترجم" in text
    assert "Het leestempo blijft achter" in " ".join(text.split())
    names = [name for name, emb in fonts(pdf)]
    assert any("Naskh-Arabic" in n for n in names), names
    page1_png(pdf, artifacts, "report-ar-page1")


@pytest.mark.parametrize("language,title", [("en", "Report of the conversation"), ("tr", "Görüşme raporu"),
                                            ("pl", "Sprawozdanie z rozmowy"), ("uk", "Звіт про розмову"),
                                            ("de", "Gesprächsprotokoll"), ("fr", "Compte rendu de l'entretien"),
                                            ("es", "Informe de la conversación")])
def test_other_languages(language, title, transcript, summary, conversation):
    from transkript_kernel import labels

    html = report.render_html(transcript=transcript, summary=summary, conversation=conversation, language=language)
    lab = labels.labels(language)
    assert f'lang="{language}"' in html and 'dir="ltr"' in html
    import html as htmllib

    text = htmllib.unescape(html)
    for key in ("title", "topics", "concerns", "actions", "corrections", "status_draft", "confidential"):
        assert lab[key] in text, (language, key)
    assert title in text
    assert labels.text(language, "content_not_translated", language=labels.language_name(language, "nl")) in text


def test_unknown_language_is_refused(transcript, summary):
    with pytest.raises(InputError) as err:
        report.render_html(transcript=transcript, summary=summary, language="xx")
    assert "verslagtaal" in err.value.nl


def test_pdf_is_replaced_atomically(tmp_path, transcript, summary):
    out = tmp_path / "v.pdf"
    out.write_bytes(b"old")
    report.render_pdf(out, transcript=transcript, summary=summary)
    assert out.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir()] == ["v.pdf"]  # no temp files left behind
