"""A batch after a withdrawal (issue 11 item 6, issue 12): results.csv names no pupil and no recording file, so once
the parents withdraw, nothing in OUT_DIR names the pupil; and a rerun with a manifest that still says 'given' does
not file the withdrawn recording again. Cheap: a one-second tone and a stub notebook in place of the real one
(transcription is not what is tested; the batch's own bookkeeping is)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from casefile_helpers import fake_audio, new_conversation, open_archive
from conftest import ffmpeg
from transkript_kernel import batch, cli
from transkript_kernel.casefile.archive import Archive
from transkript_kernel.errors import ConsentRefusedError

HEADER = "file,pupil,group,kind,date,language,consent,age_band\n"
# every name the batch is given, in the manifest or as a file name: none may outlive the withdrawal in OUT_DIR
NAMES = ("Daan Testkind", "Sem Bakker", "opname-sem", "Lotte Visser", "Noor Jansen")

STUB_BODY = """
import os
from pathlib import Path
from transkript_kernel.casefile.archive import Archive

with Archive() as archive:
    pupil = archive.get(conversation_id).pupil
    print("verslag over", pupil)  # the executed notebook names the pupil, as the real one's outputs do
    os.write(2, f"log van {pupil}\\n".encode())  # and so does the file's log
    pdf = Path(output_dir) / f"{output_name}.pdf"
    pdf.write_text(f"Verslag over {pupil}", encoding="utf-8")
    archive.register_copy(conversation_id, pdf, kind="pdf")  # as pipeline.export_report does with out=
"""


def stub_notebook(path: Path) -> Path:
    """A notebook with the real one's parameters cell (batch.NotebookParams) that leaves what the real one leaves
    in OUT_DIR, names included, in a second instead of a transcription's minutes."""
    import nbformat

    params = "\n".join(f"{name} = {getattr(batch.NotebookParams(), name)!r}" for name in batch.NotebookParams.names())
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_code_cell(STUB_BODY)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def read_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def named_in(out: Path) -> dict[str, list[str]]:
    """Each file in OUT_DIR whose name or content names a pupil or a recording file, with the names found."""
    found = {}
    for p in out.rglob("*"):
        if p.is_file():
            text = str(p.relative_to(out)) + p.read_bytes().decode("utf-8", "replace")
            hits = [n for n in NAMES if n in text or n.replace(" ", "_") in text]
            if hits:
                found[str(p.relative_to(out))] = hits
    return found


def test_after_a_withdrawal_out_dir_names_nobody_and_a_rerun_refuses_the_recording(tmp_path, capsys):
    src = tmp_path / "avond"
    src.mkdir()
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", src / "Daan Testkind.m4a")
    (src / "opname-sem.m4a").write_text("geen opname\n" * 100, encoding="utf-8")  # refused at import
    (src / "Lotte Visser.m4a").write_bytes(b"x" * 100)  # no consent
    (src / "Noor Jansen.m4a").write_bytes(b"x" * 100)  # not in the manifest
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(HEADER + "Daan Testkind.m4a,Daan Testkind,5,oudergesprek,2026-03-12,nl,given,8-12\n"
                        "opname-sem.m4a,Sem Bakker,5,oudergesprek,2026-03-12,nl,given,8-12\n"
                        "Lotte Visser.m4a,Lotte Visser,5,oudergesprek,2026-03-12,nl,refused,8-12\n", encoding="utf-8")
    out = tmp_path / "uit"
    report = batch.run(src, out, manifest=manifest, notebook=stub_notebook(tmp_path / "stub.ipynb"), progress=False)
    assert report.count("done") == 1, [r.message for r in report.results]

    rows = read_rows(out / "results.csv")
    assert list(rows[0]) == list(batch.RESULT_COLUMNS)
    # the coordinator's manifest rows (header = row 1) and the folder's numbers (sorted by name) say which file
    by_row = {(r["manifest_row"], r["folder_nr"]): r for r in rows}
    assert {k: r["status"] for k, r in by_row.items()} == {
        ("2", "1"): "done", ("3", "4"): "failed", ("4", "2"): "skipped", ("", "3"): "skipped"}
    failure = by_row["3", "4"]["message"]
    assert "geen leesbare opname" in failure and "[…]" in failure  # still says why, without the file's name
    cid = by_row["2", "1"]["conversation"]
    assert named_in(out).keys() - {"results.csv"}  # the conversation's copies name the pupil (the stub's proof)
    assert "results.csv" not in named_in(out)

    with Archive() as archive:
        archive.withdraw_consent(cid)
    assert named_in(out) == {}  # no file in OUT_DIR names a pupil or a recording now

    code = cli.main(["batch", str(src), "--out", str(out), "--manifest", str(manifest), "--no-progress"])
    terminal = capsys.readouterr().out
    assert code == 1  # the corrupt file failed again; the withdrawn one is refused, not failed
    again = {(r["manifest_row"], r["folder_nr"]): r for r in read_rows(out / "results.csv")}
    assert again["2", "1"]["status"] == "skipped" and again["2", "1"]["conversation"] == ""
    assert again["2", "1"]["message"] == " / ".join(batch.WITHDRAWN)
    assert "toestemming voor deze opname ingetrokken" in terminal and "withdrew their consent" in terminal
    assert "[manifest_row 2, folder_nr 1] Daan Testkind.m4a" in terminal  # names on the terminal only
    with Archive() as archive:
        assert archive.ids() == [cid]  # not filed again
        assert archive.get(cid).recording is None and archive.transcript(cid) is None
    assert named_in(out) == {}


def test_a_withdrawal_after_retention_deleted_the_recording_still_refuses_it(tmp_path):
    """The usual order: the report is shared, retention deletes the recording, then the parents withdraw, and
    later the conversation itself is deleted. The case file still knows the recording by its hash alone."""
    archive = open_archive()
    conv = new_conversation(archive)
    audio = fake_audio(tmp_path / "in" / "gesprek.wav", seed=7)
    archive.import_recording(conv.id, audio)
    sha = batch.sha256_file(audio)
    assert not archive.recording_withdrawn(sha)
    assert archive.delete_recording(conv.id)
    archive.withdraw_consent(conv.id)
    archive.delete_conversation(conv.id)
    assert archive.ids() == [] and archive.recording_withdrawn(sha)
    assert not archive.recording_withdrawn(batch.sha256_file(fake_audio(tmp_path / "in" / "ander.wav", seed=8)))
    item = batch.BatchItem(file=audio.resolve(), name="gesprek", pupil="Daan Testkind", consent="given",
                           age_band="8-12", date="2026-03-12")
    with pytest.raises(ConsentRefusedError) as refused:
        batch.file_conversation(archive, item)
    assert refused.value.nl == batch.WITHDRAWN[0] and refused.value.en == batch.WITHDRAWN[1]
    assert archive.ids() == []  # refused before a conversation was made
    kept = [dict(r) for r in archive.store.rows("SELECT * FROM withdrawn_recordings")]
    assert [set(r) for r in kept] == [{"sha256", "at"}] and kept[0]["sha256"] == sha  # no name, no conversation
    archive.close()
