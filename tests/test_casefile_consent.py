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


# --- issue 11, item 7: the gate has no holes -------------------------------------------------------------------
@pytest.mark.parametrize("kind, circumstances", [
    ("Veilig Thuis melding", []), ("disciplinair gesprek", []), ("oudergesprek", ["Veilig Thuis melding"]),
    ("oudergesprek", ["disciplinair gesprek"]), ("oudergesprek", ["gesprek na een incident op het plein"]),
    ("oudergesprek", ["mogelijk juridische gevolgen!"]), ("zorggesprek", ["Vermoeden: kinder-mishandeling"]),
    ("oudergesprek", ["directie"]), ("oudergesprek", ["VeiligThuis"]), ("klachtgesprek met ouders", []),
])
def test_forbidden_words_anywhere_in_kind_or_circumstances_are_refused(kind, circumstances):
    archive = open_archive()
    with pytest.raises(ForbiddenKindError) as err:
        new_conversation(archive, kind=kind, circumstances=circumstances)
    assert "schriftelijke aantekeningen" in err.value.nl and "written notes" in err.value.en
    assert len(archive.list()) == 0


@pytest.mark.parametrize("circumstance", [
    "directie aanwezig", "leadership present", "klachten over buikpijn", "gesprek met de directeur",
    "tolk aanwezig", "veilig op school", "thuis gaat het goed", "incidenteel te laat", "vader belt in",
    "mentor en intern begeleider",
])
def test_harmless_phrases_are_still_allowed(circumstance):
    assert consent.forbidden_rule(circumstance) is None
    archive = open_archive()
    conv = new_conversation(archive, kind="oudergesprek", circumstances=[circumstance])
    assert archive.get(conv.id).consent.allows_recording


def test_only_known_kinds_pass_the_gate():
    from transkript_kernel.errors import InputError

    assert consent.check_kind("Tienminutengesprek") == "tienminutengesprek"
    for kind in ("feestje", "", "oudergesprek; DROP TABLE", "x" * 10_000):
        with pytest.raises(InputError) as err:
            consent.check(kind, consent.record(True, "ouder"))
        assert "Onbekend soort gesprek" in err.value.nl and len(err.value.nl) < 400


def test_a_detected_sensitive_subject_marks_the_conversation_sensitive():
    from transkript_kernel.casefile import retention
    from transkript_kernel.summary import Warning

    archive = open_archive()
    conv = new_conversation(archive, kind="oudergesprek")
    archive.save_summary(conv.id, summary(), by="docent", role="docent", reason="eerste versie")
    assert not archive.get(conv.id).sensitive  # the control: no warning, no mark
    flagged = summary()
    flagged.warnings.append(Warning("sensitive", "Gevoelig onderwerp genoemd ('Veilig Thuis', segment 3).", [3]))
    archive.save_summary(conv.id, flagged, by="docent", role="docent", reason="correctie")
    after = archive.get(conv.id)
    assert after.sensitive
    assert "sensitive" in archive.audit_log(conv.id)["event"].tolist()
    from dataclasses import replace

    pol = retention.RetentionPolicy()
    assert retention.keep_until(after, pol) < retention.keep_until(replace(after, sensitive=False), pol)


def test_the_report_prints_consent_only_from_the_record():
    """Batch PDFs go through the case file: the consent statement comes from the stored record, and a
    coordinator's statement is printed as that, never as the parents' own answer."""
    from transkript_kernel import labels, report
    from transkript_kernel.conversation import Conversation

    lab = labels.labels("nl")
    conv = Conversation(id="x", pupil="Daan", date="2026-03-12")
    assert report._consent(conv, "nl", lab)["ok"] is False  # no record: nothing claims consent
    conv.consent = consent.coordinator_statement()
    stated = report._consent(conv, "nl", lab)
    assert stated["ok"] and any("coordinator" in str(v).lower() or "coördinator" in str(v).lower()
                                for _, v in stated["details"])


HEADER = "file,pupil,group,kind,date,language,consent,age_band,pupil_view\n"


def _batch_dir(tmp_path, names):
    src = tmp_path / "in"
    src.mkdir()
    for name in names:
        (src / name).write_bytes(b"x")
    return src


def test_batch_manifest_needs_an_age_band_column(tmp_path):
    from transkript_kernel import batch
    from transkript_kernel.errors import InputError

    src = _batch_dir(tmp_path, ["a.m4a"])
    old = tmp_path / "old.csv"
    old.write_text("file,pupil,group,kind,date,language,consent\na.m4a,Ava,5,oudergesprek,2026-03-01,nl,given\n",
                   encoding="utf-8")
    with pytest.raises(InputError) as err:
        batch.plan(src, manifest=old)
    assert "age_band" in err.value.nl and "age_band" in err.value.en


