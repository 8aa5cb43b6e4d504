"""The archive facade: conversations, odd names, unknown ids, imports and duplicates, transcripts, listing."""
import hashlib

import pytest

from casefile_helpers import ODD_NAMES, all_files, fake_audio, new_conversation, open_archive, summary, transcript
from transkript_kernel import pipeline
from transkript_kernel.casefile.archive import Archive
from transkript_kernel.conversation import Participant
from transkript_kernel.errors import (DuplicateError, EmptyAudioError, InputError, NotFoundError,
                                      UnsupportedFormatError)


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_pupil_names_round_trip_and_never_become_paths(name, isolated_data, tmp_path):
    archive = open_archive()
    conv = new_conversation(archive, pupil=name, participants=[Participant(name, "leerling")])
    assert archive.get(conv.id).pupil == name and archive.get(conv.id).participants[0].name == name
    archive.import_recording(conv.id, fake_audio(tmp_path / "in" / f"{name.replace('/', '_')}.wav"))
    for f in all_files(isolated_data):
        assert f.resolve().is_relative_to((isolated_data / "conversations" / conv.id).resolve())
    assert archive.list(pupil=name)["id"].tolist() == [conv.id]
    assert conv.id in archive.search(name)["id"].tolist()
    assert not (tmp_path.parent / "etc").exists()
    assert archive.check() == []


def test_accents_and_case_do_not_matter_when_finding_a_pupil():
    archive = open_archive()
    conv = new_conversation(archive, pupil="Noé Ağaoğlu")
    assert archive.list(pupil="noe agaoglu")["id"].tolist() == [conv.id]
    assert archive.search("AGAOGLU")["id"].tolist() == [conv.id]


@pytest.mark.parametrize("bad", ["20260101-deadbeef", "../../etc", "", "x" * 500, None, 42, "20261005-ZZZZZZZZ"])
def test_unknown_ids_give_a_clear_not_found(bad, tmp_path):
    archive = open_archive()
    new_conversation(archive)
    for call in (lambda: archive.get(bad), lambda: archive.import_recording(bad, fake_audio(tmp_path / "a.wav")),
                 lambda: pipeline.process_conversation(archive, bad), lambda: archive.summary(bad), lambda: archive.transcript(bad),
                 lambda: archive.save_summary(bad, summary(), by="juf", role="docent", reason="x"),
                 lambda: archive.finalize(bad), lambda: archive.withdraw_consent(bad),
                 lambda: archive.conversation_dir(bad),
                 lambda: archive.log("view", bad if bad is not None else "onbekend")):
        with pytest.raises(NotFoundError) as err:
            call()
        assert "bestaat niet" in err.value.nl and "does not exist" in err.value.en


def test_bad_dates_kinds_and_names_are_refused_with_both_languages():
    archive = open_archive()
    for kw in ({"date": "5-10-2026"}, {"kind": "praatje"}, {"pupil": "   "}):
        with pytest.raises(InputError) as err:
            new_conversation(archive, **kw)
        assert err.value.nl != err.value.en
    assert len(archive.list()) == 0


def test_import_copies_hashes_and_refuses_duplicates(tmp_path):
    archive = open_archive()
    a, b = new_conversation(archive), new_conversation(archive, pupil="Fenna Testkind")
    src = fake_audio(tmp_path / "gesprek één.m4a")
    before = src.read_bytes()
    stored = archive.import_recording(a.id, src)
    assert src.read_bytes() == before and archive.read_bytes(stored) == before
    assert archive.get(a.id).recording_sha256 == hashlib.sha256(before).hexdigest()
    assert archive.recording_path(a.id) == stored
    copy = tmp_path / "kopie.m4a"
    copy.write_bytes(before)
    with pytest.raises(DuplicateError, match="SHA-256"):
        archive.import_recording(a.id, copy)
    with pytest.raises(DuplicateError) as err:
        archive.import_recording(b.id, copy)
    assert a.id in err.value.nl
    with pytest.raises(DuplicateError):  # a second, different recording for the same conversation
        archive.import_recording(a.id, fake_audio(tmp_path / "ander.m4a", seed=2))
    assert archive.recording_path(b.id) is None
    assert len([f for f in all_files(archive.data_dir)]) == 1
    assert archive.check() == []


