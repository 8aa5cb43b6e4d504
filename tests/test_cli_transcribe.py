"""``transkript transcribe``: real transcription to stdout or a file, and clean refusals that write nothing."""
import json
import shutil
import subprocess
import sys

import jsonschema
import pytest

from conftest import EVAL, SHARED, ffmpeg
from test_names import fake_model  # noqa: F401  (a fixture: faster-whisper replaced, options recorded)
from transkript_kernel import asr, cli, formats, pipeline
from transkript_kernel.transcript import Segment, Speaker, Transcript, Word

SCHEMA = json.loads((SHARED / "contracts" / "transcript.schema.json").read_text())
M4A = EVAL / "audio" / "pub01-lezen-groep5.m4a"


@pytest.fixture(scope="module")
def short_m4a(tmp_path_factory):
    """The first 25 seconds of a public Dutch recording, as a phone m4a with an awkward name."""
    path = tmp_path_factory.mktemp("cli") / "Opname ouder­gesprek Zoë 'groep 5'.m4a"
    ffmpeg("-i", M4A, "-t", "25", "-c:a", "aac", path)
    return path


def run(capsys, *argv):
    code = cli.main(["transcribe", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
def test_json_to_stdout_with_progress_on_stderr(capsys, short_m4a):
    code, out, err = run(capsys, short_m4a, "--speakers", "off")
    assert code == 0
    data = json.loads(out)  # stdout is nothing but the transcript
    jsonschema.validate(data, SCHEMA)
    assert data["language"] == "nl" and data["source"]["file"] == short_m4a.name
    text = " ".join(s["text"] for s in data["segments"]).lower()
    assert "gesprek" in text and "verslag" in text
    assert "transcriberen" in err and "100%" in err


@pytest.mark.slow
def test_srt_file_through_the_whole_pipeline(capsys, short_m4a, tmp_path):
    out_path = tmp_path / "uitvoer map" / "verslag juf Zoë.srt"
    code, out, err = run(capsys, short_m4a, "-o", out_path)
    assert code == 0 and out == ""
    srt = out_path.read_text(encoding="utf-8")
    assert srt.startswith("1\n00:00:0") and " --> " in srt
    assert [p.name for p in out_path.parent.iterdir()] == [out_path.name]  # no temp file left


@pytest.mark.slow
def test_translate_gives_english(capsys, short_m4a):
    code, out, _ = run(capsys, short_m4a, "--task", "translate", "--speakers", "off", "--format", "txt", "-q")
    assert code == 0
    words = out.lower().replace(",", " ").replace(".", " ").split()
    english = sum(words.count(w) for w in ("the", "you", "i", "is", "that", "to", "a", "good"))
    dutch = sum(words.count(w) for w in ("de", "het", "een", "ik", "dat", "u", "goed", "wil"))
    assert english > 2 * dutch, out


def make_bad_input(kind: str, d):
    if kind == "empty":
        (path := d / "leeg.m4a").write_bytes(b"")
    elif kind == "text renamed m4a":
        (path := d / "tekst.m4a").write_text("geen geluid\n" * 50)
    elif kind == "truncated m4a":
        (path := d / "half.m4a").write_bytes(M4A.read_bytes()[:250_000])
    elif kind == "missing":
        path = d / "nergens" / ".." / "bestaat niet.m4a"
    elif kind == "directory":
        (path := d / "map.wav").mkdir()
    else:  # unsupported
        (path := d / "notities.txt").write_text("x")
    return path


@pytest.mark.parametrize("kind", ["empty", "text renamed m4a", "truncated m4a", "missing", "directory",
                                  "unsupported"])
def test_bad_input_fails_cleanly_and_writes_nothing(capsys, tmp_path, kind):
    source = make_bad_input(kind, tmp_path)
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, source, "-o", out_dir / "transcript.json")
    assert code == 2
    assert out == ""
    nl, en = err.strip().split("\n")[:2]
    assert nl.startswith("fout / error: ") and en and nl[len("fout / error: "):] != en  # Dutch first, then English
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_silent_and_too_long_recordings_fail_cleanly(capsys, tmp_path):
    silent = tmp_path / "stil.wav"
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "5", silent)
    code, out, err = run(capsys, silent)
    assert code == 2 and out == "" and "stil" in err and "silent" in err
    from transkript_kernel import settings
    settings.save_config({"AudioSettings": {"max_duration_hours": 0.01}})
    code, out, err = run(capsys, M4A, "-o", tmp_path / "x.json")
    assert code == 2 and "0:00:36" in err and not (tmp_path / "x.json").exists()


def test_unavailable_model_says_how_to_provide_one(capsys, tmp_path):
    code, out, err = run(capsys, M4A, "--model", "large-v3", "-o", tmp_path / "x.json")
    assert code == 3 and out == ""
    assert "CTranslate2" in err and "never downloads" in err
    assert not (tmp_path / "x.json").exists()


def test_unknown_language(capsys, tmp_path):
    code, _, err = run(capsys, M4A, "-l", "xx", "-o", tmp_path / "x.json")
    assert code == 2 and "Onbekende taal" in err and not (tmp_path / "x.json").exists()


def test_bad_speakers_argument(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["transcribe", str(M4A), "--speakers", "veel"])
    assert exc.value.code == 2


def test_interrupted_run_leaves_no_output(capsys, tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        kwargs["progress"]("transcribe", 0.4)
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "transcribe_file", interrupted)
    target = tmp_path / "x.json"
    code, out, err = run(capsys, M4A, "-o", target)
    assert code == 130 and "Afgebroken" in err and not target.exists()


