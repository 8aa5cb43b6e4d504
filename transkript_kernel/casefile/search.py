"""Search as Dutch people search: compound-aware, tolerant of the recogniser's misspellings, never an error.

The case file's FTS5 table ``search`` (one row per conversation, see :mod:`.store`) stays the matcher; this
module turns what the teacher typed into an FTS5 query that already holds every acceptable spelling, and keeps
its own table of *passages* (transcript segments with their time, summary items, notes) to show the best
matching passage with a ▶ at its time.

Per query word the alternatives are:

- the word itself (``lees*``: a prefix when the teacher typed the star);
- misspellings found in the index's own vocabulary (``search_vocab``, an fts5vocab view: it stores nothing, so
  a deleted conversation leaves no word behind): exact below 5 letters, at most 1 edit for 5–8 letters, at most
  2 from 9 — but never between two words the Dutch dictionary knows ("lezen" does not find "leven", "zorgen"
  not "morgen"): a misspelling is a non-word on one side;
- a compound written apart: "leesbegeleiding" also matches the phrase "lees begeleiding" (split by Hunspell:
  both parts are words), and two query words written apart also match their compound ("lees begeleiding"
  finds "leesbegeleiding", and its misspellings);
- compounds in the vocabulary that end in or start with the word, when the rest is a word too
  ("begeleiding" finds "leesbegeleiding").

Anything else the teacher types (FTS operators, quotes, brackets, emoji, 1,000 characters) is reduced to plain
words, so a query gives results or none, never an error. The vocabulary is read once and cached in memory until
the database changes (``PRAGMA data_version`` for other programs, ``total_changes`` for this one).
"""
from __future__ import annotations

import bisect
import re
import threading
import unicodedata
from dataclasses import dataclass

