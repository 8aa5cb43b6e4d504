"""The summary corpus (tests/data/corpus/{train,dev,test}): big enough not to overfit, valid against the shared
conversation format, and written freely (no two conversations share much of their wording).

This test reads the sealed test split mechanically (counts, roles, 4-gram overlap). Its failure messages name
files and figures only, never a conversation's text, so running it does not show the test split to anyone.
"""
import json
import re
from itertools import combinations
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "data" / "corpus"
SPLITS = ("train", "dev", "test")
ROLES = {"docent", "ouder", "leerling", "school", "tolk", "anders"}
LANGUAGES = {"nl", "en"}
MAX_SHARED_4GRAMS = 0.20


def _files(split):
    return sorted((CORPUS / split).glob("*.json"))


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _all():
    return [p for split in SPLITS for p in _files(split)]


def _grams(conv) -> set:
    words = re.findall(r"\w+", " ".join(text for _, text in conv["turns"]).lower())
    return {tuple(words[i:i + 4]) for i in range(len(words) - 3)}


def test_corpus_is_big_enough_with_a_real_test_split():
    counts = {split: len(_files(split)) for split in SPLITS}
    assert sum(counts.values()) >= 100, counts
    assert counts["test"] >= 30, counts
    assert counts["train"] >= 1 and counts["dev"] >= 1, counts


def test_ids_are_unique_and_match_file_names():
    ids = [(p.stem, _load(p).get("id")) for p in _all()]
    assert all(stem == cid for stem, cid in ids), [stem for stem, cid in ids if stem != cid]
    assert len({cid for _, cid in ids}) == len(ids)


@pytest.mark.parametrize("path", _all(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_conversation_follows_the_shared_format(path):
    conv = _load(path)
    name = path.stem  # messages name the file and the field, never its text
    assert conv.get("language") in LANGUAGES, name
    assert isinstance(conv.get("kind"), str) and conv["kind"], name
    speakers = conv.get("speakers")
    assert isinstance(speakers, dict) and set(speakers) <= ROLES, (name, "speaker roles")
    turns = conv.get("turns")
    assert isinstance(turns, list) and len(turns) >= 4, (name, "turns")
    assert all(isinstance(t, list) and len(t) == 2 and isinstance(t[1], str) and t[1].strip() for t in turns), \
        (name, "turn shape")
    used = {role for role, _ in turns}
    assert used == set(speakers), (name, "every speaker speaks and every speaker is declared")
    assert 2 <= len(used) <= 5, (name, len(used))
    assert set(conv.get("voices", {})) <= set(speakers), (name, "voices for undeclared roles")
    exp = conv.get("expected")
    assert isinstance(exp, dict), name
    for part in ("topics", "concerns"):
        assert isinstance(exp.get(part), list) and exp[part], (name, part)
        assert all(isinstance(alts, list) and alts and all(isinstance(a, str) and a for a in alts)
                   for alts in exp[part]), (name, part)
    assert isinstance(exp.get("actions"), list) and exp["actions"], (name, "actions")
    text = " ".join(t for _, t in turns).lower()
    for n, action in enumerate(exp["actions"]):
        assert action.get("owner") in ROLES | {"samen", "school"}, (name, n, "owner")
        assert isinstance(action.get("what"), str) and action["what"], (name, n, "what")
        keys = action.get("keys")
        assert isinstance(keys, list) and keys, (name, n, "keys")
        missing = [k for k, key in enumerate(keys) if not any(alt.strip().lower() in text for alt in key.split("|"))]
        assert not missing, (name, f"action {n}: keys {missing} are said nowhere in the turns")
    for part in ("topics", "concerns"):
        missing = [k for k, alts in enumerate(exp[part]) if not any(a.lower() in text for a in alts)]
        assert not missing, (name, f"{part} {missing} are said nowhere in the turns")


def test_no_two_conversations_share_more_than_a_fifth_of_their_4grams():
    grams = {f"{p.parent.name}/{p.stem}": _grams(_load(p)) for p in _all()}
    worst = []
    for (a, ga), (b, gb) in combinations(grams.items(), 2):
        smaller = min(len(ga), len(gb))
        share = len(ga & gb) / smaller if smaller else 1.0
        if share > MAX_SHARED_4GRAMS:
            worst.append((a, b, round(share, 3)))
    assert not worst, worst
