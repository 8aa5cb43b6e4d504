"""Concerns from negative evaluation: worries said indirectly ('hij wordt dan boos', 'een jongen lacht haar uit',
'ze wil niet meer naar training') count through lemmas and negations; reassurances, 'alleen' meaning 'only',
'zorgen dat' meaning 'make sure', refusals and the speaker's own position do not. Invented sentences only."""
import pytest

from transkript_kernel.extractive.negative import negative
from transkript_kernel.lexicon import cues
from transkript_kernel.summarize import summarize
from transkript_kernel.transcript import Segment, Speaker, Transcript

pytest.importorskip("HanTa")
NL = cues("nl")


@pytest.mark.parametrize("text", [
    "Een jongen lacht haar dan uit.",                 # separable verb, lemma 'uitlachen'
    "Het rekenen kost hem heel veel moeite.",
    "En dan wordt hij boos.",
    "Hij wil ook niet meer naar zwemles.",            # 'niet meer'
    "Ze piekert veel 's avonds.",                      # inflection of 'piekeren'
    "Die sommen snapt hij niet.",                      # negated 'snappen'
    "In de pauze is hij vaak alleen.",                 # predicative 'alleen'
    "Ze komt vaak te laat.",
])
def test_negative_evaluation_is_found(text):
    assert negative(text, NL, "nl") is not None


@pytest.mark.parametrize("text", [
    "Hij kent alleen de tafel van tien.",              # 'alleen' = only
    "Hij is niet dom.",                                # negation before the word
    "Dat vergeten ze niet snel.",                      # negated verb
    "Dat wil ik niet.",                                # the speaker's own position
    "Ze leest elke avond een kwartier.",
    "Hij is erg druk bezig met zijn werkstuk.",        # 'erg' as intensifier
])
def test_no_negative_evaluation(text):
    assert negative(text, NL, "nl") is None


def test_english_negative_evaluation():
    en = cues("en")
    assert negative("He gets upset when they laugh.", en, "en") is not None
    assert negative("He passed it without any trouble.", en, "en") is None


def _talk(turns):
    sp = {"S1": Speaker("Juf Ilse", "docent"), "S2": Speaker("moeder van Bram", "ouder")}
    segs = [Segment(i, 6.0 * i, 6.0 * i + 5, text, "S1" if who == "docent" else "S2")
            for i, (who, text) in enumerate(turns)]
    return Transcript("nl", 6.0 * len(turns), segs, sp)


def test_indirect_worry_becomes_a_concern_raised_by_its_speaker_on_its_segment():
    s = summarize(_talk([("docent", "Fijn dat u er bent."),
                         ("ouder", "Bram wil niet meer naar voetbal. Een jongen lacht hem daar steeds uit."),
                         ("docent", "Dat is goed om te weten.")]))
    hits = [c for c in s.concerns if "voetbal" in c.text.lower() or "lacht" in c.text.lower()]
    assert hits and all(c.raised_by == "ouder" and c.evidence == [1] for c in hits)


def test_reassurance_and_make_sure_are_no_concerns():
    s = summarize(_talk([("docent", "Het verlof van Bram is goedgekeurd, geen zorgen."),
                         ("docent", "Ik zorg dat hij de toets op dinsdag inhaalt."),
                         ("ouder", "Dank u wel.")]))
    assert s.concerns == []


# --- concerns from the learned scorer: said indirectly, ticked with confidence, not every feeling -------------
WORRIES = [("docent", "Fijn dat u er bent. Hoe gaat het thuis met Bram?"),
           ("ouder", "Ik merk dat hij met tegenzin naar school gaat. Elke ochtend is het een gevecht."),
           ("docent", "Dat herken ik wel. In de klas is hij stiller dan eerst."),
           ("ouder", "En met rekenen gaat het niet goed. Dat vind ik lastig, want ik kan hem niet helpen."),
           ("docent", "Vorige week viel hij op het plein en hij bleef lang huilen."),
           ("ouder", "Ik schrok daarvan toen hij het thuis vertelde."),
           ("docent", "Ik vind het leuk dat hij zo graag tekent. Hij helpt ook altijd met opruimen."),
           ("ouder", "Ja, dat doet hij thuis ook graag."),
           ("docent", "Ik bel u volgende week vrijdag om te horen hoe het gaat."),
           ("ouder", "Dat is goed, dank u wel.")]


@pytest.mark.parametrize("segment,word", [(1, "tegenzin"), (3, "lastig"), (5, "schrok")])
def test_indirect_worry_is_a_ticked_concern_raised_by_its_speaker_on_its_segment(segment, word):
    s = summarize(_talk(WORRIES))
    hits = [c for c in s.concerns if word in c.text.lower()]
    assert hits, [c.text for c in s.concerns]
    assert all(c.include and c.raised_by == "ouder" and segment in c.evidence for c in hits)


def test_pleasant_feelings_and_thanks_are_no_ticked_concerns():
    ticked = " ".join(c.text.lower() for c in summarize(_talk(WORRIES)).concerns if c.include)
    assert "tekent" not in ticked and "opruimen" not in ticked and "dank" not in ticked


def test_concern_confidence_check_and_include_agree_with_the_threshold():
    from transkript_kernel.extractive.concern_scoring import model

    t = model()["threshold"]
    concerns = summarize(_talk(WORRIES)).concerns
    assert concerns
    for c in concerns:
        assert 0.0 <= c.confidence <= 1.0
        assert c.check == (c.confidence < t) and c.include == (not c.check)


