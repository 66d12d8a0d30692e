"""Reader search: ranking, stemming, prefixes, snippets, drafts, the Stream-kept index and bad input."""

from __future__ import annotations

import time
import uuid

import pytest
from django.test import Client

from blog import services
from blog.search.events import EVENT_SOURCES, post_stream_handler
from blog.search.models import SearchDocument, SearchPosting, SearchTerm, term_prefix
from blog.search.selectors import MAX_EXPANSIONS, MAX_QUERY_WORDS, query_parse, search_posts
from blog.search.services import search_index_post, search_index_update
from blog.search.text import DOCUMENT_COUNT, stem
from mysite.edge import PUBLIC_QUERY_STRINGS, behavior_for
from mysite.errors import InvalidInput
from tests.conftest import dynamodb_calls


def word() -> str:
    """A made-up word no other test uses, whose stem is itself.

    It holds a vowel: the stemmer strips "-ing" and "-ed" only after one.
    """
    return "zxa" + "".join(chr(97 + int(c, 16)) for c in uuid.uuid4().hex[:10]) + "x"


def index(*posts) -> int:
    changed, failed_at = search_index_update(post_ids=[p.post_id for p in posts])
    assert failed_at is None
    return changed


def slugs(query: str, **kwargs) -> list[str]:
    return [r["slug"] for r in search_posts(query=query, **kwargs)]


def term_count(term: str) -> int:
    try:
        return int(SearchTerm.get(term_prefix(term), term, consistent_read=True).post_count)
    except SearchTerm.DoesNotExist:
        return 0


def stream_event(*posts, event_name: str = "MODIFY") -> dict:
    return {
        "Records": [
            {
                "eventName": event_name,
                "eventSource": "aws:dynamodb",
                "dynamodb": {"Keys": {"post_id": {"S": p.post_id}}, "SequenceNumber": str(100 + i)},
            }
            for i, p in enumerate(posts)
        ]
    }


# --- Ranking, stemming, prefixes, snippets -----------------------------------------------------


def test_title_outranks_tags_which_outrank_body(make_post):
    term = word()
    in_body = make_post(title="Plain", body_markdown=f"Some text about {term} and more.")
    in_tags = make_post(title="Other", tags=[term], body_markdown="Nothing here.")
    in_title = make_post(title=f"All about {term}", body_markdown="Nothing here.")
    index(in_body, in_tags, in_title)
    assert slugs(term + " ") == [in_title.slug, in_tags.slug, in_body.slug]


def test_a_post_holding_every_word_comes_first(make_post):
    first, second = word(), word()
    both = make_post(title="Both", body_markdown=f"{first} and {second}")
    one = make_post(title=f"{first} {first}", body_markdown=f"{first} " * 5)
    index(both, one)
    assert slugs(f"{first} {second} ") == [both.slug, one.slug]


def test_stemming_finds_other_forms_of_a_word(make_post):
    root = word()
    post = make_post(title="Forms", body_markdown=f"We were {root}ing all day; the {root}ers agreed.")
    index(post)
    assert stem(f"{root}ing") == stem(f"{root}ed")
    assert slugs(f"{root}ed ") == [post.slug]
    assert slugs(f"{root}ers ") == [post.slug]


def test_the_word_being_typed_matches_as_a_prefix_and_a_finished_word_does_not(make_post):
    term = word()
    post = make_post(title=f"On {term}", body_markdown="Body.")
    index(post)
    typed = term[:9]  # six of its random letters: no other test's word starts so (two were shared once)
    assert slugs(typed) == [post.slug]
    assert slugs(typed + " ") == []  # a space ends the word: no longer a prefix
    assert query_parse(f"the {typed}") == [query_parse(typed)[0]]  # stop words are left out


def test_snippets_highlight_the_words_and_escape_the_text(make_post):
    term = word()
    filler = " ".join(f"filler{n}" for n in range(80))
    post = make_post(
        title=f"Fish & <Chips> {term}",
        body_markdown=f"{filler}\n\nThe {term} said a < b & that {term}s matter.\n\n{filler}",
    )
    index(post)
    [result] = search_posts(query=term + " ")
    assert result["title_html"] == f"Fish &amp; &lt;Chips&gt; <mark>{term}</mark>"
    snippet = result["snippet_html"]
    assert f"<mark>{term}</mark> said a &lt; b &amp; that <mark>{term}s</mark> matter." in snippet
    assert snippet.startswith("…")
    assert snippet.endswith("…")
    assert len(snippet.split()) < 45  # a window, not the whole post
    assert result["url"] == f"/blog/{post.slug}/"