def test_import_refuses_bad_files(tmp_path):
    archive = open_archive()
    conv = new_conversation(archive)
    (tmp_path / "leeg.wav").write_bytes(b"")
    (tmp_path / "tekst.txt").write_text("geen audio")
    with pytest.raises(EmptyAudioError):
        archive.import_recording(conv.id, tmp_path / "leeg.wav")
    with pytest.raises(UnsupportedFormatError):
        archive.import_recording(conv.id, tmp_path / "tekst.txt")
    with pytest.raises(InputError):
        archive.import_recording(conv.id, tmp_path / "bestaat-niet.wav")
    with pytest.raises(InputError):
        archive.import_recording(conv.id, tmp_path)
    assert archive.recording_path(conv.id) is None and all_files(archive.data_dir) == []


def test_original_transcript_is_never_edited():
    archive = open_archive()
    conv = new_conversation(archive)
    original = transcript()
    assert archive.save_transcript(conv.id, original, by="transkript") == 0
    row = archive.transcript_revisions(conv.id)[0]
    first_bytes = (archive.data_dir / row["file"]).read_bytes()
    edited = original.copy()
    edited.segments[0].text = "Daan leest wat langzamer dan zijn klasgenoten."
    assert archive.save_transcript(conv.id, edited, by="Juf Sanne") == 1
    assert archive.original_transcript(conv.id).segments[0].text == "Daan leest langzaam."
    assert archive.transcript(conv.id).segments[0].text.startswith("Daan leest wat langzamer")
    assert (archive.data_dir / row["file"]).read_bytes() == first_bytes
    assert [r["revision"] for r in archive.transcript_revisions(conv.id)] == [0, 1]
    assert archive.search("klasgenoten")["id"].tolist() == [conv.id]
    assert archive.check() == []


def test_list_filters_and_status_flow(tmp_path):
    archive = open_archive()
    early = new_conversation(archive, pupil="Aya Testkind", date="2026-09-01")
    late = new_conversation(archive, pupil="Bram Testkind", date="2026-11-01", kind="oudergesprek")
    assert archive.list()["id"].tolist() == [late.id, early.id]
    assert archive.list(date_from="2026-10-01")["id"].tolist() == [late.id]
    assert archive.list(date_to="2026-10-01")["id"].tolist() == [early.id]
    assert archive.list(kind="oudergesprek")["id"].tolist() == [late.id]
    with pytest.raises(InputError):
        archive.set_status(early.id, "gedeeld")  # nothing to share yet
    archive.save_summary(early.id, summary(), by="Juf Sanne", role="docent", reason="eerste versie")
    assert archive.set_status(early.id, "gedeeld").shared_at
    assert archive.list(status="gedeeld")["id"].tolist() == [early.id]
    with pytest.raises(InputError):
        archive.set_status(early.id, "concept")  # never backwards
    with pytest.raises(InputError):
        archive.list(colour="red")


def test_exports_are_kept_with_the_conversation(tmp_path):
    archive = open_archive()
    conv = new_conversation(archive)
    pdf = tmp_path / "verslag 'Daan'.pdf"
    pdf.write_bytes(b"%PDF-1.4 test")
    stored = archive.add_export(conv.id, pdf)
    assert stored.parent == archive.conversation_dir(conv.id) / "exports" and archive.read_bytes(stored) == pdf.read_bytes()
    inside = archive.conversation_dir(conv.id) / "exports" / "direct.pdf"
    inside.write_bytes(b"%PDF-1.4 direct")
    assert archive.add_export(conv.id, inside) == inside
    assert [e["path"] for e in archive.exports(conv.id)] == [stored, inside]
    assert archive.check() == []


def test_a_second_archive_object_sees_the_same_data():
    a = open_archive()
    conv = new_conversation(a)
    b = Archive()
    assert b.get(conv.id).pupil == conv.pupil
