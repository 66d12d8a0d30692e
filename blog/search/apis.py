"""The public search API: GET /api/blog/search?q=&limit= (cacheable; q and limit are in the edge's cache key)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from blog.search.selectors import MAX_QUERY_CHARS, MAX_RESULTS, search_posts
from mysite.apis import PublicApi, StrictSerializer, results_output, validated


class SearchResultOutput(serializers.Serializer):
    slug = serializers.CharField()
    url = serializers.CharField(help_text="The post's page.")
    title = serializers.CharField()
    title_html = serializers.CharField(help_text="The title, HTML-escaped, matching words in <mark>.")
    snippet_html = serializers.CharField(help_text="Words of the post around the matches, escaped, in <mark>.")
    tags = serializers.ListField(child=serializers.CharField(), help_text="URL slugs.")
    tag_names = serializers.ListField(child=serializers.CharField(), help_text="The tags as written.")
    author_name = serializers.CharField()
    published_at = serializers.DateTimeField()
    score = serializers.FloatField(help_text="Relevance; only the order means something.")


class SearchApi(PublicApi):
    """Anonymous, the same answer for everyone: no session, no cookies, shared-cacheable."""

    # Short at the edge: a new post shows up within a minute even where no invalidation reaches.
    max_age = 30
    s_maxage = 60
    stale_while_revalidate = 30

    class InputSerializer(StrictSerializer):
        q = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=MAX_QUERY_CHARS,
            trim_whitespace=False,
            help_text=f"The words to find, at most {MAX_QUERY_CHARS} characters; "
            "the last one also matches as a prefix unless followed by a space.",
        )
        limit = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=MAX_RESULTS,
            default=10,
            help_text=f"How many results, 1-{MAX_RESULTS} (default 10).",
        )

    OutputSerializer = results_output("SearchApiOutput", SearchResultOutput, query=serializers.CharField())

    @extend_schema(
        parameters=[InputSerializer],
        responses={200: OutputSerializer},
        operation_id="blog_search",
    )
    def get(self, request):
        data = validated(self.InputSerializer, request.query_params)
        query = data.get("q", "")
        results = search_posts(query=query, limit=data["limit"])
        return Response(self.OutputSerializer({"query": query, "results": results}).data)
