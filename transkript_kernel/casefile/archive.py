"""The case file: every conversation with its consent, recording, transcripts, summary versions and exports.

Facts live in SQLite (:mod:`.store`), files in one folder per conversation beside it::

    <data>/archive.sqlite3
    <data>/conversations/<id>/recording/r-<token>.<ext>      never edited; deleted by retention or withdrawal
    <data>/conversations/<id>/transcripts/t-<token>.json     revision 0 is the original, never edited
    <data>/conversations/<id>/summaries/s-<token>.json       one file per version
    <data>/conversations/<id>/exports/<name>.pdf

Everything in ``conversations/`` is encrypted at rest (AES-256-GCM, :mod:`.crypto`) and so is the database
(SQLCipher, :mod:`.store`); the key comes from :mod:`.keys`. Code outside the case file never opens these files
itself: it asks :meth:`Archive.read_file`, :meth:`Archive.decrypted` or :meth:`Archive.recording_file` (a private
plaintext copy for a program that needs a path, deleted afterwards).

Copies handed out elsewhere (a batch's PDF, transcript.json and summary.json in its output folder) are
registered with the conversation by absolute path (:meth:`Archive.register_copy`), so withdrawal and deletion
remove them too.

Files get unique names and are written before the row that points at them, under an intent recorded in the
database: a crash at any moment leaves either a finished step or a leftover that :meth:`Archive.repair`
removes (file writes) or completes (deletions). Nothing already committed is ever touched by a repair.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import io
import secrets
import shutil
from contextlib import contextmanager
from datetime import date as Date
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import audit
from . import crypto
from . import encrypt
from . import keys as keys_mod
from . import rekey
from . import consent as consent_mod
from . import search as search_index
from .. import settings
from ..atomic import atomic_open, sha256_file, write_bytes
from ..conversation import KINDS, RECORDING_EXTENSIONS, STATUSES, ConsentRecord, Conversation, Participant
from ..errors import (ConsentRefusedError, DuplicateError, EmptyAudioError, InputError, NotFoundError, StorageError,
                     UnsupportedFormatError)
from ..formatting import Text, safe_name
from .store import DB_NAME, DatabaseError, Store, fts_query
from ..summary import Summary
from ..transcript import Transcript
from .versions import Version, diff as diff_summaries, lines as summary_lines, validate_role

ID_PATTERN = re.compile(r"^\d{8}-[0-9a-f]{8}$")
_OWN_FILE = re.compile(r"^[rts]-[0-9a-f]{16}(\.[a-z0-9]{1,5})?$")  # names _new_file gives
LIST_COLUMNS = ["id", "pupil", "group", "age_band", "date", "kind", "language", "status", "consent",
                "recording", "transcripts", "summaries", "sensitive", "created_at", "shared_at", "finalized_at"]
SEARCH_COLUMNS = ["id", "pupil", "group", "date", "kind", "status", "snippet", "score", "field", "segment", "start"]
# kinds of export and copy that hold (part of) the transcript: withdrawal deletes them even when the report is final
TRANSCRIPT_KINDS = ("transcript", "notebook", "log", "pdf-transcript")


def pupil_key(name: str) -> str:
    """Names compare without case, accents or extra spaces ("Noé  Jansen" = "noe jansen")."""
    return consent_mod.normalize(name)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child that nobody reaped yet is gone for our purposes
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


class Archive:
    """The case file of one data directory. Safe to open in several processes at once (app + batch)."""

    def __init__(self, data_dir: str | os.PathLike | None = None, *, repair: bool = True):
        self.data_dir = Path(data_dir).expanduser() if data_dir else settings.data_dir()
        settings.secure_umask()
        _make_private(self.data_dir)
        self._open_lock = rekey.hold_open(self.data_dir)  # held while open: refuses a key change, waits for one
        try:
            rekey.recover(self.data_dir)  # a key change stopped half-way: undone or finished, before the key
            self.keys = keys_mod.archive_keys(self.data_dir)  # None only in the test-only plaintext mode
            if self.keys is not None:
                encrypt.ensure(self.data_dir, self.keys)  # an archive from before encryption: once, all or nothing
            self.store = Store(self.data_dir / DB_NAME, key=self.keys.database if self.keys else None)
        except BaseException:
            self._open_lock.close()
            raise
        self.notices: list[Text] = []  # for the user, e.g. a cloud-sync warning
        from .cloudsync import detect

        cloud = detect(self.data_dir)
        if cloud:
            self.notices.append(cloud.warning())
        if repair:
            self.repair()
            sweep_uploads()
            sweep_scratch()

    def close(self) -> None:
        self.store.close()
        self._open_lock.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def consent_policy(self):
        """The school's consent policy as set in this archive's own folder (not the default data folder)."""
        return settings.get(consent_mod.ConsentPolicy, self.data_dir)

    def consent_state(self, conversation_id: str) -> str:
        """'given', 'refused' or 'withdrawn' — one cheap query, for open tabs to check before every action."""
        row = self.store.one(
            "SELECT k.withdrawn_at, k.given, k.pupil_view FROM consents k JOIN conversations c ON c.num = "
            "k.conversation WHERE c.id = ? ORDER BY k.num DESC LIMIT 1", (self._check_id(conversation_id),))
        if row is None:
            raise self._unknown(conversation_id)
        if row["withdrawn_at"]:
            return "withdrawn"
        return "refused" if not row["given"] or row["pupil_view"] == "refused" else "given"

    def _require_consent(self, conversation_id: str, what: Text, *, transcript: bool) -> None:
        """Inside the write's own transaction (under the write lock, so a withdrawal in another tab or process
        cannot slip in between): a transcript, or anything holding it, needs consent that allows the recording;
        nothing at all is written back to a conversation whose consent was withdrawn."""
        state = self.consent_state(conversation_id)
        if state == "withdrawn" or (transcript and state != "given"):
            word = {"withdrawn": ("ingetrokken", "withdrawn")}.get(state, ("geweigerd", "refused"))
            raise ConsentRefusedError(f"De toestemming voor gesprek {conversation_id} is {word[0]}: {what.nl} wordt "
                                      "niet opgeslagen.",
                                      f"Consent for conversation {conversation_id} was {word[1]}: {what.en} is not "
                                      "saved.")

    # --- paths ----------------------------------------------------------------------------------------------
    def _num(self, conversation_id: str) -> int:
        row = self.store.one("SELECT num FROM conversations WHERE id = ?", (self._check_id(conversation_id),))
        if row is None:
            raise self._unknown(conversation_id)
        return row["num"]

    @staticmethod
    def _check_id(conversation_id) -> str:
        if not isinstance(conversation_id, str) or not ID_PATTERN.match(conversation_id):
            raise Archive._unknown(conversation_id)
        return conversation_id

    @staticmethod
    def _unknown(conversation_id) -> NotFoundError:
        shown = repr(conversation_id)[:60]
        return NotFoundError(f"Gesprek {shown} bestaat niet in het archief.",
                             f"Conversation {shown} does not exist in the archive.")

    def conversation_dir(self, conversation_id: str) -> Path:
        """The conversation's folder (may not exist yet: it is made when the first file is stored)."""
        self._num(conversation_id)
        return self._dir(conversation_id)

    def _dir(self, conversation_id: str) -> Path:
        return self.data_dir / "conversations" / self._check_id(conversation_id)

    def _rel(self, path: Path) -> str:
        return Path(path).resolve().relative_to(self.data_dir.resolve()).as_posix()

    def _inside(self, path: Path) -> bool:
        return self.data_dir.resolve() in Path(path).resolve().parents

    def _ref(self, path: Path) -> str:
        """How a row names a file: relative inside the data folder, absolute for a registered copy outside."""
        return self._rel(path) if self._inside(path) else Path(path).resolve().as_posix()

    def _discard(self, path: Path) -> None:
        _remove(path, prune=self._inside(path))  # never tidy up folders outside the case file

    def _abs(self, rel: str, *, copy: bool = False) -> Path:
        """The file a row names. Only registered copies may lie outside the data folder: any other path that
        leads out (absolute, '..', a link) is refused, so a restored or tampered database cannot make a read or a
        repair reach elsewhere."""
        path = Path(rel)
        if copy and path.is_absolute():
            return path
        full = self.data_dir / path
        if path.is_absolute() or not self._inside(full):
            raise StorageError(f"Het archief verwijst naar een bestand buiten de archiefmap ({str(rel)[:80]!r}); "
                               "dat wordt geweigerd. Is de database vervangen of beschadigd?",
                               f"The archive refers to a file outside its folder ({str(rel)[:80]!r}); refused. "
                               "Was the database replaced or damaged?")
        return full

    # --- encrypted files ------------------------------------------------------------------------------------
    def _sealed(self, data: bytes) -> bytes:
        return crypto.encrypt_bytes(self.keys, data) if self.keys else data

    def _seal_file(self, src: Path, dst: Path) -> None:
        """Copy ``src`` into the case file at ``dst`` (atomic), encrypted in chunks."""
        with open(src, "rb") as fin, atomic_open(dst, "wb") as fout:
            crypto.seal_stream(self.keys, fin, fout, hashed=False)

    def _plain_into(self, path: Path, fout) -> None:
        with open(path, "rb") as fin:
            if self.keys and fin.read(len(crypto.MAGIC)) == crypto.MAGIC:
                fin.seek(0)
                crypto.decrypt_stream(self.keys, fin, fout, name=path.name)
            else:  # the plaintext test mode
                fin.seek(0)
                shutil.copyfileobj(fin, fout, 1 << 20)

    def read_bytes(self, path: str | os.PathLike) -> bytes:
        """The plaintext of a file of the case file (or of a registered copy outside it, which is plain)."""
        out = io.BytesIO()
        self._plain_into(Path(path), out)
        return out.getvalue()

    def read_file(self, rel: str) -> bytes:
        """The plaintext of the file a row names (relative to the data folder; kept inside it)."""
        return self.read_bytes(self._abs(rel))

    @contextmanager
    def decrypted(self, path: str | os.PathLike) -> Iterator[Path]:
        """A plaintext copy of a case-file file under the same name, for a program that needs a path (audio
        decoding, pdftoppm, a mail draft): 0600 in a private scratch folder (RAM-backed when the system offers
        one), deleted when the block ends; one left by a killed program is swept at the next start."""
        path = Path(path)
        if not (self.keys and crypto.is_encrypted(path)):
            yield path
            return
        folder = scratch_dir()
        try:
            target = folder / path.name
            with open(target, "xb") as fout:
                self._plain_into(path, fout)
            yield target
        finally:
            _remove(folder, prune=False)

    @contextmanager
    def recording_file(self, conversation_id: str) -> Iterator[Path | None]:
        """The recording as a plaintext file for decoding (None when there is none), removed afterwards."""
        path = self.recording_path(conversation_id)
        if path is None:
            yield None
            return
        with self.decrypted(path) as plain:
            yield plain

    def _load(self, cls, path: Path):
        return cls.read(lambda: self.read_bytes(path).decode("utf-8"), path.name)

    # --- crash-safe file steps ------------------------------------------------------------------------------
    def _intend(self, op: str, paths: Iterable[Path]) -> list[int]:
        nums = []
        with self.store.transaction() as conn:
            for p in paths:
                cur = conn.execute("INSERT INTO intents (op, path, pid, at) VALUES (?, ?, ?, ?)",
                                   (op, self._rel(p), os.getpid(), consent_mod.now()))
                nums.append(cur.lastrowid)
        return nums

    def _done(self, conn, nums: Iterable[int]) -> None:
        conn.executemany("DELETE FROM intents WHERE num = ?", [(n,) for n in nums])

    def _abandon(self, paths: Iterable[Path], nums: Iterable[int]) -> None:
        for p in paths:
            self._discard(p)
        try:
            with self.store.transaction() as conn:
                self._done(conn, nums)
        except StorageError:
            pass  # e.g. disk still full: the next repair() finishes the clean-up

    def _new_file(self, conversation_id: str, folder: str, prefix: str, suffix: str) -> Path:
        return self._dir(conversation_id) / folder / f"{prefix}-{secrets.token_hex(8)}{suffix}"

    def _store_file(self, conversation_id: str, path: Path, write: Callable[[Path], None],
                    commit: Callable) -> object:
        """Write ``path`` then run ``commit(conn)`` in one transaction; undo the file if anything fails."""
        nums = self._intend("write", [path])
        try:
            write(path)
            with self.store.transaction() as conn:
                result = commit(conn)
                self._done(conn, nums)
            return result
        except BaseException:
            self._abandon([path], nums)
            raise

    def _delete_paths(self, conn, paths: Iterable[Path], shas: dict | None = None) -> list[int]:
        """Inside a transaction that removes rows: record that these files must go (done after commit). A copy
        outside the case file carries its registered hash: it is deleted only while it is still that file."""
        nums = []
        for p in paths:
            cur = conn.execute("INSERT INTO intents (op, path, pid, at, sha256) VALUES ('delete', ?, ?, ?, ?)",
                               (self._ref(p), os.getpid(), consent_mod.now(), (shas or {}).get(p)))
            nums.append(cur.lastrowid)
        return nums

    def _finish_deletes(self, paths: Iterable[Path], nums: list[int], shas: dict | None = None) -> None:
        for p in paths:
            self._discard_checked(p, (shas or {}).get(p))
        with self.store.transaction() as conn:
            self._done(conn, nums)

    def _discard_checked(self, path: Path, sha: str | None) -> bool:
        """Delete a file of ours; one outside the data folder only if it still has the hash it was registered
        with (a changed or replaced file there is not ours to delete: the user is told). True if gone."""
        if self._inside(path):
            self._discard(path)
            return True
        if not path.exists() and not path.is_symlink():
            return True
        if path.is_file() and not path.is_symlink() and sha and sha256_file(path) == sha:
            self._discard(path)
            return True
        self.notices.append(Text(f"Kopie {path} is veranderd of onbekend en is niet verwijderd; verwijder hem zelf "
                                 "als hij over dit gesprek gaat.",
                                 f"Copy {path} has changed or is unknown and was not deleted; delete it yourself "
                                 "if it is about this conversation."))
        return False

    # --- conversations --------------------------------------------------------------------------------------
    def create(self, *, pupil: str, date: str, kind: str, language: str = "nl", group: str = "",
               age_band: str = "", participants: Iterable = (), consent: ConsentRecord | None,
               circumstances: Iterable[str] = (), notes: str = "", sensitive: bool = False,
               leaves_school: str | None = None, actor: str | None = None, pupil_id: str | None = None,
               pupil_number: str = "", birth_date: str = "", new_pupil: bool = False) -> Conversation:
        """A new conversation in status 'concept'. Forbidden kinds raise :class:`ForbiddenKindError` and store
        nothing; a refusal is stored (the conversation can hold written notes) but allows no recording."""
        pupil = " ".join(str(pupil or "").split())
        if not pupil:
            raise InputError("Vul de naam van de leerling in.", "Enter the pupil's name.")
        date = _iso_date(date, "datum", "date")
        if leaves_school:
            leaves_school = _iso_date(leaves_school, "vertrekdatum", "leaving date")
        try:
            consent_mod.check(kind, consent, circumstances=circumstances, age_band=age_band,
                              policy=self.consent_policy())
        except consent_mod.ForbiddenKindError:
            audit.log(self.store, "refused", None, actor)
            raise
        if kind not in KINDS:
            raise InputError(f"Onbekend soort gesprek {kind!r}; kies uit {', '.join(KINDS)}.",
                             f"Unknown kind of conversation {kind!r}; choose from {', '.join(KINDS)}.")
        if consent is None:
            raise InputError("Leg eerst de toestemming vast (gegeven of geweigerd).",
                             "Record consent first (given or refused).")
        parts = [p if isinstance(p, Participant) else Participant(**p) if isinstance(p, dict) else Participant(*p)
                 for p in participants]
        pupil_number = " ".join(str(pupil_number or "").split())
        birth_date = _iso_date(birth_date, "geboortedatum", "birth date") if birth_date else ""
        created = consent_mod.now()
        conv_id = date.replace("-", "") + "-" + secrets.token_hex(4)
        with self.store.transaction() as conn:
            pid = self._pupil_identity(conn, pupil, pupil_id, pupil_number, birth_date, new_pupil, created)
            cur = conn.execute(
                "INSERT INTO conversations (id, pupil, pupil_key, grp, age_band, date, kind, language, participants,"
                " notes, sensitive, leaves_school, created_at, pupil_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (conv_id, pupil, pupil_key(pupil), group.strip(), age_band.strip(), date, kind, language,
                 json.dumps([p.__dict__ for p in parts], ensure_ascii=False), notes, int(bool(sensitive)),
                 leaves_school, created, pid))
            num = cur.lastrowid
            self._insert_consent(conn, num, consent)
            self.store.index(num, meta=self._meta_text(pupil, group, kind, date, parts), notes=notes)
            audit.log(self.store, "create", conv_id, actor)
            audit.log(self.store, "consent", conv_id, actor)
        return self.get(conv_id)

    # --- pupils -------------------------------------------------------------------------------------------------
    def _pupil_identity(self, conn, name: str, pupil_id, number: str, birth: str, new: bool, at: str) -> str:
        """The pupil's stable id: the one given; else the one identity with this name whose number and birth date
        do not contradict (filling in what was missing); else a new one (also when ``new``). Several candidates
        → :class:`AmbiguousPupilError` listing them, so the teacher picks one (``--pupil-id``)."""
        if pupil_id:
            if conn.execute("SELECT 1 FROM pupils WHERE id = ?", (pupil_id,)).fetchone() is None:
                raise NotFoundError(f"Leerling {str(pupil_id)[:40]!r} bestaat niet in het archief.",
                                    f"Pupil {str(pupil_id)[:40]!r} does not exist in the archive.")
            return pupil_id
        key = pupil_key(name)
        if not new:
            found = [r for r in conn.execute("SELECT * FROM pupils WHERE name_key = ? ORDER BY num", (key,))
                     if (not number or not r["pupil_number"] or r["pupil_number"] == number)
                     and (not birth or not r["birth_date"] or r["birth_date"] == birth)]
            exact = [r for r in found if (number or birth) and (not number or r["pupil_number"] == number)
                     and (not birth or r["birth_date"] == birth)]
            found = exact if len(exact) == 1 else found  # a matching number or birth date tells them apart
            if len(found) > 1:
                raise AmbiguousPupilError(name, self.pupils(name))
            if found:
                conn.execute("UPDATE pupils SET pupil_number = CASE WHEN pupil_number = '' THEN ? ELSE pupil_number "
                             "END, birth_date = CASE WHEN birth_date = '' THEN ? ELSE birth_date END WHERE id = ?",
                             (number, birth, found[0]["id"]))
                return found[0]["id"]
        new_id = "P-" + secrets.token_hex(5)
        conn.execute("INSERT INTO pupils (id, name, name_key, pupil_number, birth_date, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)", (new_id, name, key, number, birth, at))
        return new_id

    def pupils(self, name: str | None = None) -> list[dict]:
        """Pupil identities (all, or those with exactly this name): id, name, number, birth date, and the groups
        and dates of their conversations — what a teacher needs to tell two children with one name apart."""
        rows = self.store.rows("SELECT * FROM pupils" + (" WHERE name_key = ?" if name else "") + " ORDER BY num",
                               (pupil_key(name),) if name else ())
        out = []
        for r in rows:
            convs = self.store.rows("SELECT grp, date FROM conversations WHERE pupil_id = ? ORDER BY date", (r["id"],))
            out.append({"id": r["id"], "name": r["name"], "pupil_number": r["pupil_number"],
                        "birth_date": r["birth_date"], "groups": sorted({c["grp"] for c in convs if c["grp"]}),
                        "dates": [c["date"] for c in convs]})
        return out

    def pupil_id(self, conversation_id: str) -> str | None:
        row = self.store.one("SELECT pupil_id FROM conversations WHERE id = ?", (self._check_id(conversation_id),))
        if row is None:
            raise self._unknown(conversation_id)
        return row["pupil_id"]

    @staticmethod
    def _meta_text(pupil, group, kind, date, participants) -> str:
        return " ".join([pupil, group, kind, date, *(p.name for p in participants)])

    @staticmethod
    def _insert_consent(conn, num: int, c: ConsentRecord) -> None:
        conn.execute("INSERT INTO consents (conversation, given, by_role, name, at, how, purpose, retention_notice,"
                     " pupil_view, withdrawn_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (num, int(bool(c.given)), c.by, c.name or "", c.at, c.how, c.purpose, c.retention_notice,
                      c.pupil_view, c.withdrawn_at))

    def get(self, conversation_id: str) -> Conversation:
        row = self.store.one("SELECT * FROM conversations WHERE id = ?", (self._check_id(conversation_id),))
        if row is None:
            raise self._unknown(conversation_id)
        return self._conversation(row)

    def _conversation(self, row) -> Conversation:
        c = self.store.one("SELECT * FROM consents WHERE conversation = ? ORDER BY num DESC LIMIT 1", (row["num"],))
        consent = None if c is None else ConsentRecord(
            given=bool(c["given"]), by=c["by_role"], at=c["at"], how=c["how"], purpose=c["purpose"],
            retention_notice=c["retention_notice"], pupil_view=c["pupil_view"], withdrawn_at=c["withdrawn_at"],
            name=c["name"])
        return Conversation(
            id=row["id"], pupil=row["pupil"], date=row["date"], kind=row["kind"], language=row["language"],
            group=row["grp"], age_band=row["age_band"],
            participants=[Participant(**p) for p in json.loads(row["participants"])], status=row["status"],
            consent=consent, notes=row["notes"], sensitive=bool(row["sensitive"]),
            leaves_school=row["leaves_school"], created_at=row["created_at"], shared_at=row["shared_at"],
            finalized_at=row["finalized_at"],
            recording=Path(row["recording"]).name if row["recording"] else None,
            recording_sha256=row["recording_sha256"])

    def consents(self, conversation_id: str) -> list[ConsentRecord]:
        """Every consent record of the conversation, oldest first (a new answer never overwrites the old)."""
        rows = self.store.rows("SELECT * FROM consents WHERE conversation = ? ORDER BY num",
                               (self._num(conversation_id),))
        return [ConsentRecord(given=bool(c["given"]), by=c["by_role"], at=c["at"], how=c["how"],
                              purpose=c["purpose"], retention_notice=c["retention_notice"],
                              pupil_view=c["pupil_view"], withdrawn_at=c["withdrawn_at"], name=c["name"])
                for c in rows]

    def record_consent(self, conversation_id: str, consent: ConsentRecord, *, actor: str | None = None) -> None:
        """A new answer (e.g. consent given after all); the earlier record stays."""
        conv = self.get(conversation_id)
        consent_mod.check(conv.kind, consent, age_band=conv.age_band, policy=self.consent_policy())
        with self.store.transaction() as conn:
            self._insert_consent(conn, self._num(conversation_id), consent)
            audit.log(self.store, "consent", conversation_id, actor)

    def set_notes(self, conversation_id: str, notes: str, *, actor: str | None = None) -> None:
        num = self._num(conversation_id)
        with self.store.transaction() as conn:
            conn.execute("UPDATE conversations SET notes = ? WHERE num = ?", (notes or "", num))
            self.store.index(num, notes=notes or "")
            audit.log(self.store, "correction", conversation_id, actor)

    # --- the recording --------------------------------------------------------------------------------------
    def import_recording(self, conversation_id: str, path: str | os.PathLike, *, actor: str | None = None) -> Path:
        """Copy a recording into the case file (the source is left alone). Refused without consent; the same
        file (same SHA-256) is refused a second time, here or in any other conversation, and for good once its
        consent was withdrawn (the app's upload, `import` and a batch alike)."""
        conv = self.get(conversation_id)
        consent_mod.require_recording_allowed(conv, "import")
        src = Path(path)
        if src.is_dir() or not src.exists():
            raise InputError(f"Bestand {src.name!r} bestaat niet.", f"File {src.name!r} does not exist.")
        ext = src.suffix.lower()
        if ext not in RECORDING_EXTENSIONS:
            raise UnsupportedFormatError(f"{src.name!r} is geen ondersteund geluidsbestand ({ext or 'geen extensie'}).",
                                         f"{src.name!r} is not a supported audio file ({ext or 'no extension'}).")
        if src.is_file() and src.stat().st_size == 0:
            raise EmptyAudioError(f"{src.name!r} is leeg.", f"{src.name!r} is empty.")
        if conv.recording:  # refused before any copying (hashed only to say whether it is the same file)
            self._refuse_duplicate(conv, sha256_file(src) if src.is_file() else "")
        target = self._new_file(conversation_id, "recording", "r", ext if re.fullmatch(r"\.[a-z0-9]{1,5}", ext) else "")
        digest = {}

        def write(dst: Path) -> None:  # copy and hash in one pass: the source is read once (it may be a pipe)
            try:
                fin = open(src, "rb")
            except OSError as exc:
                raise InputError(f"Kan {src.name!r} niet lezen: {exc.strerror}",
                                 f"Cannot read {src.name!r}: {exc.strerror}") from exc
            with fin, atomic_open(dst, "wb") as fout:
                size, digest["sha"] = crypto.seal_stream(self.keys, fin, fout)
                if size == 0:
                    raise EmptyAudioError(f"{src.name!r} is leeg.", f"{src.name!r} is empty.")

        def commit(conn):
            current = self.get(conversation_id)  # re-read under the write lock: consent or a rival import
            consent_mod.require_recording_allowed(current, "import")
            if self.recording_withdrawn(digest["sha"]):  # the parents' last word, whichever face imports it
                raise ConsentRefusedError(
                    "De ouders hebben hun toestemming voor deze opname ingetrokken: ze wordt niet opnieuw opgenomen.",
                    "The parents withdrew their consent for this recording: it is not taken in again.")
            self._refuse_duplicate(current, digest["sha"])
            conn.execute("UPDATE conversations SET recording = ?, recording_sha256 = ?, recording_deleted_at = NULL"
                         " WHERE id = ?", (self._rel(target), digest["sha"], conversation_id))
            audit.log(self.store, "import", conversation_id, actor)

        self._store_file(conversation_id, target, write, commit)
        return target

    def _refuse_duplicate(self, conv: Conversation, sha: str) -> None:
        row = self.store.one("SELECT id FROM conversations WHERE recording_sha256 = ? AND recording IS NOT NULL",
                             (sha,))
        if row is not None:
            where = ("dit gesprek", "this conversation") if row["id"] == conv.id else (
                f"gesprek {row['id']}", f"conversation {row['id']}")
            raise DuplicateError(f"Deze opname (zelfde SHA-256) staat al in het archief bij {where[0]}.",
                                 f"This recording (same SHA-256) is already in the archive, in {where[1]}.")
        if conv.recording:
            raise DuplicateError("Dit gesprek heeft al een opname; maak een nieuw gesprek voor een andere opname.",
                                 "This conversation already has a recording; create a new conversation for another.")

    def find_recording(self, sha256: str) -> str | None:
        """The conversation holding the recording with this SHA-256, or None (a batch resumes by it)."""
        row = self.store.one("SELECT id FROM conversations WHERE recording_sha256 = ? AND recording IS NOT NULL",
                             (sha256,))
        return row["id"] if row else None

    def recording_withdrawn(self, sha256: str) -> bool:
        """True when consent for the recording with this SHA-256 was withdrawn, even after its conversation was
        deleted: the parents' last word, so a batch rerun with a manifest that still says 'given' refuses it."""
        return self.store.one("SELECT 1 FROM withdrawn_recordings WHERE sha256 = ?", (sha256,)) is not None

    def recording_path(self, conversation_id: str) -> Path | None:
        row = self.store.one("SELECT recording FROM conversations WHERE id = ?", (self._check_id(conversation_id),))
        if row is None:
            raise self._unknown(conversation_id)
        return self._abs(row["recording"]) if row["recording"] else None

    def delete_recording(self, conversation_id: str, *, actor: str | None = None) -> bool:
        """Delete the recording for real (file and path); True if there was one. Its SHA-256 stays (a hash of
        audio, no content), so a withdrawal after the recording is gone still knows which recording it was."""
        num = self._num(conversation_id)
        path = self.recording_path(conversation_id)
        if path is None:
            return False
        with self.store.transaction() as conn:
            nums = self._delete_paths(conn, [path])
            conn.execute("UPDATE conversations SET recording = NULL, recording_deleted_at = ? WHERE num = ?",
                         (consent_mod.now(), num))
            audit.log(self.store, "delete", conversation_id, actor)
        self._finish_deletes([path], nums)
        if path.exists():
            raise StorageError(f"De opname van {conversation_id} kon niet worden verwijderd.",
                               f"The recording of {conversation_id} could not be deleted.")
        return True

    # --- transcripts ----------------------------------------------------------------------------------------
    def save_transcript(self, conversation_id: str, transcript: Transcript, *, by: str) -> int:
        """Store a transcript revision: the first is the original and is never changed; a reviewed edit is a
        new revision. Returns the revision number (0 = original)."""
        num = self._num(conversation_id)
        data = (transcript.to_json() + "\n").encode("utf-8")
        path = self._new_file(conversation_id, "transcripts", "t", ".json")

        def commit(conn):
            self._require_consent(conversation_id, Text("het transcript", "the transcript"), transcript=True)
            rev = conn.execute("SELECT coalesce(max(revision) + 1, 0) FROM transcripts WHERE conversation = ?",
                               (num,)).fetchone()[0]
            conn.execute("INSERT INTO transcripts (conversation, revision, file, sha256, by, at) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         (num, rev, self._rel(path), hashlib.sha256(data).hexdigest(), by or "onbekend",
                          consent_mod.now()))
            self.store.index(num, transcript=transcript.text)
            search_index.set_passages(conn, num, "transcript", search_index.transcript_passages(transcript))
            if rev > 0:
                audit.log(self.store, "correction", conversation_id, by)
            return rev

        return self._store_file(conversation_id, path, lambda p: write_bytes(p, self._sealed(data)), commit)

    def transcript_revisions(self, conversation_id: str) -> list[dict]:
        return [dict(r) for r in self.store.rows(
            "SELECT revision, by, at, file FROM transcripts WHERE conversation = ? ORDER BY revision",
            (self._num(conversation_id),))]

    def transcript(self, conversation_id: str, revision: int | None = None) -> Transcript | None:
        """The latest (or a given) transcript revision; None if there is none."""
        num = self._num(conversation_id)
        sql = "SELECT file, sha256 FROM transcripts WHERE conversation = ? "
        row = self.store.one(sql + ("AND revision = ?" if revision is not None else "ORDER BY revision DESC LIMIT 1"),
                             (num, revision) if revision is not None else (num,))
        if row is None:
            if revision is not None:
                raise NotFoundError(f"Transcriptversie {revision} bestaat niet.", f"No transcript revision {revision}.")
            return None
        return self._load(Transcript, self._abs(row["file"]))

    def original_transcript(self, conversation_id: str) -> Transcript | None:
        num = self._num(conversation_id)
        if self.store.one("SELECT 1 FROM transcripts WHERE conversation = ? AND revision = 0", (num,)) is None:
            return None
        return self.transcript(conversation_id, 0)

    # --- summaries and versions ------------------------------------------------------------------------------
    def save_summary(self, conversation_id: str, summary: Summary, *, by: str, role: str, reason: str) -> int:
        """Store a new summary version (1 = the teacher's first); returns its number. Earlier versions stay."""
        num = self._num(conversation_id)
        validate_role(role)
        if not (by or "").strip() or not (reason or "").strip():
            raise InputError("Vul in wie de versie maakte en waarom.", "Say who made this version and why.")
        data = (summary.to_json() + "\n").encode("utf-8")
        path = self._new_file(conversation_id, "summaries", "s", ".json")

        def commit(conn):
            self._require_consent(conversation_id, Text("de samenvatting", "the summary"), transcript=False)
            version = conn.execute("SELECT coalesce(max(version), 0) + 1 FROM summaries WHERE conversation = ?",
                                   (num,)).fetchone()[0]
            conn.execute("INSERT INTO summaries (conversation, version, file, sha256, by, role, reason, at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (num, version, self._rel(path), hashlib.sha256(data).hexdigest(), by.strip(), role,
                          reason.strip(), consent_mod.now()))
            self.store.index(num, summary="\n".join(summary_lines(summary, summary.language)))
            audit.log(self.store, "correction" if version > 1 else "create", conversation_id, by)
            if any(w.kind == "sensitive" for w in summary.warnings):  # neutrality found a sensitive subject
                self._mark_sensitive(conn, num, conversation_id)
            return version

        return self._store_file(conversation_id, path, lambda p: write_bytes(p, self._sealed(data)), commit)

    def _mark_sensitive(self, conn, num: int, conversation_id: str) -> None:
        """A sensitive subject detected in the transcript marks the conversation sensitive (kept shorter, shown
        before export); once set it stays set. Audited as the system's doing, not a person's."""
        if conn.execute("UPDATE conversations SET sensitive = 1 WHERE num = ? AND sensitive = 0", (num,)).rowcount:
            audit.log(self.store, "sensitive", conversation_id, "systeem")

    def summary(self, conversation_id: str, version: int | None = None) -> Summary | None:
        """The latest (or a given) summary version; None if there is none yet."""
        num = self._num(conversation_id)
        if version is None:
            row = self.store.one("SELECT file FROM summaries WHERE conversation = ? ORDER BY version DESC LIMIT 1",
                                 (num,))
            return self._load(Summary, self._abs(row["file"])) if row else None
        row = self.store.one("SELECT file FROM summaries WHERE conversation = ? AND version = ?", (num, version))
        if row is None:
            raise NotFoundError(f"Versie {version} van de samenvatting bestaat niet.",
                                f"Summary version {version} does not exist.")
        return self._load(Summary, self._abs(row["file"]))

    def versions(self, conversation_id: str) -> list[Version]:
        return [Version(r["version"], r["by"], r["role"], r["at"], r["reason"]) for r in self.store.rows(
            "SELECT version, by, role, at, reason FROM summaries WHERE conversation = ? ORDER BY version",
            (self._num(conversation_id),))]

    def diff(self, conversation_id: str, a: int, b: int) -> str:
        labels = {v.version: v.label() for v in self.versions(conversation_id)}
        sa, sb = self.summary(conversation_id, a), self.summary(conversation_id, b)
        return diff_summaries(sa, sb, a_label=labels[a], b_label=labels[b], language=sb.language)

    # --- status ---------------------------------------------------------------------------------------------
    def set_status(self, conversation_id: str, status: str, *, actor: str | None = None) -> Conversation:
        """Move forward only: concept → gedeeld → definitief. 'gedeeld' starts the parents' response term."""
        conv = self.get(conversation_id)
        if status not in STATUSES:
            raise InputError(f"Onbekende status {status!r}; kies uit {', '.join(STATUSES)}.",
                             f"Unknown status {status!r}; choose from {', '.join(STATUSES)}.")
        if STATUSES.index(status) < STATUSES.index(conv.status):
            raise InputError(f"Een gesprek met status {conv.status!r} kan niet terug naar {status!r}.",
                             f"A conversation that is {conv.status!r} cannot go back to {status!r}.")
        if status == conv.status:
            return conv
        if status != "concept" and self.summary(conversation_id) is None:
            raise InputError("Er is nog geen samenvatting om te delen of definitief te maken.",
                             "There is no summary yet to share or finalise.")
        stamp = consent_mod.now()
        with self.store.transaction() as conn:
            conn.execute("UPDATE conversations SET status = ?, shared_at = coalesce(shared_at, ?), "
                         "finalized_at = CASE WHEN ? = 'definitief' THEN ? ELSE finalized_at END WHERE id = ?",
                         (status, stamp, status, stamp, conversation_id))
            audit.log(self.store, "finalise" if status == "definitief" else "status", conversation_id, actor)
        if status == "definitief":
            from . import retention

            retention.on_final(self, conversation_id)
        return self.get(conversation_id)

    def finalize(self, conversation_id: str, *, actor: str | None = None) -> Conversation:
        """Make the report definitive (parents confirmed, or their response term passed)."""
        return self.set_status(conversation_id, "definitief", actor=actor)

    # --- consent withdrawal ---------------------------------------------------------------------------------
    def withdraw_consent(self, conversation_id: str, *, actor: str | None = None) -> list[str]:
        """Delete at once the recording and everything derived from it that is not final. A definitive report
        (summary versions and PDFs) stays; transcripts always go. Returns what was deleted."""
        conv = self.get(conversation_id)
        num = self._num(conversation_id)
        final = conv.status == "definitief"
        paths: list[Path] = []
        deleted: list[str] = []
        rec = self.recording_path(conversation_id)
        if rec:
            paths.append(rec)
            deleted.append("recording")
        t_files = [self._abs(r["file"]) for r in self.store.rows(
            "SELECT file FROM transcripts WHERE conversation = ?", (num,))]
        s_files = [] if final else [self._abs(r["file"]) for r in self.store.rows(
            "SELECT file FROM summaries WHERE conversation = ?", (num,))]
        gone_exports = [e for e in self._export_rows(conversation_id) if not final or e["with_transcript"]]
        e_files = [e["path"] for e in gone_exports]
        shas = {e["path"]: e["sha256"] for e in gone_exports}
        deleted += ["transcripts"] * bool(t_files) + ["summaries"] * bool(s_files)
        deleted += ["exports"] * any(self._inside(p) for p in e_files)
        deleted += ["copies"] * any(not self._inside(p) for p in e_files)
        paths += t_files + s_files + e_files
        with self.store.transaction() as conn:
            nums = self._delete_paths(conn, paths, shas)
            conn.execute("UPDATE consents SET withdrawn_at = ? WHERE num = (SELECT max(num) FROM consents "
                         "WHERE conversation = ?)", (consent_mod.now(), num))
            conn.execute("INSERT OR IGNORE INTO withdrawn_recordings (sha256, at) SELECT recording_sha256, ? FROM "
                         "conversations WHERE num = ? AND recording_sha256 IS NOT NULL", (consent_mod.now(), num))
            conn.execute("UPDATE conversations SET recording = NULL, recording_sha256 = NULL, recording_deleted_at ="
                         " coalesce(recording_deleted_at, ?) WHERE num = ?", (consent_mod.now(), num))
            conn.execute("DELETE FROM transcripts WHERE conversation = ?", (num,))
            self.store.index(num, transcript="")
            if not final:
                conn.execute("DELETE FROM summaries WHERE conversation = ?", (num,))
                conn.execute("DELETE FROM exports WHERE conversation = ?", (num,))
                self.store.index(num, summary="")
            else:  # a final report stays, but not a PDF, notebook or copy that holds the transcript
                conn.execute("DELETE FROM exports WHERE conversation = ? AND with_transcript = 1", (num,))
            self.store.mark_scrub(conn)
            audit.log(self.store, "withdraw", conversation_id, actor)
            if deleted:
                audit.log(self.store, "delete", conversation_id, actor)
        self._finish_deletes(paths, nums, shas)
        self.store.scrub()
        left = [p for p in paths if p.exists() and (self._inside(p) or sha256_file(p) == shas.get(p))]
        if left:
            raise StorageError(f"{len(left)} bestand(en) konden niet worden verwijderd.",
                               f"{len(left)} file(s) could not be deleted.")
        return deleted

    # --- exports --------------------------------------------------------------------------------------------
    def add_export(self, conversation_id: str, path: str | os.PathLike, kind: str = "pdf",
                   *, actor: str | None = None, keep_name: bool = False) -> Path:
        """Keep an exported file (PDF, mail draft) with the conversation, encrypted; copied in unless already
        there (``keep_name``: under its own name when that is free, e.g. a PDF rendered in a scratch folder)."""
        num = self._num(conversation_id)
        src = Path(path)
        if not src.is_file():
            raise InputError(f"Bestand {src.name!r} bestaat niet.", f"File {src.name!r} does not exist.")
        folder = self.conversation_dir(conversation_id) / "exports"
        inside = src.resolve().parent == folder.resolve()
        name = safe_name(src.stem, ascii_only=True, max_length=60)
        target = src if inside else folder / f"{name}-{secrets.token_hex(4)}{_safe_ext(src.suffix)}"
        if keep_name and not inside and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}", src.name) \
                and not (folder / src.name).exists():
            target = folder / src.name
        plain_sha = hashlib.sha256(self.read_bytes(src)).hexdigest()

        def commit(conn):
            self._require_consent(conversation_id, Text("de export", "the export"),
                                  transcript=kind in TRANSCRIPT_KINDS or "-met-transcript" in src.name)
            conn.execute("INSERT INTO exports (conversation, file, kind, at, sha256, with_transcript) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         (num, self._rel(target), kind, consent_mod.now(), plain_sha,
                          int(kind in TRANSCRIPT_KINDS or "-met-transcript" in src.name)))
            audit.log(self.store, "export", conversation_id, actor)

        if inside:
            try:
                if self.keys and not crypto.is_encrypted(src):
                    self._seal_file(src, src)  # a file written straight into the case file: encrypted in place
                with self.store.transaction() as conn:
                    commit(conn)
            except ConsentRefusedError:
                self._discard(src)
                raise
        else:
            self._store_file(conversation_id, target, lambda p: self._seal_file(src, p), commit)
        return target

    def register_copy(self, conversation_id: str, path: str | os.PathLike, kind: str = "pdf",
                      *, actor: str | None = None, derived_from: str | os.PathLike | None = None) -> Path:
        """Record a copy the user asked for outside the case file (``report --pdf OUT``, a mail draft, a batch's
        PDF, JSON, executed notebook and log) by path and SHA-256, and make it 0600, so the conversation knows
        every copy it has; withdrawal and deletion remove it with the rest (while it is unchanged). A copy holds
        the transcript when its kind says so (:data:`TRANSCRIPT_KINDS`), when it is the same file as an export
        that does, or when ``derived_from`` (e.g. the PDF a mail draft attaches) does."""
        num = self._num(conversation_id)
        path = Path(path).resolve()
        if not path.is_file():
            raise InputError(f"Bestand {path.name!r} bestaat niet.", f"File {path.name!r} does not exist.")
        if self._inside(path):
            raise InputError(f"{path.name!r} staat al in het archief; bewaar het met add_export.",
                             f"{path.name!r} is inside the archive; keep it with add_export.")
        try:
            os.chmod(path, 0o600)
        except OSError:
            pass
        sha = sha256_file(path)
        shas = [sha] + ([hashlib.sha256(self.read_bytes(derived_from)).hexdigest()]
                        if derived_from and Path(derived_from).is_file() else [])
        with_transcript = kind in TRANSCRIPT_KINDS or "-met-transcript" in path.name or self.store.one(
            f"SELECT 1 FROM exports WHERE conversation = ? AND with_transcript = 1 AND sha256 IN "
            f"({', '.join('?' * len(shas))})", (num, *shas)) is not None
        try:
            with self.store.transaction():
                self._require_consent(conversation_id, Text("de kopie", "the copy"), transcript=with_transcript)
                self._insert_copy(num, path, kind, sha, with_transcript, conversation_id, actor)
        except ConsentRefusedError:
            _remove(path, prune=False)  # just written for this conversation: it must not stay behind unregistered
            raise
        return path

    def _insert_copy(self, num, path, kind, sha, with_transcript, conversation_id, actor) -> None:
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM exports WHERE conversation = ? AND file = ?", (num, self._ref(path)))
            conn.execute("INSERT INTO exports (conversation, file, kind, at, sha256, with_transcript) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         (num, self._ref(path), kind, consent_mod.now(), sha, int(with_transcript)))
            audit.log(self.store, "export", conversation_id, actor)

    def _export_rows(self, conversation_id: str) -> list[dict]:
        return [{"path": self._abs(r["file"], copy=True), "kind": r["kind"], "at": r["at"], "sha256": r["sha256"],
                 "with_transcript": bool(r["with_transcript"])} for r in self.store.rows(
            "SELECT file, kind, at, sha256, with_transcript FROM exports WHERE conversation = ? ORDER BY num",
            (self._num(conversation_id),))]

    def exports(self, conversation_id: str) -> list[dict]:
        """Exported files kept in the case file (path, kind, at), oldest first."""
        return [e for e in self._export_rows(conversation_id) if self._inside(e["path"])]

    def copies(self, conversation_id: str) -> list[dict]:
        """Registered copies outside the case file (path, kind, at), oldest first; a copy may have been moved."""
        return [e for e in self._export_rows(conversation_id) if not self._inside(e["path"])]

    # --- deleting a whole conversation -----------------------------------------------------------------------
    def delete_conversation(self, conversation_id: str, *, actor: str | None = None, scrub: bool = True) -> None:
        """Remove files, rows and index entry, then verify that nothing is left (:class:`StorageError` if so).
        ``scrub=False`` leaves the index merge to the caller (a purge does it once at the end)."""
        num = self._num(conversation_id)
        folder = self._dir(conversation_id)
        copies = self.copies(conversation_id)
        paths = [folder] + [c["path"] for c in copies]
        shas = {c["path"]: c["sha256"] for c in copies}
        with self.store.transaction() as conn:
            nums = self._delete_paths(conn, paths, shas)
            pid = conn.execute("SELECT pupil_id FROM conversations WHERE num = ?", (num,)).fetchone()[0]
            conn.execute("DELETE FROM conversations WHERE num = ?", (num,))  # cascades to consents, revisions
            conn.execute("DELETE FROM pupils WHERE id = ? AND NOT EXISTS (SELECT 1 FROM conversations WHERE "
                         "pupil_id = ?)", (pid, pid))  # the last conversation takes the pupil's identity along
            self.store.unindex(num)
            self.store.mark_scrub(conn)
            audit.log(self.store, "delete", conversation_id, actor)
        self._finish_deletes(paths, nums, shas)
        if scrub:
            self.store.scrub()
        self.verify_deleted(conversation_id, num)

    def verify_deleted(self, conversation_id: str, num: int | None = None) -> None:
        left = []
        if self.store.one("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)):
            left.append("database row")
        if num is not None:
            for table in ("consents", "transcripts", "summaries", "exports"):
                if self.store.one(f"SELECT 1 FROM {table} WHERE conversation = ?", (num,)):
                    left.append(table)
            if self.store.indexed(num):
                left.append("search index")
        if self._dir(conversation_id).exists():
            left.append("files")
        if left:
            raise StorageError(f"Verwijderen van {conversation_id} is niet volledig: {', '.join(left)} bestaan nog.",
                               f"Deleting {conversation_id} is incomplete: {', '.join(left)} still exist.")

    # --- listing and search ---------------------------------------------------------------------------------
    def _where(self, filters: dict) -> tuple[str, list]:
        known = {"pupil", "exact_pupil", "pupil_id", "group", "kind", "status", "language", "date_from", "date_to"}
        unknown = set(filters) - known
        if unknown:
            names = ", ".join(sorted(unknown))
            raise InputError(f"Onbekend filter: {names}.", f"Unknown filter: {names}.")
        clauses, params = [], []
        if filters.get("pupil"):
            clauses.append("c.pupil_key LIKE ? ESCAPE '\\'")
            params.append("%" + _like(pupil_key(filters["pupil"])) + "%")
        if filters.get("exact_pupil"):
            clauses.append("c.pupil_key = ?")
            params.append(pupil_key(filters["exact_pupil"]))
        for name, column in (("pupil_id", "c.pupil_id"), ("group", "c.grp"), ("kind", "c.kind"), ("status", "c.status"),
                             ("language", "c.language")):
            if filters.get(name):
                clauses.append(f"{column} = ?")
                params.append(filters[name])
        if filters.get("date_from"):
            clauses.append("c.date >= ?")
            params.append(_iso_date(filters["date_from"], "van-datum", "from date"))
        if filters.get("date_to"):
            clauses.append("c.date <= ?")
            params.append(_iso_date(filters["date_to"], "tot-datum", "to date"))
        return (" AND ".join(clauses) or "1"), params

    def list(self, **filters):
        """Conversations as a pandas DataFrame (newest first). Filters: pupil (part of the name), exact_pupil,
        group, kind, status, language, date_from, date_to."""
        import pandas as pd

        where, params = self._where(filters)
        rows = self.store.rows(
            "SELECT c.*, (SELECT CASE WHEN k.withdrawn_at IS NOT NULL THEN 'withdrawn' WHEN k.given = 0 THEN 'refused'"
            " WHEN k.pupil_view = 'refused' THEN 'refused' ELSE 'given' END FROM consents k WHERE k.conversation ="
            " c.num ORDER BY k.num DESC LIMIT 1) AS consent_state,"
            " (SELECT count(*) FROM transcripts t WHERE t.conversation = c.num) AS n_transcripts,"
            " (SELECT count(*) FROM summaries s WHERE s.conversation = c.num) AS n_summaries"
            f" FROM conversations c WHERE {where} ORDER BY c.date DESC, c.num DESC", params)
        records = [{"id": r["id"], "pupil": r["pupil"], "group": r["grp"], "age_band": r["age_band"],
                    "date": r["date"], "kind": r["kind"], "language": r["language"], "status": r["status"],
                    "consent": r["consent_state"], "recording": r["recording"] is not None,
                    "transcripts": r["n_transcripts"], "summaries": r["n_summaries"], "sensitive": bool(r["sensitive"]),
                    "created_at": r["created_at"], "shared_at": r["shared_at"], "finalized_at": r["finalized_at"]}
                   for r in rows]
        return pd.DataFrame(records, columns=LIST_COLUMNS)

    def search(self, query: str, *, limit: int = 50, **filters):
        """Search as Dutch people search (:mod:`.search`): names, notes, transcripts and summaries, accents
        ignored, compounds written together or apart, the recogniser's misspellings within bounds, ``lees*`` as
        a prefix; every word must occur. A DataFrame, best match first, with the best passage (``snippet``),
        where it is (``field``, ``segment``) and its time (``start``, for ▶). Odd input gives no rows, never
        an error."""
        import pandas as pd

        where, params = self._where(filters)
        with self.store._lock:
            try:
                hits = search_index.search(self.store.conn, query or "", where, params, limit)
            except DatabaseError as exc:
                raise StorageError(f"Zoeken in het archief lukte niet: {exc}", f"Searching the archive failed: {exc}")
        if not hits:
            return pd.DataFrame([], columns=SEARCH_COLUMNS)
        marks = ",".join("?" * len(hits))
        rows = {r["num"]: r for r in self.store.rows(
            f"SELECT num, id, pupil, grp, date, kind, status FROM conversations WHERE num IN ({marks})",
            [h.num for h in hits])}
        return pd.DataFrame([{"id": rows[h.num]["id"], "pupil": rows[h.num]["pupil"], "group": rows[h.num]["grp"],
                              "date": rows[h.num]["date"], "kind": rows[h.num]["kind"],
                              "status": rows[h.num]["status"], "snippet": h.passage, "score": h.score,
                              "field": h.field, "segment": h.segment, "start": h.start}
                             for h in hits if h.num in rows], columns=SEARCH_COLUMNS)

    def ids(self, **filters) -> list[str]:
        where, params = self._where(filters)
        return [r["id"] for r in self.store.rows(f"SELECT c.id FROM conversations c WHERE {where} ORDER BY c.num",
                                                 params)]

    # --- audit ----------------------------------------------------------------------------------------------
    def log(self, event: str, conversation_id: str | None = None, actor: str | None = None) -> None:
        """Add an audit entry (see :data:`audit.EVENTS`); e.g. the app logs 'view' when a teacher opens one."""
        if conversation_id is not None:
            self._num(conversation_id)
        audit.log(self.store, event, conversation_id, actor)

    def audit_log(self, conversation_id: str | None = None):
        return audit.entries(self.store, conversation_id)

    # --- consistency ----------------------------------------------------------------------------------------
    def check(self) -> list[str]:
        """Everything that does not add up: empty list = consistent."""
        problems = self.store.check()
        referenced: set[str] = set()
        for table, has_sha in (("transcripts", True), ("summaries", True), ("exports", False)):
            for r in self.store.rows(f"SELECT file{', sha256' if has_sha else ''} FROM {table}"):
                referenced.add(r["file"])
                try:
                    path = self._abs(r["file"], copy=table == "exports")
                except StorageError:
                    problems.append(f"path outside the archive folder: {r['file'][:80]}")
                    continue
                if not self._inside(path):
                    continue  # a copy handed out: the coordinator may move it
                if not path.is_file():
                    problems.append(f"missing file: {r['file']}")
                elif has_sha and self._plain_sha(path) != r["sha256"]:
                    problems.append(f"changed file: {r['file']}")
        for r in self.store.rows("SELECT recording FROM conversations WHERE recording IS NOT NULL"):
            referenced.add(r["recording"])
            try:
                missing = not self._abs(r["recording"]).is_file()
            except StorageError:
                problems.append(f"path outside the archive folder: {r['recording'][:80]}")
                continue
            if missing:
                problems.append(f"missing file: {r['recording']}")
        live = {r["path"] for r in self.store.rows("SELECT path, pid FROM intents") if _pid_alive(r["pid"])}
        dead = self.store.one("SELECT count(*) FROM intents")[0] - len(live)
        if dead:
            problems.append(f"{dead} unfinished operation(s) of a stopped program (run repair)")
        ids = {r["id"] for r in self.store.rows("SELECT id FROM conversations")}
        root = self.data_dir / "conversations"
        if root.is_dir():
            for folder in root.iterdir():
                if folder.name not in ids:
                    if self._rel(folder) not in live:
                        problems.append(f"folder without conversation: {folder.name}")
                    continue
                for f in folder.rglob("*"):
                    rel = self._rel(f)
                    if f.is_file() and rel not in referenced and rel not in live:
                        problems.append(f"file without record: {rel}")
                    elif f.is_file() and self.keys and not crypto.is_encrypted(f):
                        problems.append(f"unencrypted file: {rel}")
        return problems

    def _plain_sha(self, path: Path) -> str | None:
        try:
            return hashlib.sha256(self.read_bytes(path)).hexdigest()
        except crypto.DamagedFileError:
            return None

    def repair(self, *, deep: bool = False) -> list[str]:
        """Finish what a stopped program left: remove half-written files, complete interrupted deletions.
        ``deep`` also scans every folder for files of ours that no row or pending step refers to (left by a
        power cut, when the last commits had not reached the disk)."""
        done = self._finish_intents()
        if deep:
            done += self._remove_orphans()
        self.store.drop_stale_wal()  # frames a killed commit left: never-stored text must not stay in the file
        if self.store.scrub_pending():
            try:  # an interrupted deletion's traces: wipe them now (quickly when only opening the archive)
                self.store.scrub(wait=None if deep else 2.0)
                done.append("wiped the traces of an interrupted deletion")
            except StorageError as exc:
                if deep:
                    raise
                self.notices.append(Text(exc.nl, exc.en))
        return done

    def _remove_orphans(self) -> list[str]:
        root = self.data_dir / "conversations"
        if not root.is_dir():
            return []
        # list files first, then read rows and pending steps: a file that a live writer has made is always
        # covered by its intent (committed before the file) or its row (committed with the intent's removal)
        found = [f for sub in ("recording", "transcripts", "summaries") for f in root.glob(f"*/{sub}/*")
                 if _OWN_FILE.match(f.name)]
        with self.store.transaction() as conn:
            known = {r[0] for r in conn.execute(
                "SELECT file FROM transcripts UNION SELECT file FROM summaries UNION SELECT path FROM intents "
                "UNION SELECT recording FROM conversations WHERE recording IS NOT NULL")}
        done = []
        for f in found:
            rel = self._rel(f)
            if rel not in known:
                self._discard(f)
                done.append(f"removed orphan {rel}")
        return done

    def _finish_intents(self) -> list[str]:
        done = []
        for r in self.store.rows("SELECT num, op, path, pid, sha256 FROM intents ORDER BY num"):
            if r["op"] == "write" and _pid_alive(r["pid"]):
                continue
            try:
                path = self._abs(r["path"], copy=r["op"] == "delete")
            except StorageError as exc:  # a tampered row: never delete outside the case file
                self.notices.append(Text(exc.nl, exc.en))
                with self.store.transaction() as conn:
                    self._done(conn, [r["num"]])
                done.append(f"refused a path outside the archive folder: {r['path'][:80]}")
                continue
            self._discard_checked(path, r["sha256"])
            if r["op"] == "write":
                for tmp in path.parent.glob(f".{path.name}.*.tmp") if path.parent.is_dir() else ():
                    self._discard(tmp)
            with self.store.transaction() as conn:
                self._done(conn, [r["num"]])
            done.append(f"{'removed unsaved' if r['op'] == 'write' else 'finished deleting'} {r['path']}")
        return done


# --- helpers --------------------------------------------------------------------------------------------------
class AmbiguousPupilError(InputError):
    """Several pupils have this name: the message lists each one's id, groups and dates (exit 2)."""

    def __init__(self, name: str, candidates: list[dict]):
        self.candidates = candidates
        lines = "\n".join(f"  {c['id']}: {c['name']}; groep/group {', '.join(c['groups']) or '-'}; "
                          f"{', '.join(c['dates']) or '-'}"
                          + (f"; nr {c['pupil_number']}" if c["pupil_number"] else "")
                          + (f"; geb./born {c['birth_date']}" if c["birth_date"] else "") for c in candidates)
        super().__init__(f"Er zijn {len(candidates)} leerlingen met de naam {name!r}; kies er één met --pupil-id:\n"
                         + lines,
                         f"There are {len(candidates)} pupils named {name!r}; pick one with --pupil-id:\n" + lines)


UPLOADS = "uploads"  # under the cache folder: where versions before memory_file wrote uploads, "<pid>-<random>"


def sweep_uploads() -> list[str]:
    """Remove uploads that a stopped program of an earlier version left in the cache (a recording that never
    reached the case file must not linger outside it; uploads are now held in memory, :mod:`.inmemory`). Runs
    whenever the case file is opened: every command and the app's start."""
    root = settings.cache_dir() / UPLOADS
    if not root.is_dir():
        return []
    removed = []
    for folder in root.iterdir():
        pid = folder.name.split("-", 1)[0]
        if pid.isdigit() and _pid_alive(int(pid)):
            continue
        _remove(folder, prune=False)
        removed.append(folder.name)
    return removed


SCRATCH = "decrypted"  # plaintext views of encrypted files while a program reads them: "<pid>-<random>" folders


def _scratch_roots() -> list[Path]:
    """Where plaintext views go: the per-user runtime folder (RAM-backed, 0700, gone at log-out) when the system
    has one, else the cache folder; both are swept."""
    roots = []
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime) and os.access(runtime, os.W_OK):
        roots.append(Path(runtime) / "transkript" / SCRATCH)
    roots.append(settings.cache_dir() / SCRATCH)
    return roots


def scratch_dir() -> Path:
    """A new private folder (0700) for the plaintext of one encrypted file, named after this process."""
    root = _scratch_roots()[0]
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = root / f"{os.getpid()}-{secrets.token_hex(8)}"
    folder.mkdir(mode=0o700)
    return folder


def sweep_scratch() -> list[str]:
    """Remove plaintext views left by a program that was killed while it read them."""
    removed = []
    for root in _scratch_roots():
        if not root.is_dir():
            continue
        for folder in root.iterdir():
            pid = folder.name.split("-", 1)[0]
            if pid.isdigit() and _pid_alive(int(pid)):
                continue
            _remove(folder, prune=False)
            removed.append(folder.name)
    return removed


def _make_private(folder: Path) -> None:
    """The data folder is 0700 and everything in it 0600/0700. An archive made by an older Transkript (0755
    folders, 0644 files) is tightened once, the first time it is opened: its folder is then 0700."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if folder.stat().st_mode & 0o077 == 0:
            return
        for root, dirs, files in os.walk(folder):
            for name in files:
                path = os.path.join(root, name)
                if not os.path.islink(path):
                    os.chmod(path, 0o600)
            for name in dirs:
                path = os.path.join(root, name)
                if not os.path.islink(path):
                    os.chmod(path, 0o700)
        os.chmod(folder, 0o700)
    except OSError as exc:
        raise StorageError(f"Kan de archiefmap {folder} niet afschermen: {exc.strerror}",
                           f"Cannot make the archive folder {folder} private: {exc.strerror}") from exc


def _remove(path: Path, *, prune: bool = True) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass
    if not prune:
        return
    parent = path.parent
    for _ in range(2):  # drop emptied 'recording/' etc., never the conversation root's parent
        if parent.name == "conversations":
            break
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent


def _iso_date(value, nl: str, en: str) -> str:
    if isinstance(value, Date):
        return value.isoformat()
    try:
        return Date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise InputError(f"Ongeldige {nl} {str(value)[:40]!r}: gebruik JJJJ-MM-DD.",
                         f"Invalid {en} {str(value)[:40]!r}: use YYYY-MM-DD.") from None


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _safe_ext(suffix: str) -> str:
    return suffix.lower() if re.fullmatch(r"\.[A-Za-z0-9]{1,5}", suffix or "") else ""
