"""`transkript process` runs the one workflow (`pipeline.process_conversation`: faster-whisper, speakers, summary)
on a stored recording and files the results: transcript revision 0, summary version 1, searchable; the recording
itself is never changed; `--speakers` is honoured."""
import hashlib
import json

import pytest

from casefile_helpers import cli, new_conversation, open_archive
from conftest import excerpt

pytest.importorskip("transkript_kernel.asr")
pytest.importorskip("transkript_kernel.summarize")


@pytest.mark.slow
def test_process_transcribes_and_summarises_into_the_archive(eval_dir, tmp_path, isolated_data):
    src = tmp_path / "gesprek lezen 'groep 5'.m4a"
    excerpt(eval_dir / "audio" / "pub01-lezen-groep5.m4a", src, 60)  # six turns, 18 sentences: enough to prove it
    archive = open_archive()
    conv = new_conversation(archive, pupil="Daan Testkind", language="nl")
    archive.import_recording(conv.id, src)
    stored = archive.recording_path(conv.id)
    digest = hashlib.sha256(archive.read_bytes(stored)).hexdigest()
    archive.close()

    done = cli("process", conv.id, "--speakers", "1", data=isolated_data)  # as a script would run it
    assert done.returncode == 0, done.stderr
    assert "transcribe" in done.stderr and "speakers 100%" in done.stderr and "summarize 100%" in done.stderr

    archive = open_archive()
    original = archive.original_transcript(conv.id)
    assert original.language == "nl" and len(original.segments) > 10
    assert len(original.speakers) == 1  # as asked: a two-person conversation, attributed to one voice
    assert [r["revision"] for r in archive.transcript_revisions(conv.id)] == [0]
    versions = archive.versions(conv.id)
    assert [(v.version, v.role) for v in versions] == [(1, "docent")]
    summary = archive.summary(conv.id)
    assert summary.topics and all(max(t.evidence) < len(original.segments) for t in summary.topics)
    assert conv.id in archive.search("lezen")["id"].tolist()
    assert hashlib.sha256(archive.read_bytes(stored)).hexdigest() == digest == archive.get(conv.id).recording_sha256
    again = cli("process", conv.id, data=isolated_data)  # resumable: nothing is made twice
    assert again.returncode == 0 and len(archive.versions(conv.id)) == 1
    assert json.loads(cli("archive", "show", conv.id, "--json", data=isolated_data).stdout)["transcript_revisions"]
    archive.finalize(conv.id)
    assert not stored.exists() and archive.check() == []
