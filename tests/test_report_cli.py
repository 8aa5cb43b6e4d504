"""`transkript report ID|TRANSCRIPT.json --pdf OUT.pdf`: from a transcript file or from the case file."""
from __future__ import annotations

import subprocess

from conftest import reference_transcript

from transkript_kernel import cli
from transkript_kernel.casefile import consent
from transkript_kernel.casefile.archive import Archive
from transkript_kernel.conversation import Participant
from transkript_kernel.summary import Action, Summary, Topic
from transkript_kernel.transcript import Transcript


def text_of(pdf) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())


def test_report_from_transcript_file(tmp_path):
    ref = reference_transcript("pub03-schooladvies-groep8", tmp_path)
    summary = tmp_path / "s.json"
    Summary("nl", "handmatig", topics=[Topic("Het schooladvies voor het voortgezet onderwijs", [2])],
            actions=[Action("Open dagen bezoeken", "ouder", "in januari", [5])]).save(summary)
    out = tmp_path / "uit map" / "verslag 'Zoë' \"v1\".pdf"
    assert cli.main(["report", str(ref), "--pdf", str(out), "--summary", str(summary), "--language", "en",
                     "--with-transcript", "--school", "OBS De Regenboog"]) == 0
    text = text_of(out)
    assert "Report of the conversation" in text and "OBS De Regenboog" in text
    assert "Open dagen bezoeken" in text and "in januari" in text and "parent" in text
    assert "Full transcript" in text and "has not been translated" in text
    first_words = " ".join(Transcript.load(ref).segments[0].text.split()[:5])
    assert first_words in text


def test_report_summarises_when_no_summary_is_given(tmp_path):
    ref = reference_transcript("pub01-lezen-groep5", tmp_path)
    out = tmp_path / "v.pdf"
    assert cli.main(["report", str(ref), "--pdf", str(out)]) == 0
    assert "Besproken onderwerpen" in text_of(out)


def test_report_from_the_case_file(tmp_path, capsys):
    archive = Archive()
    conv = archive.create(pupil="Noé Bakker", date="2026-04-02", kind="voortgangsgesprek", group="6",
                          participants=[Participant("Juf Eline", "docent")],
                          consent=consent.record(True, "ouder", how="mondeling"))
    archive.save_transcript(conv.id, Transcript.load(reference_transcript("pub01-lezen-groep5", tmp_path)), by="t")
    s = Summary("nl", "handmatig", topics=[Topic("Rekenen gaat goed", [8])])
    archive.save_summary(conv.id, s, by="juf", role="docent", reason="eerste versie")
    s.topics.append(Topic("Samen lezen thuis", [6]))
    archive.save_summary(conv.id, s, by="juf", role="docent", reason="correctie na reactie ouder")
    archive.close()
    out = tmp_path / "v.pdf"
    assert cli.main(["report", conv.id, "--pdf", str(out)]) == 0
    text = text_of(out)
    assert "Noé Bakker" in text and "voortgangsgesprek" in text and "Versie 2" in text
    assert "Samen lezen thuis" in text and "Juf Eline (docent)" in text
    assert [e["kind"] for e in Archive().exports(conv.id)] == ["pdf"]


def test_report_errors_are_clear(tmp_path, capsys):
    code = cli.main(["report", str(tmp_path / "bestaat niet.json"), "--pdf", str(tmp_path / "v.pdf")])
    err = capsys.readouterr().err
    assert code == 2 and "fout / error: Transcript 'bestaat niet.json' bestaat niet." in err
    bad = tmp_path / "x.json"
    bad.write_text('{"schema": "iets anders"}', encoding="utf-8")
    assert cli.main(["report", str(bad), "--pdf", str(tmp_path / "v.pdf")]) == 2
    assert "geen Transkript-transcript" in capsys.readouterr().err
    ref = reference_transcript("pub01-lezen-groep5", tmp_path)
    assert cli.main(["report", str(ref), "--pdf", str(tmp_path / "v.pdf"), "--language", "klingon"]) == 2
    assert "Onbekende verslagtaal" in capsys.readouterr().err
    assert not (tmp_path / "v.pdf").exists()
