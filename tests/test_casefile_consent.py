"""Consent comes first: forbidden kinds, refusal, the pupil's view, withdrawal that deletes at once."""
import json

import pytest

from casefile_helpers import all_files, fake_audio, new_conversation, open_archive, summary, transcript
from transkript_kernel import pipeline
from transkript_kernel.casefile import consent
from transkript_kernel.errors import ConsentError, ConsentRefusedError, ForbiddenKindError
from transkript_kernel.settings import save_config


def test_rules_are_a_data_file_with_every_required_kind():
    rules = consent.rules()
    ids = set(consent.FORBIDDEN_KINDS)
    assert ids == {r["id"] for r in rules["forbidden"]}
    for needle in ("mishandeling", "veilig", "klacht", "disciplinair", "directie", "juridisch"):
        assert any(needle in i for i in ids), needle
    assert rules["pupil_view_from_age"] == 12


@pytest.mark.parametrize("kind", [*consent.FORBIDDEN_KINDS, "Veilig Thuis", "KLACHTPROCEDURE", "incident_onderzoek",
                                  "Vermoeden van verwaarlozing"])
def test_forbidden_kinds_are_refused_with_reason_and_advice(kind):
    archive = open_archive()
    with pytest.raises(ForbiddenKindError) as err:
        new_conversation(archive, kind=kind)
    assert "schriftelijke aantekeningen" in err.value.nl and "written notes" in err.value.en
    assert err.value.rule in consent.FORBIDDEN_KINDS
    assert len(archive.list()) == 0  # nothing stored
    log = archive.audit_log()
    assert log["event"].tolist() == ["refused"] and log["conversation_id"].isna().all()


@pytest.mark.parametrize("circumstance", ["juridische-gevolgen", "directie zegt nee", "leadership said no"])
def test_forbidden_circumstances_refuse_an_allowed_kind(circumstance):
    archive = open_archive()
    with pytest.raises(ForbiddenKindError):
        new_conversation(archive, kind="oudergesprek", circumstances=[circumstance])


def test_school_leadership_can_forbid_more_kinds(isolated_data):
    save_config({"ConsentPolicy": {"extra_forbidden": ["zorggesprek"]}}, isolated_data)
    archive = open_archive()
    with pytest.raises(ForbiddenKindError) as err:
        new_conversation(archive, kind="zorggesprek")
    assert "schoolleiding" in err.value.nl
    new_conversation(archive, kind="oudergesprek")


def test_consent_record_keeps_who_when_how_purpose_and_notice():
    archive = open_archive()
    conv = new_conversation(archive)
    c = archive.get(conv.id).consent
    assert (c.given, c.by, c.how, c.name) == (True, "ouder", "schriftelijk", "Moeder Testkind")
    assert c.at and c.purpose and "verwijderd" in c.retention_notice
    assert consent.check("tienminutengesprek", c).recording_allowed


def test_refusal_stores_notes_but_no_recording_and_no_processing(tmp_path):
    archive = open_archive()
    conv = new_conversation(archive, given=False, notes="Afspraak: extra leesoefening thuis.")
    assert archive.get(conv.id).notes.startswith("Afspraak")
    for call in (lambda: archive.import_recording(conv.id, fake_audio(tmp_path / "a.wav")),
                 lambda: pipeline.import_recording(archive, conv.id, fake_audio(tmp_path / "b.wav", seed=1)),
                 lambda: pipeline.process_conversation(archive, conv.id)):
        with pytest.raises(ConsentRefusedError) as err:
            call()
        assert "niet toegestaan" in err.value.nl
    assert all_files(archive.data_dir) == []
    assert archive.list()["consent"].tolist() == ["refused"]
    assert archive.search("leesoefening")["id"].tolist() == [conv.id]


