"""The blog's Lambda handlers fed by the local dispatcher: real uploads to s3rver, real schedules."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
import requests
from django.test import Client
from PIL import Image as PILImage

from blog import selectors, services
from blog.events import EVENT_SOURCES, image_uploaded_handler
from blog.models import IMAGE_READY, IMAGE_REJECTED, PUBLISHED, utcnow
from mysite import storage
from mysite.dispatcher import Dispatcher
from tests.blog.conftest import image_bytes


def upload(author, data: bytes, *, filename: str, content_type: str):
    """Ask for a presigned POST and upload through it, as the editor's browser does."""
    image, post = services.image_upload_start(
        uploaded_by=author.sub, filename=filename, content_type=content_type, size=len(data)
    )
    response = requests.post(
        post["url"], data=post["fields"], files={"file": (filename, data, content_type)}, timeout=10
    )
    assert response.status_code in (200, 204), response.text
    return image


def rendition_image(rendition: dict) -> PILImage.Image:
    return PILImage.open(io.BytesIO(storage.object_read(rendition["key"])))


def test_event_sources_are_declared_for_the_upload_prefix_and_every_minute():
    kinds = {type(s).__name__: s for s in EVENT_SOURCES}
    assert kinds["UploadSource"].prefix == "uploads/blog/"
    assert kinds["ScheduleSource"].rate == "rate(1 minute)"
    assert kinds["ScheduleSource"].seconds == 60


def test_jpeg_with_exif_orientation_is_turned_upright_stripped_and_rendered(author, dispatcher):
    original = PILImage.new("RGB", (1200, 600), (0, 0, 255))
    original.paste((255, 0, 0), (0, 0, 600, 600))  # left half red
    exif = PILImage.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010F] = "SecretCam"  # camera make: must not survive
    out = io.BytesIO()
    original.save(out, "JPEG", exif=exif.tobytes(), quality=95)

    image = upload(author, out.getvalue(), filename="holiday photo.jpg", content_type="image/jpeg")
    dispatcher.run_once(include_schedules=False)

    processed = selectors.image_get(image_id=image.image_id)
    assert processed.status == IMAGE_READY
    assert (processed.width, processed.height) == (600, 1200)  # upright: portrait now
    assert processed.original_format == "JPEG"
    widths = sorted({r["width"] for r in processed.renditions})
    assert widths == [320, 600]
    assert {r["type"] for r in processed.renditions} == {"image/webp", "image/jpeg"}
    for rendition in processed.renditions:
        assert rendition["key"].startswith(f"media/blog/{processed.content_hash}-{rendition['width']}.")
        head = storage.object_head(rendition["key"])
        assert head["CacheControl"] == "public, max-age=31536000, immutable"
        decoded = rendition_image(rendition)
        assert decoded.width == rendition["width"]
        assert decoded.height > decoded.width
        assert dict(decoded.getexif()) == {}
        assert "exif" not in decoded.info
    largest = rendition_image(next(r for r in processed.renditions if r["width"] == 600 and r["type"] == "image/jpeg"))
    red, _green, blue = largest.convert("RGB").getpixel((300, 50))
    # The red (left) half is on top after rotating clockwise.
    assert red > 200
    assert blue < 60


def test_png_with_transparency_keeps_a_png_fallback(author, dispatcher):
    data = image_bytes("PNG", size=(700, 400), mode="RGBA")
    image = upload(author, data, filename="logo.png", content_type="image/png")
    dispatcher.run_once(include_schedules=False)

    processed = selectors.image_get(image_id=image.image_id)
    assert processed.status == IMAGE_READY
    assert {r["type"] for r in processed.renditions} == {"image/webp", "image/png"}
    assert sorted({r["width"] for r in processed.renditions}) == [320, 640, 700]
    assert rendition_image(next(r for r in processed.renditions if r["type"] == "image/png")).mode == "RGBA"


def test_a_non_image_renamed_jpg_is_rejected_and_deleted(author, dispatcher):
    data = b"MZ\x90\x00 this is an executable, not a photo" * 20
    image = upload(author, data, filename="cat.jpg", content_type="image/jpeg")
    assert storage.object_head(image.upload_key) is not None
    dispatcher.run_once(include_schedules=False)

    rejected = selectors.image_get(image_id=image.image_id)
    assert rejected.status == IMAGE_REJECTED
    assert rejected.reason == "The file is not a valid image."
    assert rejected.renditions is None
    assert storage.object_head(image.upload_key) is None