def test_console_script_is_installed():
    exe = shutil.which("transkript", path=str(__import__("pathlib").Path(sys.executable).parent))
    out = subprocess.run([exe, "transcribe", "--help"], capture_output=True, text=True, check=True).stdout
    for option in ("--language", "--model", "--task", "--speakers", "--format", "-o", "--names", "--names-file"):
        assert option in out


# --- names, as a consent form would hold them, for a recording outside the case file ------------------------
@pytest.fixture
def tone(tmp_path):
    """Decodable, not silent; the recogniser is faked, so no speech is needed."""
    from test_pipeline import _tone

    return _tone(tmp_path / "toon.m4a")


def test_names_go_first_in_the_vocabulary_and_are_written_as_given(capsys, tmp_path, tone, fake_model):
    names_file = tmp_path / "namen.txt"
    names_file.write_text("\ufeffيوسف العلوي\n\nMevrouw de Wit\r\ndaan\n", encoding="utf-8")  # BOM, RTL, CRLF
    code, out, err = run(capsys, tone, "--names", "Daan, Sanne  Jansen", "--names", "Ilze",
                         "--names-file", names_file, "--speakers", "off", "-q")
    assert code == 0, err
    given = ("Daan", "Sanne Jansen", "Ilze", "يوسف العلوي", "Mevrouw de Wit")  # "daan" again is no new name
    sent = fake_model.calls[-1]["hotwords"]
    assert sent.startswith(", ".join(given) + ", ")  # names first, then the school words (Dutch)
    assert sent == asr.hotwords_text(asr.effective_vocabulary(names=given, language="nl"))
    data = json.loads(out)
    assert data["model"]["options"]["vocabulary_names"] == len(given)
    assert data["model"]["options"]["vocabulary_sha256"] == asr.vocabulary_hash(sent)
    # the fake hears " Ilse."; the name given is "Ilze" (same sound, not a Dutch word): written as given
    assert data["model"]["options"]["names_corrected"] == 1 and data["segments"][0]["text"] == "Ilze."


def test_without_names_the_default_vocabulary_is_unchanged(capsys, tone, fake_model):
    code, out, _ = run(capsys, tone, "--speakers", "off", "-q")
    assert code == 0
    assert fake_model.calls[-1]["hotwords"] == asr.AsrSettings().vocabulary
    assert json.loads(out)["model"]["options"]["vocabulary_names"] == 0


@pytest.mark.parametrize("kind", ["missing", "directory", "not UTF-8", "too large", "CR/LF in its name"])
def test_an_unusable_names_file_fails_before_decoding_and_writes_nothing(capsys, tmp_path, tone, fake_model, kind):
    path = tmp_path / "namen.txt"
    if kind == "CR/LF in its name":
        path = tmp_path / "namen\r\nfout / error: X.txt"  # the message stays two lines, Dutch then English
    elif kind == "directory":
        path.mkdir()
    elif kind == "not UTF-8":
        path.write_bytes("Zoë".encode("latin-1"))
    elif kind == "too large":
        path.write_text("Daan\n" * 20_000, encoding="utf-8")
    target = tmp_path / "out" / "t.json"
    code, out, err = run(capsys, tone, "--names-file", path, "-o", target)
    assert code == 2 and out == "" and not target.parent.exists()
    nl, en = err.strip().split("\n")
    assert "namenbestand" in nl and "names file" in en
    assert fake_model.calls == []  # refused before the recogniser ran


def test_names_help_is_dutch_and_english(capsys):
    with pytest.raises(SystemExit):
        cli.main(["transcribe", "--help"])
    help_text = " ".join(capsys.readouterr().out.split()).replace("- ", "-")  # argparse wraps at hyphens
    assert "met komma's gescheiden" in help_text and "comma-separated" in help_text
    assert "één per regel" in help_text and "one per line" in help_text


def sample_transcript() -> Transcript:
    return Transcript(
        language="nl", duration=75.5,
        speakers={"S1": Speaker("Juf Sanne", "docent"), "S2": Speaker("Spreker 2", None)},
        segments=[Segment(0, 0.0, 4.25, "Goedemiddag, fijn dat u er bent.", "S1",
                          [Word(0.0, 1.0, " Goedemiddag,", 0.9)]),
                  Segment(1, 65.0, 75.5, "Dank u --> tot ziens.", None)])


def test_text_and_subtitle_formats():
    t = sample_transcript()
    assert formats.render(t, "txt") == ("[00:00:00] Juf Sanne: Goedemiddag, fijn dat u er bent.\n"
                                        "[00:01:05] Dank u --> tot ziens.\n")
    srt = formats.render(t, "srt")
    assert srt.startswith("1\n00:00:00,000 --> 00:00:04,250\nJuf Sanne: Goedemiddag")
    assert "2\n00:01:05,000 --> 00:01:15,500\nDank u --> tot ziens.\n" in srt
    vtt = formats.render(t, "vtt")
    assert vtt.startswith("WEBVTT\n\n0\n00:00:00.000 --> 00:00:04.250\n")
    assert "Dank u → tot ziens." in vtt  # a cue text may not contain the arrow
    assert Transcript.from_json(formats.render(t, "json")).to_dict() == t.to_dict()
    assert formats.format_for("uit/verslag.SRT") == "srt" and formats.format_for("x.out") == "json"
