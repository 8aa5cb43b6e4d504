"""Topics need more than one content word: a lexicon term said once in passing, or a function word ('alleen'
meaning 'only', the pronoun 'niemand'), raises no topic; said twice, or once in a worry or an agreement, it does.
The 'also mentioned' list holds nouns, not forms of address or days. Invented sentences only."""
import pytest

from transkript_kernel.summarize import summarize
from transkript_kernel.transcript import Segment, Speaker, Transcript

pytest.importorskip("HanTa")
OPENING = [("docent", "Fijn dat u er bent."), ("ouder", "Graag gedaan.")]


def _topics(turns, language="nl"):
    sp = {"S1": Speaker("Meester Joost", "docent"), "S2": Speaker("vader van Sem", "ouder")}
    segs = [Segment(i, 6.0 * i, 6.0 * i + 5, text, "S1" if who == "docent" else "S2")
            for i, (who, text) in enumerate(OPENING + turns)]
    return [t.text for t in summarize(Transcript(language, 6.0 * len(segs), segs, sp)).topics]


def test_only_meaning_alleen_and_the_pronoun_niemand_raise_no_social_topic():
    topics = _topics([("docent", "Hij kent alleen de tafel van tien nog niet helemaal uit zijn hoofd."),
                      ("ouder", "Niemand van ons had dat verwacht, eerlijk gezegd."),
                      ("docent", "We oefenen de tafels elke dag tien minuten in de klas.")])
    assert not any(t.startswith("Sociaal") for t in topics), topics
    assert any(t.startswith("Rekenen") for t in topics), topics


def test_a_term_said_once_in_passing_is_no_topic_but_twice_it_is():
    passing = _topics([("docent", "Sorry voor het wachten, er was nog iets bij gym."),
                       ("ouder", "Geeft niets. Het gaat goed met Sem, hij heeft het naar zijn zin.")])
    assert not any(t.startswith("Motoriek") for t in passing), passing
    twice = _topics([("docent", "Bij gym valt hij vaak, hij struikelt over zijn eigen voeten."),
                     ("ouder", "Ja, thuis ook. Met gym wil hij daarom niet meer meedoen.")])
    assert any(t.startswith("Motoriek") for t in twice), twice


def test_a_term_said_once_in_a_worry_is_a_topic():
    topics = _topics([("ouder", "Ik maak me zorgen, want hij slaapt heel slecht de laatste weken.")])
    assert any(t.startswith("Slaap") for t in topics), topics


def test_also_mentioned_holds_nouns_not_address_or_days():
    topics = _topics([("ouder", "Meneer, de schoolfotograaf kwam donderdag, maar meneer, Sem was er donderdag niet."),
                      ("docent", "Ja meneer, donderdag was hij ziek. De schoolfotograaf komt in maart terug, "
                                 "dan kan Sem er alsnog bij.")])
    rest = next((t for t in topics if t.startswith("Verder genoemd")), "")
    assert "schoolfotograaf" in rest and "meneer" not in rest and "donderdag" not in rest, topics


def test_a_misheard_noun_is_no_topic_and_a_salient_noun_cites_a_segment_that_holds_it():
    from transkript_kernel.transcript import Word

    turns = OPENING + [("ouder", "Sem praat thuis veel over de schoolfotograaf en de wevroeger."),
                       ("docent", "De schoolfotograaf komt in maart. Die wevroeger ken ik niet.")]
    sp = {"S1": Speaker("Meester Joost", "docent"), "S2": Speaker("vader van Sem", "ouder")}
    segs = [Segment(i, 6.0 * i, 6.0 * i + 5, text, "S1" if who == "docent" else "S2")
            for i, (who, text) in enumerate(turns)]
    for seg in segs:  # recognised: every word sure, except the misheard one
        seg.words = [Word(seg.start + k * 0.3, seg.start + k * 0.3 + 0.25, w,
                          0.1 if "wevroeger" in w else 0.99) for k, w in enumerate(seg.text.split())]
    transcript = Transcript("nl", 6.0 * len(segs), segs, sp)
    rest = next(t for t in summarize(transcript).topics if t.text.startswith("Verder genoemd"))
    assert "schoolfotograaf" in rest.text and "wevroeger" not in rest.text
    assert all("schoolfotograaf" in segs[i].text for i in rest.evidence)


def test_secondary_school_talk_has_its_own_topics():
    """Subjects, exam nerves and the choice of a profile are what a mentor talks about; the lexicon once knew
    only primary-school topics, so these went unnamed."""
    topics = _topics([("docent", "Voor wiskunde staat hij een vijf, en natuurkunde gaat ook moeizaam."),
                      ("ouder", "Bij elke toets krijgt hij faalangst, hij ligt 's nachts wakker van de spanning."),
                      ("docent", "Over de profielkeuze praten we met de decaan, en wiskunde bespreek ik met hem.")])
    for label in ("Vakken", "Faalangst", "Schooladvies"):
        assert any(t.startswith(label) for t in topics), (label, topics)


def test_a_compound_of_a_lexicon_word_raises_its_topic_but_an_inflection_does_not_count():
    """Dutch writes compounds as one word: 'wiskundetoets' and 'wiskundeleraar' are about wiskunde. 'vervelend'
    (annoying) is no compound of 'vervelen' (to be bored)."""
    topics = _topics([("docent", "De wiskundetoets ging niet goed, een vier."),
                      ("ouder", "Ja, hij vindt de wiskundeleraar erg streng.")])
    assert any(t.startswith("Vakken") and "wiskundetoets" in t for t in topics), topics
    from transkript_kernel.extractive.topics import _compound_hits
    from transkript_kernel.lexicon import topics as lexicon

    social = next(t for t in lexicon() if t["id"] == "sociaal")
    assert not _compound_hits(social, "dat vond hij vervelend en hij is alleenstaand")