# --- Drafts and updates -----------------------------------------------------------------------


def test_drafts_never_show_and_unpublishing_removes_a_post(make_post):
    term = word()
    draft = make_post(publish=False, title=f"Draft {term}")
    index(draft)
    assert slugs(term + " ") == []
    assert SearchDocument.count(draft.post_id) == 0  # a draft writes nothing to the index

    post = services.post_publish(post_id=draft.post_id, version=draft.version)
    index(post)
    assert slugs(term + " ") == [post.slug]

    post = services.post_unpublish(post_id=post.post_id, version=post.version)
    # Before the index catches up the post is already gone: results are checked against the post.
    assert slugs(term + " ") == []
    index(post)
    assert list(SearchPosting.query(term)) == []
    assert term_count(term) == 0


def test_an_edit_replaces_the_posts_terms_without_leaving_any_behind(make_post):
    old, new = word(), word()
    post = make_post(title=f"Before {old}", body_markdown=f"{old} text")
    index(post)
    post = services.post_update(post_id=post.post_id, version=post.version, title=f"After {new}", body_markdown="x")
    index(post)
    assert slugs(old + " ") == []
    assert slugs(new + " ") == [post.slug]
    assert (term_count(old), term_count(new)) == (0, 1)
    document = SearchDocument.get(post.post_id)
    listed = {key.split(" ")[0] for key in document.postings}
    assert listed == {stem("after"), new, stem("x")}
    for term in listed:  # every listed posting exists, and no other posting of the post does
        assert [p.post_id for p in SearchPosting.query(term)].count(post.post_id) == 1


def test_deleting_a_post_removes_it_from_the_index(make_post):
    term = word()
    post = make_post(title=f"Gone {term}")
    index(post)
    services.post_delete(post_id=post.post_id, version=post.version)
    index(post)
    assert slugs(term + " ") == []
    assert term_count(term) == 0


def test_redelivered_records_change_nothing_and_counts_stay_exact(make_post):
    term = word()
    post = make_post(title=f"Counted {term}")
    before = term_count(DOCUMENT_COUNT)
    assert post_stream_handler(stream_event(post), None) == {"batchItemFailures": [], "posts_reindexed": 1}
    assert post_stream_handler(stream_event(post, post), None) == {"batchItemFailures": [], "posts_reindexed": 0}
    assert term_count(term) == 1
    assert term_count(DOCUMENT_COUNT) == before + 1
    for _ in range(2):
        post = services.post_unpublish(post_id=post.post_id, version=post.version)
        post_stream_handler(stream_event(post), None)
        post_stream_handler(stream_event(post), None)
        post = services.post_publish(post_id=post.post_id, version=post.version)
        post_stream_handler(stream_event(post), None)
    assert term_count(term) == 1
    assert term_count(DOCUMENT_COUNT) == before + 1


def test_an_update_cut_short_converges_on_the_next_delivery(make_post, monkeypatch):
    old, new = word(), word()
    post = make_post(title=f"Crash {old}")
    index(post)
    post = services.post_update(post_id=post.post_id, version=post.version, title=f"Crash {new}", body_markdown="")

    from blog.search import services as search_services

    def crash(*args, **kwargs):
        raise RuntimeError("the function timed out")

    monkeypatch.setattr(search_services, "_count", crash)  # postings written, counts not yet
    assert post_stream_handler(stream_event(post), None)["batchItemFailures"] == [{"itemIdentifier": "100"}]
    monkeypatch.undo()
    assert post_stream_handler(stream_event(post), None)["posts_reindexed"] == 1
    assert (term_count(old), term_count(new)) == (0, 1)
    assert slugs(new + " ") == [post.slug]
    assert slugs(old + " ") == []


def test_the_stream_keeps_the_index_and_the_cached_answer_follows(make_post, dispatcher):
    assert [s.model for s in EVENT_SOURCES] == ["blog.models.Post"]
    term = word()
    client = Client()
    assert client.get("/api/blog/search", {"q": term}).json()["results"] == []
    post = make_post(title=f"Streamed {term}")
    deadline = time.monotonic() + 60
    while dispatcher.run_once(include_schedules=False) and time.monotonic() < deadline:
        pass
    assert search_index_post(post_id=post.post_id) is False  # the dispatcher did it already
    answer = client.get("/api/blog/search", {"q": term}).json()
    assert [r["slug"] for r in answer["results"]] == [post.slug]