def test_pupil_of_twelve_or_older_is_asked_too(tmp_path):
    archive = open_archive()
    with pytest.raises(ConsentError, match="pupil"):
        new_conversation(archive, age_band="12-16")  # parent said yes, pupil not asked
    assert len(archive.list()) == 0
    record = consent.record(True, "ouder", pupil_view="refused")
    conv = archive.create(pupil="Sem Testkind", date="2026-10-05", kind="mentorgesprek", age_band="12-16",
                          consent=record)
    with pytest.raises(ConsentRefusedError, match="pupil"):
        archive.import_recording(conv.id, fake_audio(tmp_path / "a.wav"))
    ok = archive.create(pupil="Lot Testkind", date="2026-10-05", kind="mentorgesprek", age_band="12-16",
                        consent=consent.record(True, "ouder", pupil_view="given"))
    archive.import_recording(ok.id, fake_audio(tmp_path / "b.wav", seed=1))
    younger = new_conversation(archive, age_band="8-12")  # not asked below 12
    assert younger.consent.pupil_view is None


def _processed(archive, tmp_path, seed=0):
    conv = new_conversation(archive, notes="Aantekening blijft.")
    archive.import_recording(conv.id, fake_audio(tmp_path / f"a{seed}.wav", seed=seed))
    archive.save_transcript(conv.id, transcript("Woord zebrapad komt voor. Tweede zin."), by="transkript")
    archive.save_summary(conv.id, summary(topic="Onderwerp krokodil"), by="Juf Sanne", role="docent",
                         reason="eerste versie")
    pdf = tmp_path / f"v{seed}.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    archive.add_export(conv.id, pdf)
    return conv


def test_withdrawal_deletes_recording_and_everything_not_final(tmp_path):
    archive = open_archive()
    conv = _processed(archive, tmp_path)
    keep = _processed(archive, tmp_path, seed=1)  # another conversation is not touched
    before_other = [f for f in all_files(archive.data_dir) if keep.id in str(f)]
    deleted = archive.withdraw_consent(conv.id)
    assert set(deleted) == {"recording", "transcripts", "summaries", "exports"}
    assert [f for f in all_files(archive.data_dir) if conv.id in str(f)] == []
    assert [f for f in all_files(archive.data_dir) if keep.id in str(f)] == before_other
    again = archive.get(conv.id)
    assert again.consent.withdrawn_at and again.recording is None and again.notes == "Aantekening blijft."
    assert archive.transcript(conv.id) is None and archive.summary(conv.id) is None
    assert archive.search("zebrapad")["id"].tolist() == [keep.id]  # index entries gone too
    assert archive.search("krokodil")["id"].tolist() == [keep.id]
    with pytest.raises(ConsentRefusedError):
        archive.import_recording(conv.id, fake_audio(tmp_path / "n.wav", seed=9))
    assert archive.check() == []


def test_withdrawal_after_final_keeps_the_definitive_report(tmp_path):
    archive = open_archive()
    conv = _processed(archive, tmp_path)
    archive.finalize(conv.id)
    deleted = archive.withdraw_consent(conv.id)
    assert "summaries" not in deleted and "transcripts" in deleted
    assert archive.summary(conv.id).topics[0].text == "Onderwerp krokodil"
    assert len(archive.exports(conv.id)) == 1 and archive.transcript(conv.id) is None
    assert archive.recording_path(conv.id) is None
    assert archive.search("zebrapad").empty and archive.check() == []
    assert json.dumps(archive.consents(conv.id)[0].__dict__)  # still documented


def test_a_later_answer_is_a_new_record_and_the_old_one_stays(tmp_path):
    archive = open_archive()
    conv = new_conversation(archive, given=False)
    archive.set_notes(conv.id, "Handgeschreven: afspraak over huiswerk.")
    archive.record_consent(conv.id, consent.record(True, "ouder", how="schriftelijk"))
    archive.import_recording(conv.id, fake_audio(tmp_path / "later.wav"))
    history = archive.consents(conv.id)
    assert [c.given for c in history] == [False, True]
    assert archive.search("huiswerk")["id"].tolist() == [conv.id]
    assert list(archive.audit_log(conv.id)["event"]).count("consent") == 2
