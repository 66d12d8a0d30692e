"""Demo content for a new local stack: two published posts and a scheduled one by the demo author."""

from __future__ import annotations

from datetime import timedelta

from accounts.services import profile_ensure_for
from blog import services
from blog.models import utcnow

DEMO_AUTHOR = "author@example.com"

POSTS = [
    (
        "Welcome to the MyBlog demo",
        ["announcements"],
        "This blog runs on **AWS Lambda**, **DynamoDB** and **S3**, behind CloudFront.\n\n"
        "- Posts are written in Markdown and sanitised before anyone sees them.\n"
        "- Images go straight from the browser to S3 and come back as WebP and JPEG renditions.\n"
        "- Every new reader gets a welcome email through a DynamoDB Stream.\n\n"
        "Sign in as the demo author and open the admin panel to write your own post.",
    ),
    (
        "How scheduled publishing works",
        ["how-to", "serverless"],
        "A scheduled event runs every minute and publishes the posts whose time has come.\n\n"
        "```python\nfor post in Post.scheduled.query('due', Post.scheduled_for <= now):\n    publish(post)\n```\n\n"
        "It reads a sparse index of scheduled posts, so it never scans the table.",
    ),
]


def seed(*, stdout) -> None:
    author = profile_ensure_for(email=DEMO_AUTHOR)
    for title, tags, body in POSTS:
        post = services.post_create(
            author_sub=author.sub, author_name=author.display_name, title=title, body_markdown=body, tags=tags
        )
        services.post_publish(post_id=post.post_id, version=post.version)
    later = services.post_create(
        author_sub=author.sub,
        author_name=author.display_name,
        title="A post that appears in ten minutes",
        body_markdown="Scheduled while the demo was seeded; the dispatcher publishes it when it is due.",
        tags=["serverless"],
    )
    services.post_schedule(post_id=later.post_id, version=later.version, publish_at=utcnow() + timedelta(minutes=10))
    stdout.write(f"  Blog: {len(POSTS)} demo posts published, one scheduled.\n")
