"""The mail to the family (issue 16, item 4): the .eml draft in the family's language with the PDF attached,
and a subject without the pupil's full name."""
from __future__ import annotations

import email
import email.policy
import subprocess

import pytest

from transkript_kernel import cli, labels, mail
from transkript_kernel.casefile import consent
from transkript_kernel.casefile.archive import Archive
from transkript_kernel.conversation import Participant
from transkript_kernel.summary import Action, Summary, Topic
from transkript_kernel.transcript import Segment, Speaker, Transcript


@pytest.fixture
def conversation_id():
    archive = Archive()
    conv = archive.create(pupil="Filmon Tesfay Gebre", date="2026-03-12", kind="oudergesprek", group="4",
                          participants=[Participant("Juf Petra", "docent"), Participant("Meneer Tesfay", "ouder")],
                          consent=consent.record(True, "ouder", how="mondeling"))
    segs = [Segment(0, 0.0, 4.0, "Filmon leert snel Nederlands.", "S0"),
            Segment(1, 5.0, 9.0, "Thuis lezen we samen.", "S1")]
    archive.save_transcript(conv.id, Transcript("nl", 10.0, segs, {"S0": Speaker("Juf Petra", "docent"),
                                                                    "S1": Speaker("Meneer Tesfay", "ouder")}), by="t")
    archive.save_summary(conv.id, Summary("nl", "handmatig", topics=[Topic("Nederlands leren", [0])],
                                          actions=[Action("Samen lezen", "ouder", "elke avond", [1])]),
                         by="juf", role="docent", reason="eerste versie")
    archive.close()
    return conv.id


def test_subject_names_the_pupil_by_first_name_or_initials():
    assert mail.subject_name("Filmon Tesfay Gebre") == "Filmon"
    assert mail.subject_name("J. de Vries") == "J.d.V."
    assert mail.subject_name("") == ""
    assert mail.subject_name("de Vries, Sanne Marie") == "Sanne"  # surname first, as an administration writes it
    assert mail.subject_name("Sanne-Fleur van den Berg") == "Sanne-Fleur"


@pytest.mark.parametrize("lang", ["ti", "fa", "zh", "so", "pap"])
def test_draft_in_the_family_language_with_the_pdf(lang, tmp_path, conversation_id):
    out = tmp_path / f"{lang}.eml"
    assert cli.main(["mail", conversation_id, "-o", str(out), "--language", lang]) == 0
    msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    subject = msg["Subject"]
    assert "Filmon" in subject and "Tesfay" not in subject and "Gebre" not in subject
    headers = " ".join(f"{k}: {v}" for k, v in msg.items())
    assert "Gebre" not in headers  # no other header names the pupil either
    assert labels.format_date(lang, "2026-03-12") in subject
    body = msg.get_body(("plain",))
    assert body["Content-Language"] == lang
    assert body.get_content().startswith(labels.labels(lang)["mail_body"].split("\n")[0])
    (att,) = list(msg.iter_attachments())
    assert "Filmon" not in att.get_filename() and "Gebre" not in msg.get_body(("plain",)).get_content()
    pdf = tmp_path / "att.pdf"
    pdf.write_bytes(att.get_content())
    text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                                  text=True).stdout.split())
    assert "FilmonTesfayGebre" in text  # the report itself names the pupil in full
    if lang not in labels.RTL_LANGUAGES:
        assert "".join(labels.labels(lang)["title"].split()) in text
