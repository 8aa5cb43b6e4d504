"""`transkript mail ID -o FILE.eml`: an RFC 5322 draft with the report attached; nothing is sent."""
from __future__ import annotations

import email
import email.policy
import subprocess

import pytest
from conftest import reference_transcript

from transkript_kernel import cli, mail
from transkript_kernel.casefile import consent
from transkript_kernel.casefile.archive import Archive
from transkript_kernel.conversation import Participant
from transkript_kernel.errors import InputError
from transkript_kernel.summary import Action, Concern, Summary, Topic
from transkript_kernel.transcript import Transcript


@pytest.fixture
def conversation_id(tmp_path):
    archive = Archive()
    conv = archive.create(pupil="Chloë Jansen", date="2026-02-03", kind="oudergesprek", group="7a",
                          participants=[Participant("Meester Rüdiger", "docent"), Participant("Inés Jansen", "ouder")],
                          consent=consent.record(True, "ouder", how="schriftelijk"))
    transcript = Transcript.load(reference_transcript("pub02-gedrag-groep7", tmp_path))
    archive.save_transcript(conv.id, transcript, by="test")
    summary = Summary("nl", "handmatig", topics=[Topic("Gedrag in de pauze", [1])],
                      concerns=[Concern("Ruzies op het plein", "docent", [2])],
                      actions=[Action("Gesprek met de intern begeleider plannen", "school", "over twee weken", [3])])
    archive.save_summary(conv.id, summary, by="juf", role="docent", reason="eerste versie")
    archive.close()
    return conv.id


def parse(path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def pdf_text(data: bytes, tmp_path) -> str:
    pdf = tmp_path / "attached.pdf"
    pdf.write_bytes(data)
    return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def test_mail_command_writes_a_dutch_draft_with_the_report(tmp_path, conversation_id, capsys):
    out = tmp_path / "concept mail.eml"
    assert cli.main(["mail", conversation_id, "-o", str(out), "--to", "ouders@example.org",
                     "--school", "Basisschool Het Anker"]) == 0
    assert "niet verstuurd" in capsys.readouterr().out
    msg = parse(out)
    # RFC 5322 essentials, and marked as a draft for the mail client
    for header in ("From", "Date", "Message-ID", "Subject"):
        assert msg[header], header
    assert msg["To"] == "ouders@example.org"
    assert msg["X-Unsent"] == "1"
    assert msg["Subject"] == "Verslag van het gesprek over Chloë (3 februari 2026)"  # first name only
    body = msg.get_body(("plain",)).get_content()
    assert "Klopt er iets niet, of mist er iets" in body and "3 februari 2026" in body
    assert body.rstrip().endswith("Basisschool Het Anker")
    (att,) = list(msg.iter_attachments())
    assert att.get_content_type() == "application/pdf"
    assert att.get_filename() == "verslag-2026-02-03.pdf"
    data = att.get_content()
    assert data.startswith(b"%PDF")
    text = " ".join(pdf_text(data, tmp_path).split())
    assert "Chloë Jansen" in text and "Gesprek met de intern begeleider plannen" in text
    assert "Versie 1" in text
    # the PDF is kept with the conversation as an export
    archive = Archive()
    assert [e["kind"] for e in archive.exports(conversation_id)] == ["pdf"]


def test_mail_in_the_report_language(tmp_path, conversation_id):
    out = tmp_path / "en.eml"
    assert cli.main(["mail", conversation_id, "-o", str(out), "--language", "en"]) == 0
    msg = parse(out)
    assert msg["Subject"] == "Report of the conversation about Chloë (3 February 2026)"
    assert "If anything is wrong or missing" in msg.get_body(("plain",)).get_content()
    assert mail.DEFAULT_SENDER in msg["From"]  # placeholder sender: the teacher's client fills in their own
    assert msg.get_body(("plain",))["Content-Language"] == "en"


def test_bad_address_and_missing_pdf_are_clear(tmp_path, conversation_id, capsys):
    pdf = tmp_path / "x.pdf"
    with pytest.raises(InputError) as err:
        mail.write_draft(tmp_path / "a.eml", pdf=pdf)
    assert "Kan het verslag x.pdf niet lezen" in err.value.nl
    pdf.write_bytes(b"%PDF-1.7 fake")
    with pytest.raises(InputError) as err:
        mail.write_draft(tmp_path / "a.eml", pdf=pdf, to="ouders@@example")
    assert "geen geldig e-mailadres" in err.value.nl
    assert not (tmp_path / "a.eml").exists()
    code = cli.main(["mail", "20260203-nonexist", "-o", str(tmp_path / "b.eml")])
    assert code != 0 and "fout / error" in capsys.readouterr().err
    assert not (tmp_path / "b.eml").exists()
