"""The summary seam and the default analyser's pieces: sentences, owners, dues, phrasing, Markdown, CLI."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT
from transkript_kernel.errors import InputError
from transkript_kernel.extractive.phrasing import nl_plural_to_3sg, number_words
from transkript_kernel.sentences import sentences_of, split
from transkript_kernel.summarize import backends, summarize, to_markdown
from transkript_kernel.transcript import Segment, Speaker, Transcript


def _talk(turns, language="nl", speakers=True):
    sp = {"S1": Speaker("Juf Ilse", "docent"), "S2": Speaker("moeder van Noor", "ouder")} if speakers else {}
    segs, t = [], 0.0
    for i, (who, text) in enumerate(turns):
        segs.append(Segment(i, t, t + 5, text, ("S1" if who == "docent" else "S2") if speakers else None))
        t += 5.5
    return Transcript(language, t, segs, sp)


def test_sentence_split_keeps_abbreviations_and_maps_segments():
    text = "Mr. Jansen komt om 8.30 uur. Dat is bijv. fijn! Klopt dat?"
    parts = [text[a:b] for a, b in split(text, "nl")]
    assert parts == ["Mr. Jansen komt om 8.30 uur.", "Dat is bijv. fijn!", "Klopt dat?"]
    t = Transcript("nl", 10, [Segment(0, 0, 3, "Ik geef hem", "S1"), Segment(1, 3, 6, "vrijdag een boek. Goed?", "S1")],
                   {"S1": Speaker("juf", "docent")})
    sents = sentences_of(t)
    assert [s.segment_ids for s in sents] == [[0, 1], [1]] and sents[1].question


def test_owner_from_role_and_pronoun_and_due():
    s = summarize(_talk([("docent", "Ik stuur u volgende week een uitnodiging voor een vervolggesprek."),
                         ("ouder", "Prima. Ik zal elke avond met Noor oefenen met de tafels."),
                         ("docent", "Het zou fijn zijn als u dinsdag haar gymtas meegeeft."),
                         ("ouder", "Dat doe ik.")]))
    got = {a.owner: a for a in s.actions}
    assert got["docent"].due == "volgende week" and "uitnodiging" in got["docent"].text
    assert got["docent"].text.startswith("De leerkracht stuurt de ouder")  # third person
    owners = sorted(a.owner for a in s.actions)
    assert owners == ["docent", "ouder", "ouder"]
    assert any(a.due == "elke avond" for a in s.actions) and any(a.due == "dinsdag" for a in s.actions)


def test_refused_proposal_is_no_action():
    s = summarize(_talk([("docent", "Misschien kunt u hem elke dag laten voorlezen uit de krant."),
                         ("ouder", "Nee, dat lukt niet met mijn werk.")]))
    assert not s.actions


def test_we_agreement_is_together_and_past_is_no_action():
    s = summarize(_talk([("docent", "We spreken af dat we over vier weken opnieuw kijken."),
                         ("ouder", "Afgesproken. Vorig jaar stuurde ik ook al een brief.")]))
    assert [a.owner for a in s.actions] == ["samen"]
    assert s.actions[0].due == "over vier weken"


def test_without_speakers_no_items_and_a_notice_why():
    """Without speakers nobody can tell who agreed to what: no items, a bilingual notice (never an error)."""
    s = summarize(_talk([("docent", "Ik geef hem vrijdag een leesboekje mee."), ("ouder", "Dat is goed.")],
                        speakers=False))
    assert not (s.topics or s.concerns or s.actions)
    assert [w.kind for w in s.warnings] == ["other"] and "sprekers" in s.warnings[0].text \
        and "speakers" in s.warnings[0].text


def test_diarised_speakers_without_roles_still_get_guessed_roles():
    t = _talk([("docent", "Ik geef hem vrijdag een leesboekje mee."), ("ouder", "Dat is goed.")])
    for sp in t.speakers.values():
        sp.role = None
    s = summarize(t)
    assert len(s.actions) == 1 and s.actions[0].due == "vrijdag" and s.actions[0].evidence == [0]


@pytest.mark.parametrize("turns,language,word", [
    ([], "nl", "leeg"), ([("docent", "Hallo")], "nl", "leeg"), ([("docent", "ja"), ("ouder", "Oké.")], "nl", "leeg"),
    ([("docent", "Yarın saat üçte sizi arayacağım."), ("ouder", "Tamam, teşekkür ederim.")], "tr", "taal"),
    ([("docent", "سأتصل بك يوم الجمعة بعد المدرسة"), ("ouder", "حسنا شكرا")], "ar", "taal"),
    ([("docent", "Zadzwonię do pani w piątek po szkole."), ("ouder", "Dobrze, dziękuję.")], "pl", "taal"),
    ([("docent", "Zadzwonię do pani w piątek po szkole."), ("ouder", "Dobrze, dziękuję bardzo.")], None, "taal"),
])
def test_bad_input_gives_no_items_and_a_bilingual_notice(turns, language, word):
    t = _talk(turns or [("docent", "")], language=language or "nl")
    t.language = language
    s = summarize(t)
    assert not (s.topics or s.concerns or s.actions)
    notices = [w for w in s.warnings if w.kind == "other"]
    assert len(notices) == 1 and word in notices[0].text and " / " in notices[0].text


def test_english_conversation():
    s = summarize(_talk([("docent", "I will call you next Thursday about the reading test."),
                         ("ouder", "I am worried that he falls behind in maths."),
                         ("docent", "Could you read with him every evening?"), ("ouder", "Yes, we will.")],
                        language="en"))
    assert s.language == "en"
    assert {(a.owner, a.due) for a in s.actions} == {("docent", "next Thursday"), ("ouder", "every evening")}
    assert s.concerns[0].raised_by == "ouder" and "behind" in s.concerns[0].text
    assert any(t.text.startswith("Maths") for t in s.topics)


def test_helpers():
    assert nl_plural_to_3sg("plannen") == "plant" and nl_plural_to_3sg("bespreken") == "bespreekt"
    assert nl_plural_to_3sg("houden") == "houdt" and nl_plural_to_3sg("geven") == "geeft"
    assert number_words("3 keer per week 20 minuten om 8.30 uur", "nl") == "drie keer per week twintig minuten om 8.30 uur"


def test_seam_errors_and_empty_input():
    with pytest.raises(InputError):
        summarize(_talk([("docent", "Hallo.")]), backend="gpt-cloud")
    with pytest.raises(InputError):
        summarize(42)
    empty = summarize(Transcript("nl", 0.0, []))
    assert not empty.actions and empty.warnings[0].kind == "other"
    assert backends()[0] == "extractive"


def test_markdown_escapes_and_cites():
    s = summarize(_talk([("docent", "Ik geef hem vrijdag een <b>boek</b> | mee."), ("ouder", "Prima.")]))
    md = to_markdown(s, _talk([("docent", "x"), ("ouder", "y")]))
    assert "## Afspraken" in md and "<b>" not in md and "\\|" in md
    assert "#0 0:00" in md


def test_cli_writes_json_and_markdown(tmp_path):
    t = _talk([("docent", "Ik geef hem vrijdag een leesboekje mee."), ("ouder", "Dat is goed.")])
    src = t.save(tmp_path / "gesprek met 'quotes' é.json")
    out = subprocess.run([sys.executable, "-m", "transkript_kernel", "summarize", str(src), "-o",
                          str(tmp_path / "s.json"), "--markdown", str(tmp_path / "s.md")],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    data = json.loads((tmp_path / "s.json").read_text())
    assert data["schema"] == "transkript.summary/1" and data["actions"][0]["due"] == "vrijdag"
    assert "leesboekje" in (tmp_path / "s.md").read_text()
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    out = subprocess.run([sys.executable, "-m", "transkript_kernel", "summarize", str(bad)],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2 and "fout / error" in out.stderr


def test_contract_check_agrees_with_jsonschema():
    import copy
    import json as _json

    import jsonschema

    from conftest import SHARED
    from transkript_kernel.errors import SummaryError
    from transkript_kernel.summarize import validate

    schema = _json.loads((SHARED / "contracts" / "summary.schema.json").read_text())
    good = summarize(_talk([("docent", "Ik geef hem vrijdag een leesboekje mee."), ("ouder", "Prima.")])).to_dict()
    validate(good)
    jsonschema.validate(good, schema)
    bad_cases = []
    for mutate in (lambda d: d["actions"][0].update(evidence=[]), lambda d: d["actions"][0].update(owner="juf"),
                   lambda d: d["actions"][0].pop("due"), lambda d: d.pop("warnings"),
                   lambda d: d["topics"][0].update(evidence=[-1]), lambda d: d.update(schema="x"),
                   lambda d: d["warnings"].append({"kind": "boos", "text": "x"})):
        d = copy.deepcopy(good)
        mutate(d)
        bad_cases.append(d)
    for d in bad_cases:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(d, schema)
        with pytest.raises(SummaryError):
            validate(d)


@pytest.mark.parametrize("language", ["nl", "en", "de", ""])
def test_odd_input_never_breaks_the_summary(language):
    from transkript_kernel.summarize import validate

    odd = ["", "   ", "...", "?", "Ik", "U u u.", "<script>alert(1)</script> Ik stuur u morgen een <b>brief</b>.",
           "😀 Ik geef hem vrijdag 🎉 een boek.", "Als, , , dan.", "We we we, dan dan.", "kunt u", "Laat", "please",
           "Het zou helpen als", "Ik stel voor dat", "12-05-2025 om 8.30 uur bel ik u.", "x" * 3000,
           " ".join(["ik geef u morgen dat als zorgen niet"] * 200)]
    for speakers in (True, False):
        t = _talk([("docent" if i % 2 else "ouder", text) for i, text in enumerate(odd)], language=language or "nl",
                  speakers=speakers)
        t.language = language
        s = summarize(t)
        validate(s.to_dict())
        assert s.language in ("nl", "en")
        ids = {seg.id for seg in t.segments}
        assert all(set(i.evidence) <= ids for part in (s.topics, s.concerns, s.actions) for i in part)
        to_markdown(s, t)


def test_packaged_contract_is_the_shared_one():
    import json as _json

    from conftest import SHARED
    from transkript_kernel.summarize import schema

    assert schema() == _json.loads((SHARED / "contracts" / "summary.schema.json").read_text())


def test_a_function_word_raises_no_topic():
    """'alleen' meaning 'only' is no social-emotional topic; said with a content word it is."""
    only = summarize(_talk([("docent", "Ik geef alleen de toets van vrijdag mee."), ("ouder", "Prima, dank u.")]))
    assert not any(t.text.startswith("Sociaal") for t in only.topics), only.topics
    alone = summarize(_talk([("ouder", "Hij speelt in de pauze alleen, hij wordt buitengesloten."),
                             ("docent", "Dat is vervelend om te horen.")]))
    assert any(t.text.startswith("Sociaal") for t in alone.topics), alone.topics


def test_a_token_no_tagger_can_read_is_foreign_material_and_never_reaches_the_tagger(monkeypatch):
    """HanTa's time grows with the square of a token's length (a 3000-letter run-on cost ~95 CPU s): a token
    longer than any real word is tagged 'SPEC' without the tagger, the words around it still are."""
    from transkript_kernel.extractive import language

    tagger = language._tagger("nl")
    if tagger is None:
        pytest.skip("HanTa not installed")
    seen = []
    real = tagger.tag_sent
    monkeypatch.setattr(tagger, "tag_sent", lambda toks, **kw: seen.append(max(map(len, toks))) or real(toks, **kw))
    language.analysis.cache_clear()
    words = language.analysis("Ik stuur u " + "x" * 3000 + " morgen.", "nl").words
    assert seen and max(seen) <= language.LONGEST_TAGGED
    assert [w.tag for w in words if len(w.token) > language.LONGEST_TAGGED] == ["SPEC(vreemd)"]
    assert words[1].finite and words[1].lemma == "sturen"
    language.analysis.cache_clear()
