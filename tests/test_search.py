"""Search as Dutch people search: compounds together or apart, misspellings within bounds, false friends never,
odd queries never an error, the best passage with its time for ▶. Invented pupils only."""
from __future__ import annotations

import pytest

from casefile_helpers import new_conversation, open_archive, summary, transcript
from transkript_kernel import spelling
from transkript_kernel.casefile import search

needs_dictionary = pytest.mark.skipif(not spelling.available("nl"), reason="hunspell-nl not installed")

TEXTS = {
    "lees": "Daan krijgt lees begeleiding van de remedial teacher. Thuis leest hij weinig.",
    "compound": "Sanne heeft leesbegeleiding gehad. Het ging goed met rekenen.",
    "typo": "Het gesprek ging over de huiswerkbegeleidng van Noah. Hij plant slecht.",
    "leven": "Het leven thuis is druk. Er is een nieuwe baby. Het gaat om tekenen en morgen.",
    "schooladvies": "Het schooladvies wordt havo. We bespreken de eindtoets in april.",
}


@pytest.fixture
def archive(tmp_path):
    a = open_archive(tmp_path / "data")
    ids = {}
    for key, text in TEXTS.items():
        conv = new_conversation(a, pupil=f"Kind {key.capitalize()}", group="groep 7" if key == "leven" else "groep 5")
        a.save_transcript(conv.id, transcript(text), by="test")
        ids[key] = conv.id
    a.ids_by_key = ids
    yield a
    a.close()


def found(archive, query, **filters) -> set[str]:
    back = {v: k for k, v in archive.ids_by_key.items()}
    return {back[i] for i in archive.search(query, **filters)["id"]}


def test_plain_words_and_accents(archive):
    assert found(archive, "remedial") == {"lees"}
    assert found(archive, "schooladvies") == {"schooladvies"}
    assert found(archive, "eindtoets april") == {"schooladvies"}
    assert found(archive, "eindtoets morgen") == set()  # every word must occur


@needs_dictionary
def test_compounds_are_found_written_together_or_apart(archive):
    # the recogniser wrote it apart; the teacher types it together — and the other way round
    assert {"lees", "compound"} <= found(archive, "leesbegeleiding")
    assert {"lees", "compound"} <= found(archive, "lees begeleiding")
    assert {"lees", "compound"} <= found(archive, "lees-begeleiding")
    # a compound's head finds the compound
    assert "compound" in found(archive, "begeleiding")


@needs_dictionary
def test_misspellings_within_bounds(archive):
    assert "typo" in found(archive, "huiswerkbegeleiding")  # index has 'huiswerkbegeleidng' (1 edit, 19 letters)
    assert "schooladvies" in found(archive, "schooladvis")  # the teacher's typo: 1 edit, 11 letters
    assert "schooladvies" in found(archive, "scholadvis")  # 2 edits from 9 letters
    assert "schooladvies" not in found(archive, "schladvis")  # 3 edits: too far
    assert "schooladvies" in found(archive, "eindtoest")  # 9 letters, a swap = 2 edits
    assert "lees" not in found(archive, "remedail")  # 8 letters and a swap is 2 edits: too far
    assert "lees" in found(archive, "remediel")  # 8 letters, 1 edit


def test_short_words_are_exact(archive):
    assert found(archive, "baby") == {"leven"}
    assert found(archive, "babi") == set()  # 4 letters: no edits allowed
    assert found(archive, "druk") == {"leven"} and found(archive, "drук") == set()


@needs_dictionary
@pytest.mark.parametrize("query,friend", [
    ("lezen", "leven"), ("rekenen", "tekenen"), ("zorgen", "morgen"), ("leest", "leven"), ("thuis", "thee"),
    ("werken", "tekenen"), ("toetsen", "eindtoets"), ("havo", "haven"),
])
def test_false_friends_do_not_match(archive, query, friend):
    """Two real words one edit apart are different words: 'lezen' never finds 'leven'."""
    hits = archive.search(query)
    assert all(friend not in str(s).lower().replace("[", "").replace("]", "").split() or query in str(s).lower()
               for s in hits["snippet"])
    if query == "lezen":
        assert "leven" not in found(archive, "lezen")
    if query == "rekenen":
        assert found(archive, "rekenen") == {"compound"}
    if query == "zorgen":
        assert found(archive, "zorgen") == set()


@pytest.mark.parametrize("query", [
    'lees AND NOT', 'OR', '"lees', 'lees"begeleiding', "NEAR(lees begeleiding, 2)", "*", "lees*", "le*s",
    "(", ")", "{col}: lees", "^lees", "-lees", "lees + begeleiding", "😀", "😀 lees 😀", "ⓛⓔⓔⓢ", "ﬁets", "'",
    "lees" * 250, "a " * 500, " ".join(["begeleiding"] * 200), "\x00lees", "🧑‍🏫👩‍👧", "", "   ",
])
def test_odd_queries_give_results_or_nothing_never_an_error(archive, query):
    result = archive.search(query)
    assert list(result.columns)[:8] == ["id", "pupil", "group", "date", "kind", "status", "snippet", "score"]
    assert len(result) <= 50


def test_prefix_search(archive):
    assert found(archive, "schoolad*") == {"schooladvies"}


