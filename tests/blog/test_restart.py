"""Posts and processed images survive a restart of the local stack."""

from __future__ import annotations

from django.core.cache import cache
from django.test import Client

from blog import selectors
from blog.models import IMAGE_READY
from mysite import storage
from tests.blog.conftest import image_bytes
from tests.blog.test_events import upload


def test_published_post_and_image_renditions_survive_a_restart(restart_stack, author, make_post, dispatcher):
    image = upload(author, image_bytes(), filename="cover.jpg", content_type="image/jpeg")
    dispatcher.run_once(include_schedules=False)
    processed = selectors.image_get(image_id=image.image_id)
    assert processed.status == IMAGE_READY
    post = make_post(title="Survives restarts", body_markdown="Still *here*.")

    restart_stack()  # same ports, same data folder
    cache.clear()  # nothing may come from the process's read cache

    page = Client().get(f"/blog/{post.slug}/")
    assert page.status_code == 200
    assert "Survives restarts" in page.content.decode()
    assert selectors.image_get(image_id=image.image_id).status == IMAGE_READY
    for rendition in processed.renditions:
        assert storage.object_head(rendition["key"])["ContentLength"] > 0