def test_batch_manifest_rows_pass_the_same_gate_as_the_app(tmp_path):
    from transkript_kernel import batch

    names = ["jong.m4a", "ouder.m4a", "ouder-ja.m4a", "ouder-nee.m4a", "vt.m4a", "feest.m4a", "geen-leeftijd.m4a",
             "klacht.m4a"]
    src = _batch_dir(tmp_path, names)
    manifest = tmp_path / "m.csv"
    manifest.write_text(HEADER +
                        "jong.m4a,Ava,5,oudergesprek,2026-03-01,nl,given,8-12,\n"
                        "ouder.m4a,Bo,1b,mentorgesprek,2026-03-01,nl,given,12-16,\n"
                        "ouder-ja.m4a,Cas,1b,mentorgesprek,2026-03-01,nl,given,12-16,given\n"
                        "ouder-nee.m4a,Dex,1b,mentorgesprek,2026-03-01,nl,given,12-16,refused\n"
                        "vt.m4a,Eva,5,Veilig Thuis melding,2026-03-01,nl,given,8-12,\n"
                        "feest.m4a,Fee,5,verjaardag,2026-03-01,nl,given,8-12,\n"
                        "geen-leeftijd.m4a,Gijs,5,oudergesprek,2026-03-01,nl,given,,\n"
                        "klacht.m4a,Hugo,5,Oudergesprek over klacht,2026-03-01,nl,given,8-12,\n", encoding="utf-8")
    items = {it.file.name: it for it in batch.plan(src, manifest=manifest)}
    assert items["jong.m4a"].skip_reason is None
    assert items["ouder-ja.m4a"].skip_reason is None and items["ouder-ja.m4a"].pupil_view == "given"
    assert "leerling" in items["ouder.m4a"].skip_reason[0] and "pupil" in items["ouder.m4a"].skip_reason[1]
    assert "leerling" in items["ouder-nee.m4a"].skip_reason[0]
    assert "Veilig Thuis" in items["vt.m4a"].skip_reason[0]
    assert "Onbekend soort gesprek" in items["feest.m4a"].skip_reason[0]
    assert "age_band" in items["geen-leeftijd.m4a"].skip_reason[0]
    assert "klacht" in items["klacht.m4a"].skip_reason[0].lower()


def test_batch_stores_the_rows_age_band_and_pupil_view(tmp_path):
    from transkript_kernel import batch

    src = tmp_path / "in"
    src.mkdir()
    from conftest import ffmpeg

    audio = src / "ouder-ja.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=3", audio)
    manifest = tmp_path / "m.csv"
    manifest.write_text(HEADER + f"{audio.name},Cas,1b,mentorgesprek,2026-03-01,nl,given,12-16,given\n",
                        encoding="utf-8")
    [item] = batch.plan(src, manifest=manifest)
    archive = open_archive()
    cid = batch.file_conversation(archive, item)
    conv = archive.get(cid)
    assert conv.age_band == "12-16" and conv.consent.pupil_view == "given" and conv.consent.how == "schriftelijk"


def test_without_a_manifest_links_out_of_the_folder_are_refused(tmp_path):
    from transkript_kernel import batch

    src = _batch_dir(tmp_path, ["eigen.m4a"])
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    (elsewhere / "geheim.m4a").write_bytes(b"x")
    (src / "link-naar-buiten.m4a").symlink_to(elsewhere / "geheim.m4a")
    (src / "link-binnen.m4a").symlink_to(src / "eigen.m4a")
    items = batch.plan(src, consent="given")
    by_name = {it.name: it for it in items}
    outside = [it for it in items if it.file == (elsewhere / "geheim.m4a").resolve()]
    assert len(outside) == 1 and "buiten de invoermap" in outside[0].skip_reason[0]
    assert "outside the input folder" in outside[0].skip_reason[1]
    assert all(it.skip_reason is None for it in items if it.file.parent == src.resolve())
    assert len(by_name) == 3


def test_a_withdrawn_recording_is_refused_in_any_new_conversation(tmp_path):
    """The app's upload and `import` go through Archive.import_recording: after a withdrawal the same recording
    (same SHA-256) is not taken in again, not even into a fresh conversation with consent given."""
    archive = open_archive()
    source = fake_audio(tmp_path / "opname.wav", seed=7)
    first = new_conversation(archive)
    archive.import_recording(first.id, source)
    archive.withdraw_consent(first.id)
    second = new_conversation(archive)
    with pytest.raises(ConsentRefusedError):
        archive.import_recording(second.id, source)
    assert archive.get(second.id).recording is None
    assert [f for f in all_files(archive.data_dir) if second.id in str(f)] == []
    other = fake_audio(tmp_path / "andere.wav", seed=8)  # another recording is still welcome
    archive.import_recording(second.id, other)
    assert archive.check() == []
