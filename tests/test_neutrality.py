"""Judgements never become facts; sensitive subjects and long unreported stretches are flagged."""
from transkript_kernel.summarize import summarize
from transkript_kernel.transcript import Segment, Speaker, Transcript


def _talk(turns, language="nl"):
    speakers = {"S1": Speaker("Juf Ilse", "docent"), "S2": Speaker("moeder van Noor", "ouder")}
    segs, t = [], 0.0
    for i, (who, text) in enumerate(turns):
        segs.append(Segment(i, t, t + 10, text, "S1" if who == "docent" else "S2"))
        t += 10.5
    return Transcript(language, t, segs, speakers)


def _items(summary):
    return [i.text.lower() for part in (summary.topics, summary.concerns, summary.actions) for i in part]


def test_subjective_qualification_is_a_warning_not_a_fact():
    t = _talk([("docent", "Noor is een lastig kind en ze gedraagt zich slecht in de klas."),
               ("ouder", "Thuis is ze ook lui, ze wil nooit lezen."),
               ("docent", "Ik geef haar vrijdag een leesboekje mee."),
               ("ouder", "Dat is goed.")])
    s = summarize(t)
    text = " ".join(_items(s))
    for phrase in ("lastig kind", "gedraagt zich slecht", "lui"):
        assert phrase not in text
    subjective = [w for w in s.warnings if w.kind == "subjective"]
    assert {tuple(w.evidence) for w in subjective} >= {(0,), (1,)}
    assert any("lastig kind" in w.text for w in subjective)
    assert any("leesboekje" in a.text for a in s.actions)  # the neutral agreement survives


def test_parent_was_angry_is_not_reported_as_fact_english_too():
    t = _talk([("docent", "Last time the mother was very angry at me."),
               ("docent", "He is a lazy boy, but I will give him extra reading books next Monday."),
               ("ouder", "Okay.")], language="en")
    s = summarize(t)
    assert not any("angry" in x or "lazy" in x for x in _items(s))
    assert sum(w.kind == "subjective" for w in s.warnings) >= 2
    assert any("monday" in (a.due or "").lower() for a in s.actions)


def test_sensitive_mention_raises_a_sensitive_warning_citing_the_segment():
    t = _talk([("docent", "Ik wil het hebben over het rekenen."),
               ("ouder", "Er is thuis iets gebeurd en Veilig Thuis is erbij betrokken."),
               ("docent", "Dan stoppen we de opname.")])
    s = summarize(t)
    sensitive = [w for w in s.warnings if w.kind == "sensitive"]
    assert sensitive and sensitive[0].evidence == [1]
    assert "opgenomen" in sensitive[0].text  # says the conversation perhaps should not have been recorded


def test_complaint_and_disciplinary_matters_are_sensitive():
    for text in ("Ik ga een klacht indienen bij de klachtencommissie.", "Er volgt een schorsing van drie dagen."):
        s = summarize(_talk([("ouder", text)]))
        assert any(w.kind == "sensitive" for w in s.warnings), text
    s = summarize(_talk([("ouder", "We will file a formal complaint.")], language="en"))
    assert any(w.kind == "sensitive" for w in s.warnings)


def test_no_false_alarm_on_a_plain_conversation():
    s = summarize(_talk([("docent", "Het rekenen gaat goed, hij haalde een B."), ("ouder", "Fijn om te horen.")]))
    assert not [w for w in s.warnings if w.kind in ("sensitive", "subjective")]


def test_long_uncovered_stretch_raises_incomplete():
    filler = "We hadden het over de vakantie naar de camping en het weer was heel mooi daar aan zee."
    turns = [("docent", "Ik geef hem vrijdag een leesboekje mee voor het lezen.")] + \
            [("ouder" if i % 2 else "docent", filler) for i in range(8)]
    s = summarize(_talk(turns))
    inc = [w for w in s.warnings if w.kind == "incomplete"]
    assert inc and set(inc[0].evidence) >= {2, 3, 4, 5}
    assert 0 not in inc[0].evidence


def test_items_carry_no_subjective_phrase_even_inside_an_action():
    t = _talk([("docent", "Omdat hij zo brutaal is, zet ik hem vanaf maandag vooraan in de klas."),
               ("ouder", "Goed.")])
    s = summarize(t)
    assert not any("brutaal" in x for x in _items(s))
    assert any(w.kind == "subjective" and w.evidence == [0] for w in s.warnings)