#: The passages table and the vocabulary view (installed by the store's migration, see :func:`install`).
SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS search_passages USING fts5(text, field UNINDEXED, seg UNINDEXED,
                                                              start UNINDEXED,
                                                              tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS search_vocab USING fts5vocab(search, 'row');
"""
#: Passage rowids: conversation number << 20 | field << 18 | passage number, so one conversation's or one
#: field's passages are a rowid range (FTS5 answers rowid ranges without scanning).
FIELDS = {"notes": 0, "summary": 1, "transcript": 2}
_NUM_SHIFT, _FIELD_SHIFT = 20, 18
MAX_WORDS = 16  # a longer query keeps its first 16 words
MAX_WORD = 64
MAX_ALTERNATIVES = 40
CACHED_CONNECTIONS = 4  # vocabularies kept in memory (one per open case file connection)
FTS_KEYWORDS = {"AND", "OR", "NOT", "NEAR"}
_WORD = re.compile(r"[^\W_]+\*?", re.UNICODE)


@dataclass
class Hit:
    """One conversation found: its number, the rank (higher is better), the best passage (``[`` ``]`` around
    the matching words), where it is (field, segment id) and its time in the recording (None: no ▶)."""
    num: int
    score: float
    passage: str
    field: str | None = None
    segment: int | None = None
    start: float | None = None


def installed(conn) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_passages'").fetchone() is not None


def install(conn) -> None:
    """Create the passages table and the vocabulary view (idempotent). Conversations stored before get their
    passages at their next save; until then they are found all the same (the ``search`` table) and show the
    conversation's own snippet without ▶."""
    for statement in (s.strip() for s in SCHEMA.split(";")):
        if statement:
            conn.execute(statement)


# --- words as the index sees them -------------------------------------------------------------------------
def fold(text: str) -> str:
    """Lower case without diacritics, as FTS5's ``unicode61 remove_diacritics 2`` tokenises."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(query: str) -> list[tuple[str, bool]]:
    """The plain words of a query, folded, with True for a trailing ``*`` (prefix). Operators and symbols
    disappear; at most :data:`MAX_WORDS` words of at most :data:`MAX_WORD` letters."""
    out = []
    for m in _WORD.finditer(query or ""):
        token = m.group(0)
        prefix = token.endswith("*")
        token = token.rstrip("*")
        if token in FTS_KEYWORDS:  # upper-case operators typed by a teacher who knows search engines
            continue
        w = fold(token)[:MAX_WORD]
        w = "".join(_WORD.findall(w)).replace("*", "")  # folding may leave separators (ligatures etc.)
        if w:
            out.append((w, prefix))
        if len(out) >= MAX_WORDS:
            break
    return out


def max_edits(word: str) -> int:
    """Exact below 5 letters, at most 1 edit for 5–8, at most 2 from 9."""
    n = len(word)
    return 0 if n < 5 else 1 if n <= 8 else 2


# --- the vocabulary ---------------------------------------------------------------------------------------
class Vocabulary:
    """The distinct terms of the index, by length, sorted, and sorted reversed (for "ends with")."""

    def __init__(self, terms):
        self.terms = set(terms)
        self.by_length: dict[int, list[str]] = {}
        for t in self.terms:
            self.by_length.setdefault(len(t), []).append(t)
        self.sorted = sorted(self.terms)
        self.reversed = sorted(t[::-1] for t in self.terms)

    def near(self, word: str, k: int) -> list[str]:
        """Terms within ``k`` edits of ``word`` (not the word itself)."""
        if k <= 0:
            return []
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        found = []
        for n in range(len(word) - k, len(word) + k + 1):
            bucket = self.by_length.get(n)
            if bucket:
                found += [t for t, _, _ in process.extract(word, bucket, scorer=Levenshtein.distance,
                                                           score_cutoff=k, limit=None) if t != word]
        return found

    def starting(self, prefix: str, limit: int = 200) -> list[str]:
        i = bisect.bisect_left(self.sorted, prefix)
        out = []
        while i < len(self.sorted) and self.sorted[i].startswith(prefix) and len(out) < limit:
            out.append(self.sorted[i])
            i += 1
        return out

    def ending(self, suffix: str, limit: int = 200) -> list[str]:
        r = suffix[::-1]
        i = bisect.bisect_left(self.reversed, r)
        out = []
        while i < len(self.reversed) and self.reversed[i].startswith(r) and len(out) < limit:
            out.append(self.reversed[i][::-1])
            i += 1
        return out


_cache: dict = {}
_cache_lock = threading.Lock()


def vocabulary(conn) -> Vocabulary:
    """The index's vocabulary, cached per connection until the database changes."""
    key = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
    with _cache_lock:
        hit = _cache.get(id(conn))
        if hit is not None and hit[0] == key and hit[1] is conn:
            return hit[2]
    vocab = Vocabulary(r[0] for r in conn.execute("SELECT term FROM search_vocab"))
    with _cache_lock:
        _cache.pop(id(conn), None)
        while len(_cache) >= CACHED_CONNECTIONS:  # a few open case files at most: forget the oldest
            _cache.pop(next(iter(_cache)))
        _cache[id(conn)] = (key, conn, vocab)
    return vocab


# --- the dictionary ---------------------------------------------------------------------------------------
def _known():
    """``known(word)`` of the Dutch dictionary, or a function saying no when it is not installed (then
    misspellings are allowed between any words within the bounds, and compounds are not split)."""
    from .. import spelling

    try:
        return spelling.dictionary("nl").known
    except spelling.SpellingUnavailableError:
        return None


def splits(word: str, known) -> list[tuple[str, str]]:
    """Ways to read ``word`` as two words (each ≥ 3 letters, a linking s allowed): leesbegeleiding → lees +
    begeleiding."""
    if known is None or len(word) < 7:
        return []
    out = []
    for i in range(3, len(word) - 2):
        a, b = word[:i], word[i:]
        if known(a) and known(b):
            out.append((a, b))
        elif a.endswith("s") and len(a) > 3 and known(a[:-1]) and known(b):
            out.append((a[:-1], b))
    return out[:3]


def _rest_is_word(rest: str, known) -> bool:
    if len(rest) < 3 or known is None:
        return False
    return known(rest) or (rest.endswith(("s", "e")) and len(rest) > 3 and known(rest[:-1]))


# --- the query --------------------------------------------------------------------------------------------
def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def alternatives(word: str, vocab: Vocabulary, known, prefix: bool = False) -> list[str]:
    """FTS5 expressions that each count as ``word`` (see the module docstring)."""
    if prefix:
        return [_quote(word) + "*"]
    alts = {_quote(word): None}
    word_known = known(word) if known else False
    for t in vocab.near(word, max_edits(word)):
        if word_known and known(t):
            continue  # two real words: a false friend, not a misspelling
        alts.setdefault(_quote(t), None)
    for a, b in splits(word, known):
        alts.setdefault(_quote(f"{a} {b}"), None)
    if len(word) >= 5 and known is not None:
        for t in vocab.ending(word):
            if t != word and _rest_is_word(t[:-len(word)], known):
                alts.setdefault(_quote(t), None)
        for t in vocab.starting(word):
            rest = t[len(word):]
            if t != word and (_rest_is_word(rest, known) or (rest.startswith("s") and _rest_is_word(rest[1:], known))):
                alts.setdefault(_quote(t), None)
    return list(alts)[:MAX_ALTERNATIVES]


def build(query: str, vocab: Vocabulary, known=None) -> str:
    """The FTS5 query for what the teacher typed ('' when nothing searchable is left). Every word (with its
    alternatives) must occur; two neighbouring words may instead occur as one compound (or its misspelling)."""
    ws = words(query)
    if not ws:
        return ""
    groups = ["(" + " OR ".join(alternatives(w, vocab, known, p)) + ")" for w, p in ws]
    out, i = [], 0
    while i < len(ws):
        if i + 1 < len(ws) and not ws[i][1] and not ws[i + 1][1]:
            joined = ws[i][0] + ws[i + 1][0]
            joined_known = known(joined) if known else False
            compound = [t for t in (joined, *vocab.near(joined, max_edits(joined))) if t in vocab.terms and
                        (t == joined or not (joined_known and known(t)))]
            if compound:
                out.append(f"(({groups[i]} AND {groups[i + 1]}) OR {' OR '.join(_quote(t) for t in compound)})")
                i += 2
                continue
        out.append(groups[i])
        i += 1
    return " AND ".join(out)


# --- indexing passages ------------------------------------------------------------------------------------
def _range(num: int, field: str | None = None) -> tuple[int, int]:
    base = num << _NUM_SHIFT
    if field is None:
        return base, base + (1 << _NUM_SHIFT) - 1
    lo = base | (FIELDS[field] << _FIELD_SHIFT)
    return lo, lo + (1 << _FIELD_SHIFT) - 1


def set_passages(conn, num: int, field: str, passages) -> None:
    """Replace one field's passages of conversation ``num``: ``passages`` are (segment id or None, start
    seconds or None, text)."""
    lo, hi = _range(num, field)
    conn.execute("DELETE FROM search_passages WHERE rowid BETWEEN ? AND ?", (lo, hi))
    n = 0
    for seg, start, text in passages:
        if text and text.strip() and n < (1 << _FIELD_SHIFT):
            conn.execute("INSERT INTO search_passages (rowid, text, field, seg, start) VALUES (?, ?, ?, ?, ?)",
                         (lo + n, text.strip(), field, seg, start))
            n += 1


def remove(conn, num: int) -> None:
    """Every passage of conversation ``num`` (its deletion)."""
    conn.execute("DELETE FROM search_passages WHERE rowid BETWEEN ? AND ?", _range(num))


def count(conn, num: int) -> int:
    return conn.execute("SELECT count(*) FROM search_passages WHERE rowid BETWEEN ? AND ?", _range(num)).fetchone()[0]


def orphans(conn) -> int:
    """Passages whose conversation is gone (``archive check``)."""
    return conn.execute(f"SELECT count(*) FROM search_passages WHERE (rowid >> {_NUM_SHIFT}) NOT IN "
                        "(SELECT num FROM conversations)").fetchone()[0]


def optimize(conn) -> None:
    """Merge the passages index so no deleted words linger in old segments (with the store's scrub)."""
    conn.execute("INSERT INTO search_passages (search_passages) VALUES ('optimize')")


def transcript_passages(transcript):
    return [(s.id, round(float(s.start), 3), s.text) for s in transcript.segments]


def text_passages(text: str):
    return [(None, None, line) for line in (text or "").splitlines() if line.strip()]


# --- the best passage -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Matcher:
    """Every alternative of an FTS5 query as one regular expression on folded text, plus what a passage must
    contain to match at all: a word that starts an alternative (a phrase's first word) or a word with one of
    the typed prefixes. Most passages of a hit match nothing; the word test (a set lookup per word, in C)
    rejects them before the long alternation (up to a hundred misspellings) is tried at every position."""
    regex: re.Pattern
    first_words: frozenset
    prefixes: tuple

    def could_match(self, folded: str) -> bool:
        tokens = _TOKEN.findall(folded)
        if not self.first_words.isdisjoint(tokens):
            return True
        return bool(self.prefixes) and any(t.startswith(self.prefixes) for t in tokens)


_TOKEN = re.compile(r"[^\W_]+")


def _matcher(match: str) -> Matcher | None:
    """The :class:`Matcher` for an FTS5 query (words, prefixes, phrases), or None when it has no terms."""
    parts, first, prefixes = [], set(), []
    for term in dict.fromkeys(re.findall(r'"(?:[^"]|"")*"\*?', match)):
        prefix = term.endswith("*")
        words_ = term.rstrip("*").strip('"').replace('""', '"').split()
        if not words_:
            continue
        body = r"[\W_]+".join(re.escape(w) for w in words_)
        parts.append(body + (r"\w*" if prefix else r"(?![^\W_])"))
        if prefix and len(words_) == 1:
            prefixes.append(words_[0])
        else:
            first.add(words_[0])
    if not parts:
        return None
    regex = re.compile(r"(?<![^\W_])(?:" + "|".join(sorted(parts, key=len, reverse=True)) + ")")
    return Matcher(regex, frozenset(first), tuple(prefixes))


def _fold_fast(text: str) -> str:
    return text.lower() if text.isascii() else fold(text)


def best_passages(conn, nums, matcher: Matcher) -> dict[int, tuple]:
    """For each conversation in ``nums`` the passage with the most matching words (ties: the earliest), as
    (field, segment, start, snippet with [ ] around the matches). Read by rowid ranges from the passages' own
    content table in one statement and matched here: cheaper than an FTS5 query per hit."""
    nums = list(nums)
    if not nums:
        return {}
    ranges = [x for num in nums for x in _range(num)]
    sql = " UNION ALL ".join(["SELECT id, c0, c1, c2, c3 FROM search_passages_content WHERE id BETWEEN ? AND ?"]
                             * len(nums))
    best: dict[int, tuple] = {}
    for rowid, text, field, seg, start in conn.execute(sql, ranges):
        folded = _fold_fast(text or "")
        if not matcher.could_match(folded):
            continue
        found = list(matcher.regex.finditer(folded))
        num = rowid >> _NUM_SHIFT
        if found and (num not in best or len(found) > len(best[num][5]) or
                      (len(found) == len(best[num][5]) and rowid < best[num][6])):
            best[num] = (field, seg, start, text, folded, found, rowid)
    return {num: _snippet(*b[:6]) for num, b in best.items()}


def _snippet(field, seg, start, text, folded, found) -> tuple:
    if len(folded) == len(text):  # positions carry over: mark the matches in the original text
        out, at = [], 0
        for m in found:
            out += [text[at:m.start()], "[", text[m.start():m.end()], "]"]
            at = m.end()
        text = "".join(out) + text[at:]
    if len(text) > 400:
        first = text.find("[")
        begin = max(0, first - 120) if first >= 0 else 0
        text = ("…" if begin else "") + text[begin:begin + 400] + "…"
    return field, seg, start, text


# --- searching --------------------------------------------------------------------------------------------
def search(conn, query: str, where: str = "1", params=(), limit: int = 50) -> list[Hit]:
    """Conversations matching ``query`` (filtered by ``where`` on ``conversations c``), best first, each with
    its best passage. Never raises for odd input: no searchable words give []."""
    vocab = vocabulary(conn)
    match = build(query, vocab, _known())
    if not match:
        return []
    rows = conn.execute(
        "SELECT search.rowid AS num, bm25(search) AS score"
        f" FROM search JOIN conversations c ON c.num = search.rowid WHERE search MATCH ? AND {where}"
        " ORDER BY score LIMIT ?", [match, *params, int(limit)]).fetchall()
    matcher = _matcher(match)
    passages = best_passages(conn, [r[0] for r in rows], matcher) if matcher is not None else {}
    hits = []
    for num, score in rows:
        best = passages.get(num)
        if best is not None:
            field, seg, start, text = best
            hits.append(Hit(num, round(-score, 4), text, field, None if seg is None else int(seg),
                            None if start is None else float(start)))
        else:  # the match is in the names and kind (meta): the conversation's own snippet (rare, so only here)
            snip = conn.execute("SELECT snippet(search, -1, '[', ']', '…', 14) FROM search WHERE search MATCH ?"
                                " AND rowid = ?", (match, num)).fetchone()
            hits.append(Hit(num, round(-score, 4), snip[0] if snip else ""))
    return hits