def test_scorer_weights_name_exactly_the_features_the_reader_makes():
    """A feature renamed or added without refitting (benchmarks/train_concern_scorer.py) fails here."""
    from transkript_kernel.extractive.analyser import Analyser
    from transkript_kernel.extractive.concern_scoring import ConcernReader, model

    an = Analyser(_talk(WORRIES))
    assert set(ConcernReader(an).features(1)) == set(model()["weights"])
    assert model()["trained_on"] == "train" and model()["floor"] < model()["threshold"]


def test_unsure_recognised_words_lower_a_concerns_confidence():
    from transkript_kernel.transcript import Word

    def recognised(probability):
        t = _talk(WORRIES)
        seg = t.segments[4]
        tokens = seg.text.split()
        seg.words = [Word(seg.start + k * 0.3, seg.start + k * 0.3 + 0.25, w, probability) for k, w in enumerate(tokens)]
        return next(c for c in summarize(t).concerns if 4 in c.evidence)

    sure, unsure = recognised(0.99), recognised(0.1)
    assert unsure.confidence < sure.confidence and unsure.check and not unsure.include


# --- actions split over two sentences or two speakers; rewrites that read wrong -----------------------------
def test_fronted_dat_commitment_takes_the_thing_it_points_back_to():
    s = summarize(_talk([("docent", "Wat ik eerst wil doen is een diagnostisch gesprek met Bram. "
                                     "Dat doe ik zelf, volgende week donderdag."),
                         ("ouder", "Dat is goed.")]))
    hit = [a for a in s.actions if "diagnostisch gesprek" in a.text]
    assert hit and "donderdag" in (hit[0].due or "") and hit[0].owner in ("docent", "school")


def test_proposal_answered_only_by_a_time_is_accepted_with_that_time():
    s = summarize(_talk([("docent", "Zullen we over zes weken nog eens afspreken?"),
                         ("ouder", "Doe maar op een woensdag."),
                         ("docent", "Goed.")]))
    hit = [a for a in s.actions if "zes weken" in f"{a.text} {a.due}" and "woensdag" in f"{a.text} {a.due}"]
    assert hit and 1 in hit[0].evidence and 0 in hit[0].evidence


def test_rewritten_forms_the_tagger_cannot_confirm_are_flagged():
    from transkript_kernel.extractive.grounding import misrendered

    assert misrendered("Voort de leerkracht het vergeet", "Voor ik het vergeet, ik neem dit op.", "nl")
    assert misrendered("De ouder wast zelf ook slecht in rekenen", "Ik was zelf ook slecht in rekenen.", "nl")
    assert misrendered("Zodat de ouder het kunt lezen", "Zodat u het kunt lezen.", "nl")
    assert not misrendered("De leerkracht belt de ouder vrijdag", "Ik bel u vrijdag.", "nl")
    assert not misrendered("De leerkracht stuurt de ouder een mail", "Ik stuur u een mail.", "nl")


def test_a_time_phrase_taken_out_leaves_no_preposition_behind():
    from transkript_kernel.extractive.analyser import Analyser
    from transkript_kernel.extractive.rendering import _without_dues

    an = Analyser(_talk([("ouder", "Ze gaat sinds oktober naar de fysiotherapeut.")]))
    out = _without_dues(an, "Ze gaat sinds oktober elke dinsdag naar de fysiotherapeut")
    assert "sinds" not in out.split() and "fysiotherapeut" in out


def test_words_someone_is_quoted_saying_are_not_put_in_the_speakers_third_person():
    """'Hij zei tegen me: ik wil niet meer naar school' is the pupil's 'ik': rewriting it as 'de leerkracht wil
    niet meer naar school' would tell the parents who said what wrongly."""
    s = summarize(_talk([("docent", "Fijn dat u er bent."),
                         ("docent", "Bram is erg stil in de klas. Gisteren zei hij tegen me: ik wil niet meer naar "
                                    "school."),
                         ("ouder", "Dat is goed om te weten.")]))
    said = [c for c in s.concerns if "naar school" in c.text.lower()]
    assert said, [c.text for c in s.concerns]
    assert all("ik wil niet meer naar school" in c.text.lower() and "leerkracht wil" not in c.text.lower()
               for c in said)


def test_a_short_reply_about_the_same_worry_joins_it_as_one_concern():
    from transkript_kernel.extractive.concerns import join_replies
    from transkript_kernel.extractive.analyser import Analyser
    from transkript_kernel.summary import Concern

    an = Analyser(_talk([("ouder", "x"), ("docent", "y"), ("ouder", "z")]))
    worry = Concern("Ze is verlegen in de kring", "ouder", [0], 0.7, False, True)
    reply = Concern("In de kring zegt ze weinig", "docent", [1], 0.8, False, True)
    later = Concern("Ze zegt weinig in de kring", "ouder", [2], 0.7, False, True)
    joined = join_replies(an, [worry, reply, later])
    assert [c.raised_by for c in joined] == ["ouder", "ouder"]       # the reply joined, the same speaker's next not
    assert joined[0].evidence == [0, 1] and "zegt ze weinig" in joined[0].text and joined[0].confidence == 0.8
    other = Concern("Met rekenen gaat het goed", "docent", [1], 0.8, False, True)
    assert len(join_replies(an, [Concern("Ze is verlegen in de kring", "ouder", [0], 0.7, False, True), other])) == 2