def test_best_passage_has_the_segment_and_its_time(archive):
    hit = archive.search("remedial").iloc[0]
    assert hit["field"] == "transcript" and hit["segment"] == 0 and hit["start"] == 0.0
    assert "[remedial]" in hit["snippet"]
    hit = archive.search("weinig").iloc[0]
    assert hit["segment"] == 1 and hit["start"] == pytest.approx(2.0)
    # a name is in the conversation's own data, not in a passage: no ▶
    hit = archive.search("Typo").iloc[0]
    assert hit["start"] is None or hit["start"] != hit["start"]  # None or NaN


def test_filters_still_apply(archive):
    assert found(archive, "het", group="groep 7") == {"leven"}
    assert "leven" not in found(archive, "het", group="groep 5")


def test_summaries_and_notes_are_searched_with_their_passage(archive):
    cid = archive.ids_by_key["leven"]
    archive.save_summary(cid, summary(topic="Slaapritme en vermoeidheid"), by="juf", role="docent", reason="test")
    hit = archive.search("vermoeidheid").iloc[0]
    assert hit["id"] == cid and hit["field"] == "summary" and "[vermoeidheid]" in hit["snippet"]
    archive.set_notes(cid, "Afspraak met de schoolarts gemaakt.")
    assert archive.search("schoolarts").iloc[0]["field"] == "notes"


def test_a_corrected_transcript_replaces_its_passages(archive):
    cid = archive.ids_by_key["typo"]
    archive.save_transcript(cid, transcript("Het gesprek ging over plannen."), by="juf")
    assert "typo" not in found(archive, "huiswerkbegeleidng")
    assert archive.search("plannen").iloc[0]["id"] == cid


def test_deleting_a_conversation_leaves_no_passage_and_check_is_clean(archive):
    cid = archive.ids_by_key["lees"]
    num = archive._num(cid)
    assert search.count(archive.store.conn, num) == 2
    archive.delete_conversation(cid)
    assert search.count(archive.store.conn, num) == 0
    assert "lees" not in {k for k, v in archive.ids_by_key.items() if v in set(archive.search("remedial")["id"])}
    assert archive.check() == []
    # the vocabulary is a view of the index: the deleted words are gone from it too
    assert "remedial" not in search.vocabulary(archive.store.conn).terms


def test_query_building_units():
    assert search.words('Lees* "begeleiding" AND NOT Zoë 😀') == [("lees", True), ("begeleiding", False),
                                                                  ("zoe", False)]
    assert [search.max_edits(w) for w in ("boek", "lezen", "rekenles", "leesboek1")] == [0, 1, 1, 2]
    vocab = search.Vocabulary(["leven", "lezen", "leesbegeleiding", "lees", "begeleiding"])
    assert search.build("", vocab) == "" and search.build("😀 AND", vocab) == ""
    assert set(vocab.near("lezen", 1)) == {"leven"}
    assert vocab.ending("begeleiding") == ["begeleiding", "leesbegeleiding"] or \
        set(vocab.ending("begeleiding")) == {"begeleiding", "leesbegeleiding"}
    assert vocab.starting("lees") == ["lees", "leesbegeleiding"]


# --- the archive tab ------------------------------------------------------------------------------------------
def _browser(archive):
    pytest.importorskip("ipywidgets")
    from transkript_widgets.archive_browser import ArchiveBrowser

    return ArchiveBrowser(lambda: archive)


def _row_text(row) -> str:
    return row.children[-1].value


def test_archive_tab_opens_on_the_latest_conversations_with_when_the_recording_goes(archive):
    browser = _browser(archive)
    assert len(browser.results.children) == len(TEXTS)  # not an empty page
    text = _row_text(browser.results.children[0])
    assert "Kind" in text and "2026-10-05" in text and "concept" in text and "geen opname" in text
    assert all(len(r.children) == 3 for r in browser.results.children)  # no ▶ on a listing


@needs_dictionary
def test_a_search_hit_shows_its_passage_and_a_play_button(archive):
    browser = _browser(archive)
    browser.query.value = "leesbegeleiding"
    rows = browser.results.children
    assert len(rows) >= 2
    texts = [_row_text(r) for r in rows]
    assert any("<b>lees begeleiding</b>" in x for x in texts) and any("<b>leesbegeleiding</b>" in x for x in texts)
    play = [c for c in rows[0].children if "tk-archive-play" in c._dom_classes]
    assert play
    play[0].click()  # the fake case file has no recording: a clear message, no error
    assert "opname" in browser.message.value and "tk-msg-warn" in browser.message.value
    browser.query.value = "NEAR( 😀"
    assert browser.results.children == () or list(browser.results.children) == []
    assert "Geen gesprekken gevonden" in browser.message.value


def test_the_vocabulary_follows_changes_and_the_cache_stays_small(tmp_path):
    archives = [open_archive(tmp_path / f"d{i}") for i in range(search.CACHED_CONNECTIONS + 2)]
    try:
        for i, a in enumerate(archives):
            conv = new_conversation(a, pupil=f"Kind {i}")
            a.save_transcript(conv.id, transcript(f"Woord{i} staat hier."), by="t")
            assert f"woord{i}" in search.vocabulary(a.store.conn).terms
        assert len(search._cache) <= search.CACHED_CONNECTIONS
        a = archives[-1]
        a.save_transcript(a.ids()[0], transcript("Nieuwsgierig geworden."), by="t")  # a change: read again
        terms = search.vocabulary(a.store.conn).terms
        assert "nieuwsgierig" in terms and f"woord{len(archives) - 1}" not in terms
    finally:
        for a in archives:
            a.close()