def test_an_image_with_too_many_pixels_is_rejected(author, dispatcher, settings):
    settings.BLOG_IMAGE_MAX_PIXELS = 1_000_000
    data = image_bytes("PNG", size=(1500, 1000))
    image = upload(author, data, filename="huge.png", content_type="image/png")
    dispatcher.run_once(include_schedules=False)

    rejected = selectors.image_get(image_id=image.image_id)
    assert rejected.status == IMAGE_REJECTED
    assert rejected.reason == "The image is too large (1500 x 1000 pixels)."
    assert storage.object_head(image.upload_key) is None


def test_a_decompression_bomb_is_rejected_before_decoding(author, dispatcher):
    bomb = io.BytesIO()
    PILImage.new("1", (12_000, 12_000)).save(bomb, "PNG")  # 144 megapixels in a few kilobytes
    image = upload(author, bomb.getvalue(), filename="bomb.png", content_type="image/png")
    dispatcher.run_once(include_schedules=False)

    rejected = selectors.image_get(image_id=image.image_id)
    assert rejected.status == IMAGE_REJECTED
    assert "too large" in rejected.reason


def test_a_file_over_the_byte_limit_is_rejected(author, dispatcher, settings):
    data = image_bytes("JPEG", size=(400, 300))
    image, _ = services.image_upload_start(
        uploaded_by=author.sub, filename="big.jpg", content_type="image/jpeg", size=len(data)
    )
    settings.BLOG_IMAGE_MAX_BYTES = len(data) - 1  # written past the policy, as a misbehaving client might
    storage.object_write(image.upload_key, data, content_type="image/jpeg")
    dispatcher.run_once(include_schedules=False)

    rejected = selectors.image_get(image_id=image.image_id)
    assert rejected.status == IMAGE_REJECTED
    assert rejected.reason == "The file is larger than the upload limit."
    assert storage.object_head(image.upload_key) is None


def test_upload_start_refuses_wrong_types_and_sizes(author):
    from mysite.errors import InvalidInput, PayloadTooLarge

    with pytest.raises(InvalidInput) as caught:
        services.image_upload_start(uploaded_by=author.sub, filename="x.svg", content_type="image/svg+xml", size=10)
    assert "content_type" in caught.value.fields
    with pytest.raises(PayloadTooLarge) as too_big:
        services.image_upload_start(
            uploaded_by=author.sub, filename="x.jpg", content_type="image/jpeg", size=100 * 1024 * 1024
        )
    assert too_big.value.status == 413


def test_the_same_event_twice_does_the_work_once(author, dispatcher):
    image = upload(author, image_bytes("JPEG", size=(500, 300)), filename="a.jpg", content_type="image/jpeg")
    dispatcher.run_once(include_schedules=False)
    first = selectors.image_get(image_id=image.image_id)
    assert first.status == IMAGE_READY

    event = {
        "Records": [
            {
                "eventName": "ObjectCreated:Post",
                "s3": {"bucket": {"name": storage.bucket()}, "object": {"key": image.upload_key}},
            }
        ]
    }
    assert image_uploaded_handler(event, None) == {"images": {image.upload_key: IMAGE_READY}}
    again = selectors.image_get(image_id=image.image_id)
    assert again.version == first.version
    assert again.processed_at == first.processed_at


def test_a_scheduled_post_appears_in_page_feed_and_sitemap_only_when_due(make_post):
    post = make_post(publish=False, title=f"Scheduled {time.time_ns()}")
    due = utcnow() + timedelta(seconds=2)
    services.post_schedule(post_id=post.post_id, version=post.version, publish_at=due)
    schedule_only = Dispatcher([s for s in EVENT_SOURCES if type(s).__name__ == "ScheduleSource"])
    client = Client()

    def visible() -> tuple[int, bool, bool]:
        return (
            client.get(f"/blog/{post.slug}/").status_code,
            post.slug in client.get("/blog/rss.xml").content.decode(),
            post.slug in client.get("/sitemap.xml").content.decode(),
        )

    schedule_only.run_schedules(schedule_only.sources, force=True)
    assert visible() == (404, False, False)

    time.sleep(max(0.0, (due - utcnow()).total_seconds()) + 0.1)
    schedule_only.run_schedules(schedule_only.sources, force=True)

    assert selectors.post_get(post_id=post.post_id).status == PUBLISHED
    assert visible() == (200, True, True)
