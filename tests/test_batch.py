"""`transkript batch`: each recording through the case file and papermill, consent first, one failure does not stop
the rest, resumable."""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import excerpt
from transkript_kernel import batch, cli
from transkript_kernel.errors import ConsentError, InputError

ROOT = Path(__file__).resolve().parent.parent
MANIFEST_HEADER = "file,pupil,group,kind,date,language,consent,age_band\n"


def read_results(path: Path, manifest: Path) -> dict[str, dict]:
    """results.csv by file name, through the manifest's rows (header = row 1): the list itself names no file."""
    with open(manifest, encoding="utf-8") as fh:
        files = {str(n): row["file"] for n, row in enumerate(csv.DictReader(fh), 2)}
    with open(path, encoding="utf-8") as fh:
        return {files[row["manifest_row"]]: row for row in csv.DictReader(fh)}


def test_refuses_to_start_without_manifest_or_consent(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.m4a").write_bytes(b"x")
    code = cli.main(["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == ConsentError.exit_code
    assert "De batch start niet" in err and "--consent given" in err
    assert not (tmp_path / "out").exists()  # nothing was started


def test_manifest_is_checked_before_anything_runs(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("één.m4a", "twee.wav", "niet in manifest.m4a"):
        (src / name).write_bytes(b"x")
    (tmp_path / "geheim.m4a").write_bytes(b"x")
    manifest = tmp_path / "m.csv"
    manifest.write_text(MANIFEST_HEADER + "één.m4a,Ava,5,oudergesprek,2026-03-01,nl,given,8-12\n"
                        "twee.wav,Bo,5,oudergesprek,2026-03-01,nl,refused,8-12\n"
                        "../geheim.m4a,Cas,5,oudergesprek,2026-03-01,nl,given,8-12\n", encoding="utf-8")
    items = {it.file.name: it for it in batch.plan(src, manifest=manifest)}
    assert items["één.m4a"].skip_reason is None and items["één.m4a"].pupil == "Ava"
    assert "Geen toestemming" in items["twee.wav"].skip_reason[0]
    assert "buiten de invoermap" in items["geheim.m4a"].skip_reason[0]
    assert "Staat niet in het manifest" in items["niet in manifest.m4a"].skip_reason[0]
    bad = tmp_path / "bad.csv"
    bad.write_text("file,pupil\nx.m4a,Ava\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        batch.plan(src, manifest=bad)
    assert "group" in err.value.nl and "consent" in err.value.nl


PASSPHRASE = "avond-12-maart-niet-echt"
NEW_PROMPT, AGAIN_PROMPT = "Nieuw wachtwoord voor het archief", "Nog een keer"  # casefile.keys' prompts
OPEN_PROMPT = "Wachtwoord van het archief"


def run_at_a_terminal(cmd: list[str], *, env: dict, cwd: Path, answers: dict[str, str], secret: str,
                      timeout: float) -> tuple[subprocess.CompletedProcess, set[int]]:
    """Run ``cmd`` as a coordinator types it: stdin is a terminal (a pty; a session of its own, so getpass
    cannot reach the terminal pytest may run in), each prompt in ``answers`` is answered when it appears on
    stderr. Also returns the ids of processes whose command line showed ``secret`` while it ran (/proc)."""
    import pty
    import threading
    import time

    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    os.close(slave)
    out, err = bytearray(), bytearray()

    def drain(stream, buf: bytearray) -> None:
        for chunk in iter(lambda: stream.read1(4096), b""):
            buf.extend(chunk)

    readers = [threading.Thread(target=drain, args=pair, daemon=True) for pair in ((proc.stdout, out),
                                                                                   (proc.stderr, err))]
    for t in readers:
        t.start()
    shown, answered, secret_b = set(), 0, secret.encode()
    deadline, looked = time.monotonic() + timeout, 0.0
    try:
        while proc.poll() is None:
            if time.monotonic() > deadline:
                proc.kill()
                raise subprocess.TimeoutExpired(cmd, timeout)
            text = bytes(err).decode("utf-8", "replace")
            asked = sorted((text.find(p, 0), p) for p in answers if p in text)
            if answered < len(asked):  # one answer per prompt seen, in the order they were asked
                os.write(master, (answers[asked[answered][1]] + "\n").encode())
                answered += 1
            if time.monotonic() - looked > 1.0:  # every command line on this machine, once a second
                looked = time.monotonic()
                for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
                    try:
                        if secret_b in cmdline.read_bytes() and cmdline.parent.name != str(os.getpid()):
                            shown.add(int(cmdline.parent.name))
                    except OSError:
                        pass
            time.sleep(0.2)
    finally:
        os.close(master)
        for t in readers:
            t.join(timeout=30)
    done = subprocess.CompletedProcess(cmd, proc.returncode, bytes(out).decode("utf-8", "replace"),
                                       bytes(err).decode("utf-8", "replace"))
    return done, shown


@pytest.mark.slow
def test_batch_over_public_recordings(tmp_path, eval_dir, artifacts, monkeypatch):
    """Two real recordings, a corrupt file and one without consent, two workers, run as a coordinator would:
    the CLI in a fresh environment where `python` on PATH is not the project's venv, with no passphrase in
    the environment and no keyring. A new case file: the coordinator is asked for its passphrase once, at the
    terminal; the workers and their kernels get it from the batch's environment — never on disk, never in a
    command line. The rerun is a script's: TRANSKRIPT_PASSPHRASE, no terminal."""
    src = tmp_path / "avond 12 maart"
    src.mkdir()
    # the first 55 s of each (six turns): the batch's proofs need real speech in both languages, not all of it
    excerpt(eval_dir / "audio" / "pub01-lezen-groep5.m4a", src / "pub01 lezen.m4a", 55)
    excerpt(eval_dir / "audio" / "pub04-english-parent.m4a", src / "pub04-english.m4a", 55)
    shutil.copy(eval_dir / "audio" / "pub02-gedrag-groep7.m4a", src / "zonder toestemming.m4a")
    (src / "kapot.m4a").write_bytes(os.urandom(50_000))
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(MANIFEST_HEADER +
                        "pub01 lezen.m4a,Daan Özdemir,5a,tienminutengesprek,2026-03-12,nl,given,8-12\n"
                        "pub04-english.m4a,Mia Clarke,6b,oudergesprek,2026-03-12,en,given,8-12\n"
                        "kapot.m4a,Sem Bakker,4,oudergesprek,2026-03-12,nl,given,8-12\n"
                        "zonder toestemming.m4a,Lotte Visser,7,oudergesprek,2026-03-12,nl,refused,8-12\n",
                        encoding="utf-8")
    out = tmp_path / "uit"
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8",
           "TRANSKRIPT_DATA": str(tmp_path / "data"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}  # no keyring, and never the developer's
    for key in ("TRANSKRIPT_CACHE", "TRANSKRIPT_SHARED"):
        if key in os.environ:
            env[key] = os.environ[key]
    cmd = [sys.executable, "-m", "transkript_kernel", "batch", str(src), "--out", str(out), "--workers", "2",
           "--manifest", str(manifest)]
    first, shown = run_at_a_terminal(cmd, env=env, cwd=tmp_path, secret=PASSPHRASE, timeout=1500,
                                     answers=dict.fromkeys((NEW_PROMPT, AGAIN_PROMPT, OPEN_PROMPT), PASSPHRASE))
    assert first.returncode == 1, first.stdout + first.stderr  # something failed (the corrupt file)
    assert "gesprekken / conversations" in first.stderr  # the progress bar
    # asked once, by the coordinator; no worker or kernel asked again (nor could: they have no terminal)
    assert [first.stderr.count(p) for p in (NEW_PROMPT, AGAIN_PROMPT, OPEN_PROMPT)] == [1, 1, 0], first.stderr
    assert shown == set(), "the passphrase showed in a process list"
    on_disk = [p for p in tmp_path.rglob("*") if p.is_file() and PASSPHRASE.encode() in p.read_bytes()]
    assert on_disk == [], on_disk
    results = read_results(out / "results.csv", manifest)
    listed = (out / "results.csv").read_text(encoding="utf-8")
    assert not [n for n in ("Daan", "Mia", "Sem", "Lotte", "pub01", "pub04", "kapot", "zonder") if n in listed]
    assert {f: r["status"] for f, r in results.items()} == {
        "pub01 lezen.m4a": "done", "pub04-english.m4a": "done", "kapot.m4a": "failed",
        "zonder toestemming.m4a": "skipped"}
    assert "Geen toestemming" in results["zonder toestemming.m4a"]["message"]
    assert not list(out.glob("zonder*"))  # nothing at all was made from the refused recording
    failure = results["kapot.m4a"]["message"]
    assert "geen leesbare opname" in failure and "not a readable recording" in failure and "Traceback" not in failure
    assert not (out / "kapot.ipynb").exists() and not (out / "kapot.pdf").exists()  # refused at import
    assert (out / "logs" / "pub01_lezen.log").is_file()  # the kernel's own output, kept out of the progress bar
    from transkript_kernel.casefile.archive import Archive

    monkeypatch.setenv("TRANSKRIPT_PASSPHRASE", PASSPHRASE)  # the coordinator's case file, for this test to read
    with Archive(tmp_path / "data") as archive:  # the case file at $TRANSKRIPT_DATA holds the two, nothing else
        ids = {r["conversation"] for r in results.values() if r["status"] == "done"}
        assert set(archive.ids()) == ids and len(ids) == 2
        registered = set()
        for cid in ids:
            copies = archive.copies(cid)
            assert {"pdf", "transcript", "summary"} <= {c["kind"] for c in copies}
            registered |= {c["path"] for c in copies}
            assert archive.get(cid).consent.how == "schriftelijk"  # the manifest row, the written record
        # every file the batch wrote belongs to one of the two and is registered, but its own list
        assert {p for p in out.rglob("*") if p.is_file()} - registered == {out / "results.csv"}

    for name, pupil, heading in [("pub01_lezen", "Daan Özdemir", "Besproken onderwerpen"),
                                 ("pub04-english", "Mia Clarke", "Topics discussed")]:
        pdf, nb = out / f"{name}.pdf", out / f"{name}.ipynb"
        text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        assert pupil in text and heading in text and "12" in text
        executed = json.loads(nb.read_text(encoding="utf-8"))
        outputs = "".join("".join(o.get("text", "")) for c in executed["cells"] for o in c.get("outputs", []))
        # the kernel was the project's interpreter, not whatever `python` the PATH offered
        assert f"kernel: {sys.executable}" in outputs
        cid = results[[f for f in results if f.startswith(name[:5])][0]]["conversation"]
        assert executed["metadata"]["papermill"]["parameters"]["conversation_id"] == cid
        assert (out / f"{name}.transcript.json").is_file() and (out / f"{name}.summary.json").is_file()
    shutil.copy(out / "pub01_lezen.pdf", artifacts / "batch-pub01.pdf")
    shutil.copy(out / "results.csv", artifacts / "batch-results.csv")

    # a rerun resumes: finished recordings are skipped, the corrupt one is tried (and fails) again
    before = (out / "pub01_lezen.pdf").stat().st_mtime_ns
    closed = subprocess.run(cmd, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=600)  # no terminal, no variable, no keyring: a clear refusal, nothing run
    assert closed.returncode == 5 and "Het archief blijft dicht" in closed.stderr, closed.stdout + closed.stderr
    second = subprocess.run(cmd, env={**env, "TRANSKRIPT_PASSPHRASE": PASSPHRASE}, cwd=tmp_path,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    assert second.returncode == 1, second.stdout + second.stderr
    again = read_results(out / "results.csv", manifest)
    assert again["pub01 lezen.m4a"]["status"] == "already-done"
    assert again["pub04-english.m4a"]["status"] == "already-done"
    assert again["kapot.m4a"]["status"] == "failed"
    assert (out / "pub01_lezen.pdf").stat().st_mtime_ns == before
    assert again["pub01 lezen.m4a"]["conversation"] == results["pub01 lezen.m4a"]["conversation"]


def test_notebook_for_an_archived_conversation(tmp_path):
    """conversation.ipynb with a conversation id: uses what the case file holds (the one workflow resumes), keeps
    the PDF as an export and registers the copies it writes."""
    import papermill as pm
    from conftest import reference_transcript

    from transkript_kernel.casefile import consent
    from transkript_kernel.casefile.archive import Archive
    from transkript_kernel.summary import Summary, Topic
    from transkript_kernel.transcript import Transcript

    archive = Archive()
    conv = archive.create(pupil="Fenna de Groot", date="2026-05-20", kind="oudergesprek", group="3",
                          consent=consent.record(True, "ouder"))
    archive.save_transcript(conv.id, Transcript.load(reference_transcript("pub01-lezen-groep5", tmp_path)), by="t")
    archive.save_summary(conv.id, Summary("nl", "handmatig", topics=[Topic("Leesontwikkeling", [2])]), by="juf",
                         role="docent", reason="eerste versie")
    archive.close()
    out = tmp_path / "uit"
    out.mkdir()
    pm.execute_notebook(str(batch.default_notebook()), str(out / "run.ipynb"), kernel_name="python3",
                        progress_bar=False, cwd=str(out),
                        parameters={"conversation_id": conv.id, "output_dir": str(out), "report_language": "de",
                                    "with_transcript": True})
    pdf = out / f"{conv.id}.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "Fenna de Groot" in text and "Leesontwikkeling" in text and "Gesprächsprotokoll" in text
    assert "Vollständiges Transkript" in text and "Version 1" in text
    with Archive() as archive:
        assert [e["kind"] for e in archive.exports(conv.id)] == ["pdf"]
        assert {c["kind"]: c["path"].name for c in archive.copies(conv.id)} == {
            "pdf": pdf.name, "transcript": f"{conv.id}.transcript.json", "summary": f"{conv.id}.summary.json"}
        assert len(archive.versions(conv.id)) == 1  # nothing was made again
