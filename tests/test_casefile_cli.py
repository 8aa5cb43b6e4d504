"""The case-file commands, run as a separate program exactly as scripts outside the code would."""
import json
import zipfile

from casefile_helpers import cli, fake_audio, summary
from conftest import ffmpeg


def test_full_workflow_on_the_command_line(tmp_path, isolated_data):
    new = cli("new", "--pupil", "Zoë 'de Vries' ../x", "--group", "groep 7", "--kind", "oudergesprek",
              "--date", "2026-10-05", "--language", "nl", "--consent", "given", "--consent-by", "ouder",
              "--consent-how", "schriftelijk", "--participant", "Juf Sanne:docent")
    assert new.returncode == 0, new.stderr
    cid = new.stdout.strip()
    assert new.stdout == cid + "\n" and len(cid.split()) == 1  # the id alone
    audio = tmp_path / "opname één.m4a"  # `import` decodes it, as the app's upload does
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:a", "aac", audio)
    broken = cli("import", cid, str(fake_audio(tmp_path / "kapot.m4a")))
    assert broken.returncode != 0 and "kapot.m4a" in broken.stderr and "SHA-256" not in broken.stderr
    imported = cli("import", cid, str(audio))
    assert imported.returncode == 0, imported.stderr
    dup = cli("import", cid, str(audio))
    assert dup.returncode == 5 and "SHA-256" in dup.stderr

    listed = json.loads(cli("archive", "list", "--json", "--pupil", "zoe").stdout)
    assert [r["id"] for r in listed] == [cid] and listed[0]["recording"] is True
    assert json.loads(cli("archive", "list", "--json", "--from", "2026-11-01").stdout) == []
    assert json.loads(cli("archive", "list", "--json", "--status", "concept").stdout)[0]["id"] == cid

    first = tmp_path / "s1.json"
    summary().save(first)
    # the first version is normally made by `process`; here a teacher provides it
    assert cli("correct", cid, "--by", "docent", "--name", "Juf Sanne", "--reason", "eerste versie",
               "--file", str(first)).returncode == 0
    second = tmp_path / "s2.json"
    summary(action="Twee keer per week lezen").save(second)
    out = cli("correct", cid, "--by", "ouder", "--reason", "afspraak was twee keer", "--file", str(second))
    assert out.returncode == 0 and "+ Twee keer per week lezen" in out.stdout
    found = json.loads(cli("archive", "search", "twee keer", "--json").stdout)
    assert [r["id"] for r in found] == [cid] and "[" in found[0]["snippet"]
    shown = json.loads(cli("archive", "show", cid, "--json").stdout)
    assert [v["role"] for v in shown["summary_versions"]] == ["docent", "ouder"]
    assert shown["consents"][0]["how"] == "schriftelijk"
    assert "Twee keer" in cli("archive", "show", cid).stdout

    status = json.loads(cli("retention", "status", "--json").stdout)
    assert {r["action"] for r in status} == {"delete-recording", "delete-conversation"}
    dry = cli("retention", "purge", "--dry-run")
    assert dry.returncode == 0 and "0 gesprekken" in dry.stdout
    assert cli("finalize", cid).returncode == 0
    assert json.loads(cli("archive", "show", cid, "--json").stdout)["recording"] is None  # deleted on final
    ics = tmp_path / "agenda.ics"
    assert cli("retention", "calendar", "-o", str(ics)).returncode == 0 and "VEVENT" in ics.read_text()
    zpath = tmp_path / "inzage.zip"
    assert cli("export", "--pupil", "Zoë 'de Vries' ../x", "-o", str(zpath)).returncode == 0
    assert "README.txt" in zipfile.ZipFile(zpath).namelist()
    assert cli("consent", "withdraw", cid).returncode == 0
    assert cli("archive", "check").returncode == 0


def test_refusals_and_bad_input_exit_non_zero_with_dutch_then_english(tmp_path):
    forbidden = cli("new", "--pupil", "Kind", "--kind", "veilig-thuis", "--date", "2026-10-05",
                    "--consent", "given", "--consent-by", "ouder")
    assert forbidden.returncode == 4 and forbidden.stdout == ""
    assert "Veilig Thuis" in forbidden.stderr and "schriftelijke aantekeningen" in forbidden.stderr
    refused = cli("new", "--pupil", "Kind", "--kind", "oudergesprek", "--date", "2026-10-05",
                  "--consent", "refused", "--consent-by", "ouder", "--notes", "handgeschreven")
    assert refused.returncode == 0
    cid = refused.stdout.strip()
    imp = cli("import", cid, str(fake_audio(tmp_path / "a.wav")))
    assert imp.returncode == 4 and imp.stderr.index("Geen toestemming") < imp.stderr.index("No consent")
    assert cli("process", cid).returncode == 4
    unknown = cli("archive", "show", "20260101-00000000")
    assert unknown.returncode == 5 and "bestaat niet" in unknown.stderr
    assert cli("import", "../../etc/passwd", str(tmp_path / "a.wav")).returncode == 5
    bad = cli("new", "--pupil", "Kind", "--kind", "oudergesprek", "--date", "gisteren",
              "--consent", "given", "--consent-by", "ouder")
    assert bad.returncode == 2 and "JJJJ-MM-DD" in bad.stderr
