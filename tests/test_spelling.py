"""The dictionary behind doubtful words and the never-invent-a-word guard (Debian hunspell-nl via ctypes)."""
import pytest

from transkript_kernel import spelling


@pytest.fixture(scope="module")
def nl():
    return spelling.dictionary("nl")


def test_dutch_words_and_compounds_are_known(nl):
    for word in ("leesbegeleiding", "begeleiding", "stuurt", "belt", "leerkracht", "vervolggesprek", "één"):
        assert nl.known(word), word


def test_made_up_forms_are_not_known(nl):
    # a verb ending glued onto a name or a wrong stem, and recogniser spellings of names
    for word in ("Daant", "doent", "zamira", "ilze", "gesprekt"):
        assert not nl.known(word), word


def test_sentence_starts_and_names_in_lower_case(nl):
    assert nl.known("Leerkracht")  # capitalised at a sentence start
    assert nl.known("ilse") or nl.known("Ilse")
    assert nl.known("12,5") and nl.known("2026")
    assert not nl.known("") and not nl.known("   ")


def test_unknown_keeps_order_without_repeats(nl):
    assert nl.unknown(["lezen", "doent", "Daant", "doent"]) == ["doent", "Daant"]


def test_missing_dictionary_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setitem(spelling.DICTIONARIES, "xx", "xx_XX")
    with pytest.raises(spelling.SpellingUnavailableError) as err:
        spelling.dictionary("xx")
    assert "hunspell-xx" in err.value.nl and "hunspell-xx" in err.value.en
    assert not spelling.available("xx")
