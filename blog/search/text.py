"""Text analysis shared by indexing and querying: words, stems, and per-post term weights.

The stemmer is the Snowball English stemmer of the snowballstemmer package; its objects keep state
while stemming, so each thread has its own (`threading.local`), and stems are memoised in a
per-process LRU cache, which is thread-safe and bounded. Both are right with any number of processes and threads.
"""

from __future__ import annotations

import functools
import html
import re
import threading
import unicodedata
from collections import Counter

import snowballstemmer

# Letters and digits; the underscore splits words, so no real term can start with "_" (see DOCUMENT_COUNT).
WORD = re.compile(r"[^\W_]+")
MAX_WORD_LENGTH = 40
# Field weights: a word in the title or the tags says more about a post than one in its body.
TITLE_WEIGHT, TAG_WEIGHT, BODY_WEIGHT = 10.0, 8.0, 1.0
# Typical field lengths in words, for BM25's length normalisation (b = 0.75, k1 = 1.2).
_AVERAGE_LENGTH = {"title": 8.0, "tags": 3.0, "body": 600.0}
_K1, _B = 1.2, 0.75
# A post indexes at most this many terms: its title and tag terms, then its strongest body terms.
MAX_TERMS_PER_POST = 400
WEIGHT_SCALE = 10_000  # weights are stored as integers
# The pseudo-term whose document frequency is the number of indexed posts (N in the IDF).
DOCUMENT_COUNT = "_posts"

_STOPWORD_TEXT = """a an and are as at be been but by for from had has have he her his i if in into is it its
    me my no not of on or our she so than that the their them then there these they this to us was
    we were what when which who will with you your"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_local = threading.local()


def _stemmer():
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


@functools.lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Snowball English stem of a lower-cased word ("publishing" -> "publish")."""
    return _stemmer().stemWord(word)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def words(text: str) -> list[str]:
    """The words of `text`, case-folded, without the longest ones (no real word is that long)."""
    return [w for w in WORD.findall(normalize(text)) if len(w) <= MAX_WORD_LENGTH]


def terms(text: str) -> list[str]:
    """The index terms of `text`: its words less stop words, stemmed, in order."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|pre|tr|div)>|<br\s*/?>", re.IGNORECASE)


def html_text(body_html: str) -> str:
    """The readable text of rendered (sanitised) post HTML, blocks separated by spaces."""
    text = _TAG.sub("", _BLOCK_END.sub(" ", body_html))
    return " ".join(html.unescape(text).split())


def _field_score(count: int, length: int, field: str) -> float:
    norm = 1 - _B + _B * length / _AVERAGE_LENGTH[field]
    return count * (_K1 + 1) / (count + _K1 * norm)


def post_term_weights(*, title: str, tags: list[str], body_text: str) -> dict[str, int]:
    """Term -> integer weight for one post (BM25 term-frequency part, fields weighted), at most MAX_TERMS_PER_POST."""
    fields = {"title": terms(title), "tags": terms(" ".join(tags)), "body": terms(body_text)}
    weights = {"title": TITLE_WEIGHT, "tags": TAG_WEIGHT, "body": BODY_WEIGHT}
    scores: Counter[str] = Counter()
    for field, field_terms in fields.items():
        for term, count in Counter(field_terms).items():
            scores[term] += weights[field] * _field_score(count, len(field_terms), field)
    heading = set(fields["title"]) | set(fields["tags"])
    ranked = sorted(scores, key=lambda t: (t not in heading, -scores[t], t))[:MAX_TERMS_PER_POST]
    return {term: max(1, round(scores[term] * WEIGHT_SCALE)) for term in ranked}
