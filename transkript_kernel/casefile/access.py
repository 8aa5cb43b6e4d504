"""Right of access: everything stored about one pupil, as one zip, for a parent's or pupil's request.

An export is of one pupil identity (``P-…``, :meth:`Archive.pupils`), never of a name: two children called
"Noa Bakker" are two identities. By name it works when exactly one identity has that name (case and accents
ignored, never part of a name); with several it refuses and lists each one's id, groups and dates. Whether recordings go in is school policy (:class:`AccessPolicy`, default: no); when
they are left out, the README in the zip says so and why.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

from traitlets import Bool
from traitlets.config import Configurable

from ..errors import NotFoundError


class AccessPolicy(Configurable):
    """What a right-of-access export may contain."""

    share_recordings_with_parents = Bool(False, help="Whether recordings may be shared with parents. Default no: "
                                                     "exports leave recordings out and say why.").tag(config=True)


_README_NL = """Inzage: alles wat Transkript over {pupil} bewaart
Gemaakt op {at}. Aantal gesprekken: {n}.

Per gesprek een map met:
- gesprek.json: gegevens van het gesprek, de deelnemers, aantekeningen en alle toestemmingen
  (wie, wanneer, hoe, doel, bewaartermijn, mening van de leerling, intrekking);
- transcripten/: het oorspronkelijke transcript (revisie 0) en elke nagekeken revisie;
- samenvattingen/: elke versie van de samenvatting, versies.json (wie, rol, wanneer, waarom)
  en de verschillen tussen opeenvolgende versies;
- exports/: de verslagen (PDF) die zijn gemaakt.
{recordings_nl}
"""
_README_EN = """Access request: everything Transkript keeps about {pupil}
Made on {at}. Conversations: {n}.

One folder per conversation with: conversation data, participants, notes and every consent record; the
original transcript (revision 0) and each reviewed revision; every summary version with who, role, when and
why, and the differences between versions; the reports (PDF) that were made.
{recordings_en}
"""


def export_pupil(archive, pupil: str | None, out: str | Path, *, actor: str | None = None,
                 pupil_id: str | None = None) -> Path:
    """Write ``out`` (a .zip) with everything about one pupil (by ``pupil_id``, or by a name only one identity
    has); :class:`NotFoundError` if there is nothing, :class:`AmbiguousPupilError` if the name is not enough."""
    from .. import settings
    from ..atomic import atomic_open
    from .consent import now
    from .versions import diff

    from .archive import AmbiguousPupilError

    if pupil_id is None:
        found = archive.pupils(pupil or "") if (pupil or "").strip() else []
        if len(found) > 1:
            raise AmbiguousPupilError(pupil, found)
        pupil_id = found[0]["id"] if found else None
    ids = archive.ids(pupil_id=pupil_id) if pupil_id else []
    if not ids:
        pupil = pupil or pupil_id
        raise NotFoundError(f"Er staat niets over leerling {pupil!r} in het archief (de naam moet precies "
                            "kloppen).", f"Nothing is stored about pupil {pupil!r} (the name must match exactly).")
    share = settings.get(AccessPolicy, archive.data_dir).share_recordings_with_parents
    any_recording = False
    name = archive.get(ids[0]).pupil
    with atomic_open(out, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as z:
        for cid in ids:
            conv = archive.get(cid)
            base = f"{conv.date}-{conv.kind}-{cid}"
            record = conv.to_dict()
            record["consents"] = [c.__dict__ for c in archive.consents(cid)]
            record.pop("recording_sha256", None)
            z.writestr(f"{base}/gesprek.json", json.dumps(record, ensure_ascii=False, indent=1))
            for rev in archive.transcript_revisions(cid):
                label = "0-origineel" if rev["revision"] == 0 else str(rev["revision"])
                z.writestr(f"{base}/transcripten/revisie-{label}.json", archive.read_file(rev["file"]))
            versions = archive.versions(cid)
            for v in versions:
                z.writestr(f"{base}/samenvattingen/versie-{v.version}.json",
                           archive.summary(cid, v.version).to_json())
            if versions:
                z.writestr(f"{base}/samenvattingen/versies.json",
                           json.dumps([v.to_dict() for v in versions], ensure_ascii=False, indent=1))
            for a, b in zip(versions, versions[1:]):
                z.writestr(f"{base}/samenvattingen/verschil-{a.version}-{b.version}.txt",
                           diff(archive.summary(cid, a.version), archive.summary(cid, b.version),
                                a_label=a.label(), b_label=b.label()) + "\n")
            for i, e in enumerate(archive.exports(cid), 1):
                z.writestr(f"{base}/exports/{i}-{e['path'].name}", archive.read_bytes(e["path"]))
            rec = archive.recording_path(cid)
            if rec is not None:
                any_recording = True
                if share:
                    with archive.recording_file(cid) as plain:
                        z.write(plain, f"{base}/opname/opname{rec.suffix}")
        if any_recording and not share:
            rec_nl = ("\nDe geluidsopnamen zitten NIET in deze export: het beleid van de school is dat opnamen "
                      "niet met ouders worden gedeeld (instelling AccessPolicy.share_recordings_with_parents). "
                      "U kunt de opname op school laten afspelen.")
            rec_en = ("\nThe audio recordings are NOT included: school policy is not to share recordings with "
                      "parents (setting AccessPolicy.share_recordings_with_parents). You can listen to the "
                      "recording at school.")
        elif any_recording:
            rec_nl, rec_en = "\nDe geluidsopnamen staan in de map opname/.", "\nThe recordings are in opname/."
        else:
            rec_nl, rec_en = "\nEr zijn geen geluidsopnamen (meer) bewaard.", "\nNo recordings are (still) stored."
        values = {"pupil": name, "at": now(), "n": len(ids)}
        z.writestr("README.txt", _README_NL.format(recordings_nl=rec_nl, **values) + "\n---\n\n" +
                   _README_EN.format(recordings_en=rec_en, **values))
    for cid in ids:
        archive.log("access-export", cid, actor)
    return Path(out)
