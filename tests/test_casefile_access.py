"""Right of access: one zip with everything about one pupil; recordings only if school policy allows."""
import json
import zipfile

import pytest

from casefile_helpers import fake_audio, new_conversation, open_archive, summary, transcript
from transkript_kernel.casefile import access
from transkript_kernel.errors import NotFoundError
from transkript_kernel.settings import save_config


def _full(archive, tmp_path, pupil, seed=0):
    conv = new_conversation(archive, pupil=pupil)
    archive.import_recording(conv.id, fake_audio(tmp_path / f"a{seed}.m4a", seed=seed))
    archive.save_transcript(conv.id, transcript(), by="transkript")
    archive.save_summary(conv.id, summary(), by="Juf Sanne", role="docent", reason="eerste versie")
    archive.save_summary(conv.id, summary(action="Twee keer"), by="Moeder", role="ouder", reason="correctie")
    pdf = tmp_path / f"verslag{seed}.pdf"
    pdf.write_bytes(b"%PDF-1.4 verslag")
    archive.add_export(conv.id, pdf)
    return conv


def test_export_contains_everything_but_the_recording_by_default(tmp_path):
    archive = open_archive()
    name = "Zoë ../O'Brien \"Jr\""
    conv = _full(archive, tmp_path, name)
    other = _full(archive, tmp_path, "Zoë ../O'Brien Senior", seed=1)  # similar name: never included
    out = access.export_pupil(archive, "zoe ../o'brien \"jr\"", tmp_path / "inzage.zip")
    z = zipfile.ZipFile(out)
    names = z.namelist()
    assert all(".." not in n.split("/") and not n.startswith("/") for n in names)
    assert not any(other.id in n for n in names)
    base = [n for n in names if n.endswith("gesprek.json")][0].split("/")[0]
    assert conv.id in base
    for part in ("transcripten/revisie-0-origineel.json", "samenvattingen/versie-1.json",
                 "samenvattingen/versie-2.json", "samenvattingen/versies.json", "samenvattingen/verschil-1-2.txt"):
        assert f"{base}/{part}" in names
    assert any(n.startswith(f"{base}/exports/") and n.endswith(".pdf") for n in names)
    assert not any("opname" in n.split("/")[1:2] for n in names)
    record = json.loads(z.read(f"{base}/gesprek.json"))
    assert record["pupil"] == name and record["consents"][0]["how"] == "schriftelijk"
    assert "+ Twee keer" in z.read(f"{base}/samenvattingen/verschil-1-2.txt").decode()
    readme = z.read("README.txt").decode()
    assert "NIET" in readme and "share_recordings_with_parents" in readme and "NOT included" in readme
    assert "access-export" in set(archive.audit_log(conv.id)["event"])


def test_recordings_are_included_when_the_school_allows_it(tmp_path, isolated_data):
    save_config({"AccessPolicy": {"share_recordings_with_parents": True}}, isolated_data)
    archive = open_archive()
    conv = _full(archive, tmp_path, "Ravi Testkind")
    z = zipfile.ZipFile(access.export_pupil(archive, "Ravi Testkind", tmp_path / "i.zip"))
    rec = [n for n in z.namelist() if "/opname/" in n]
    assert len(rec) == 1 and z.read(rec[0]) == archive.read_bytes(archive.recording_path(conv.id))
    assert "NIET" not in z.read("README.txt").decode()


def test_unknown_pupil_writes_nothing(tmp_path):
    archive = open_archive()
    new_conversation(archive, pupil="Daan Testkind")
    with pytest.raises(NotFoundError):
        access.export_pupil(archive, "Daan", tmp_path / "x.zip")  # part of a name is not enough
    assert not (tmp_path / "x.zip").exists()


def test_two_pupils_with_one_name_are_never_mixed(tmp_path):
    """Issue 11, item 1: a stable identity per pupil; a name shared by two children is not enough to export."""
    import zipfile

    from casefile_helpers import cli
    from transkript_kernel.casefile.archive import AmbiguousPupilError

    archive = open_archive()
    a1 = new_conversation(archive, pupil="Noa Bakker", group="groep 3", date="2025-10-01", notes="eerste Noa")
    a2 = new_conversation(archive, pupil="noa  bakker", group="groep 4", date="2026-10-01")  # picked again
    pid = archive.pupil_id(a1.id)
    assert pid.startswith("P-") and archive.pupil_id(a2.id) == pid  # reused, the group stays per conversation
    b = new_conversation(archive, pupil="Noa Bakker", group="groep 7", date="2026-10-02", new_pupil=True,
                         birth_date="2015-03-04", notes="andere Noa")
    other = archive.pupil_id(b.id)
    assert other != pid
    with pytest.raises(AmbiguousPupilError):  # a third time by name alone: which Noa?
        new_conversation(archive, pupil="Noa Bakker")
    c = new_conversation(archive, pupil="Noa Bakker", birth_date="2015-03-04")  # the birth date tells them apart
    assert archive.pupil_id(c.id) == other

    out = cli("export", "--pupil", "Noa Bakker", "-o", str(tmp_path / "x.zip"))
    assert out.returncode == 2 and not (tmp_path / "x.zip").exists()
    for needle in (pid, other, "groep 3, groep 4", "groep 7", "2025-10-01"):
        assert needle in out.stderr
    out = cli("export", "--pupil-id", pid, "-o", str(tmp_path / "a.zip"))
    assert out.returncode == 0, out.stderr
    names = zipfile.ZipFile(tmp_path / "a.zip").namelist()
    assert any(a1.id in n for n in names) and any(a2.id in n for n in names)
    assert not any(b.id in n or c.id in n for n in names)
    one = new_conversation(archive, pupil="Enige Naam")
    assert cli("export", "--pupil", "enige naam", "-o", str(tmp_path / "e.zip")).returncode == 0  # as before
    assert archive.pupils("Enige Naam")[0]["id"] == archive.pupil_id(one.id)


def test_existing_names_become_identities_on_migration(tmp_path):
    from transkript_kernel.casefile.store import Store

    path = tmp_path / "old.sqlite3"
    old = Store(path, migrate_to=4)
    for i, name in enumerate(["Oud Kind", "oud  kind", "Ander Kind"]):
        old.execute("INSERT INTO conversations (id, pupil, pupil_key, date, kind, language, created_at) VALUES "
                    f"('2026010{i}-0000abcd', ?, ?, '2026-01-01', 'oudergesprek', 'nl', 'x')",
                    (name, " ".join(name.lower().split())))
    old.close()
    new = Store(path)
    rows = new.rows("SELECT pupil_id FROM conversations ORDER BY num")
    assert rows[0][0] == rows[1][0] != rows[2][0] and all(r[0].startswith("P-") for r in rows)