# --- The API, the pages, bad input --------------------------------------------------------------


def test_api_answers_cacheable_results_keyed_on_q(make_post):
    term = word()
    post = make_post(title=f"Api {term}", tags=["Search Tag"])
    index(post)
    response = Client().get("/api/blog/search", {"q": term, "limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == term
    [result] = body["results"]
    assert (result["slug"], result["title_html"]) == (post.slug, f"Api <mark>{term}</mark>")
    assert (result["tags"], result["tag_names"]) == (["search-tag"], ["Search Tag"])
    assert "public" in response["Cache-Control"]
    assert "s-maxage=60" in response["Cache-Control"]
    assert "Set-Cookie" not in response
    assert behavior_for("/api/blog/search").caches
    assert "q" in PUBLIC_QUERY_STRINGS


@pytest.mark.parametrize("query", ["", "   ", "the and of", "!!!", "\u200b\u200b", "🙂🙂🙂"])
def test_queries_without_words_answer_no_results(query):
    response = Client().get("/api/blog/search", {"q": query})
    assert response.status_code == 200
    assert response.json() == {"query": query, "results": []}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "x" * 201}, "q"),
        ({"q": "a\x00b"}, "q"),
        ({"q": "a", "limit": 0}, "limit"),
        ({"q": "a", "limit": 21}, "limit"),
    ],
)
def test_bad_input_is_a_400_in_the_error_shape(params, field):
    response = Client().get("/api/blog/search", params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "query",
    [
        "' OR 1=1 --",
        ".*(a+)+$ [[[",
        "<script>alert(1)</script>",
        "a " * 100,
        "ab " * 66,
        " ".join(word() for _ in range(13)),  # more words than are looked up
        "é" * 200,
        "a" * 200,
        "%00%ff\\u0000",
    ],
)
def test_hostile_queries_answer_quickly_with_bounded_reads(query):
    with dynamodb_calls() as calls:
        response = Client().get("/api/blog/search", {"q": query})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)
    # stamp + counts + one vocabulary page + postings per term + the posts shown
    assert len(calls) <= 1 + 1 + 1 + (MAX_QUERY_WORDS + MAX_EXPANSIONS) + 1
    assert calls.count("Scan") == 0


def test_a_repeated_query_costs_one_read(make_post):
    term = word()
    index(make_post(title=f"Cached {term}"))
    client = Client()
    client.get("/api/blog/search", {"q": term})
    with dynamodb_calls() as calls:
        assert len(client.get("/api/blog/search", {"q": term}).json()["results"]) == 1
    assert calls == ["GetItem"]  # the blog's cache stamp


def test_the_search_page_and_the_live_fragment(make_post):
    term = word()
    post = make_post(title=f"Page {term}")
    index(post)
    client = Client()
    page = client.get("/blog/search/", {"q": term}).content.decode()
    assert f'<a href="/blog/{post.slug}/">Page <mark>{term}</mark></a>' in page
    assert 'role="search"' in page
    assert 'name="robots" content="noindex"' in page
    fragment = client.get("/blog/search/live/", {"q": term[:9]})
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert f"/blog/{post.slug}/" in fragment.content.decode()
    assert "No posts match" in client.get("/blog/search/live/", {"q": word() + " "}).content.decode()
    assert client.get("/blog/search/live/", {"q": "x" * 201}).status_code == 400
    assert 'id="blog-search-q"' in client.get("/blog/").content.decode()  # the box is on every blog page


def test_search_is_a_reserved_slug(author):
    with pytest.raises(InvalidInput):
        services.post_create(author_sub=author.sub, author_name=author.name, title="S", slug="search")


def test_a_long_post_indexes_a_bounded_number_of_terms_keeping_its_title_and_tags():
    from blog.search.text import MAX_TERMS_PER_POST, post_term_weights

    body = " ".join(f"w{n}x" for n in range(3000))
    weights = post_term_weights(title="Zebras and lions", tags=["Savanna"], body_text=body)
    assert len(weights) == MAX_TERMS_PER_POST
    assert {stem("zebras"), stem("lions"), stem("savanna")} <= set(weights)
    assert weights[stem("zebras")] > max(weights[t] for t in weights if t.startswith("w"))
