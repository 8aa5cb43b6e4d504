"""Corrections never rewrite history: each is a new summary version with who, role, when, why and a diff."""
import hashlib

import pytest

from casefile_helpers import new_conversation, open_archive, summary
from transkript_kernel.errors import InputError, NotFoundError


def test_corrections_are_new_versions_with_a_readable_diff():
    archive = open_archive()
    conv = new_conversation(archive)
    assert archive.versions(conv.id) == [] and archive.summary(conv.id) is None
    v1 = archive.save_summary(conv.id, summary(), by="Juf Sanne", role="docent", reason="eerste versie")
    first_file = archive.data_dir / archive.store.one("SELECT file FROM summaries")["file"]
    first_hash = hashlib.sha256(first_file.read_bytes()).hexdigest()
    corrected = summary(action="Twee keer per week extra lezen")
    v2 = archive.save_summary(conv.id, corrected, by="Moeder Testkind", role="ouder",
                              reason="Het is twee keer per week afgesproken")
    v3 = archive.save_summary(conv.id, corrected, by="Juf Sanne", role="docent", reason="akkoord, geen wijziging")
    assert (v1, v2, v3) == (1, 2, 3)
    versions = archive.versions(conv.id)
    assert [(v.version, v.by, v.role) for v in versions] == [(1, "Juf Sanne", "docent"),
                                                            (2, "Moeder Testkind", "ouder"), (3, "Juf Sanne", "docent")]
    assert versions[1].reason == "Het is twee keer per week afgesproken" and versions[1].at
    assert archive.summary(conv.id).actions[0].text.startswith("Twee keer")
    assert archive.summary(conv.id, 1).actions[0].text.startswith("Drie keer")
    text = archive.diff(conv.id, 1, 2)
    assert "- Drie keer per week extra lezen (wie: docent, wanneer: volgende week)" in text
    assert "+ Twee keer per week extra lezen (wie: docent, wanneer: volgende week)" in text
    assert "versie 1 (docent, Juf Sanne" in text and "versie 2 (ouder, Moeder Testkind" in text
    assert "{" not in text  # readable lines, not JSON
    assert archive.diff(conv.id, 2, 3) == ""
    assert hashlib.sha256(first_file.read_bytes()).hexdigest() == first_hash  # version 1 untouched
    assert archive.search("twee keer")["id"].tolist() == [conv.id]


def test_corrections_need_a_known_role_a_name_and_a_reason():
    archive = open_archive()
    conv = new_conversation(archive)
    for kw in ({"by": "x", "role": "buurvrouw", "reason": "r"}, {"by": "x", "role": "ouder", "reason": "  "},
               {"by": "", "role": "ouder", "reason": "r"}):
        with pytest.raises(InputError):
            archive.save_summary(conv.id, summary(), **kw)
    assert archive.versions(conv.id) == []
    with pytest.raises(NotFoundError):
        archive.summary(conv.id, 7)


def test_a_final_report_can_still_be_corrected_as_a_new_version():
    """Rectification (AVG art. 16) stays possible; the definitive versions before it remain."""
    archive = open_archive()
    conv = new_conversation(archive)
    archive.save_summary(conv.id, summary(), by="Juf Sanne", role="docent", reason="eerste versie")
    archive.finalize(conv.id)
    assert archive.save_summary(conv.id, summary(topic="Spelling"), by="Sem", role="leerling",
                                reason="het ging over spelling") == 2
    assert archive.get(conv.id).status == "definitief"
