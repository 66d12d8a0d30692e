"""The search index: postings by term (strongest first), the vocabulary by prefix, and what each post indexed."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.models import Model

from mysite.dynamo import BaseMeta, table_name

RANK_CEILING = 10**8  # above any weight (text.WEIGHT_SCALE times the largest field-weighted score)


def posting_rank(weight: int, post_id: str) -> str:
    """The sort key of a posting: higher weights sort first, ties by post id."""
    return f"{RANK_CEILING - weight:09d}#{post_id}"


def term_prefix(term: str) -> str:
    """The vocabulary partition of a term: its first two characters."""
    return term[:2]


class SearchPosting(Model):
    """One (term, published post) pair with the term's weight in the post; a Query with Limit reads the top posts."""

    class Meta(BaseMeta):
        table_name = table_name("blog-search-postings")

    term = UnicodeAttribute(hash_key=True)
    rank = UnicodeAttribute(range_key=True)  # posting_rank(weight, post_id)
    post_id = UnicodeAttribute()
    weight = NumberAttribute()


class SearchTerm(Model):
    """A term of the vocabulary with the number of published posts holding it; prefixes expand here."""

    class Meta(BaseMeta):
        table_name = table_name("blog-search-terms")

    prefix = UnicodeAttribute(hash_key=True)  # term_prefix(term)
    term = UnicodeAttribute(range_key=True)
    post_count = NumberAttribute(default=0)


class SearchDocument(Model):
    """What the index holds for one post, so an update removes exactly its old postings and counts once.

    `postings` lists every posting that may exist (added before they are written, removed after they
    are deleted); `counted` the terms whose `post_count` includes this post; `digest` is set only when
    the postings and counts match the post state it names, and cleared while an update is under way.
    """

    class Meta(BaseMeta):
        table_name = table_name("blog-search-documents")

    post_id = UnicodeAttribute(hash_key=True)
    postings = UnicodeSetAttribute(null=True)  # "<term> <rank>"
    counted = UnicodeSetAttribute(null=True)
    digest = UnicodeAttribute(null=True)
