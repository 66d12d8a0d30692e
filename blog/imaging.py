"""Pillow work of the image pipeline: prove a file is an image, normalise it, make renditions."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
RENDITION_WIDTHS = (320, 640, 960, 1280, 1920)
WEBP_QUALITY = 80
JPEG_QUALITY = 85


class ImageRejected(Exception):
    """The file is not an image we accept; the message says why (shown to the author)."""


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    content_type: str
    extension: str
    data: bytes


@dataclass(frozen=True)
class ProcessedImage:
    content_hash: str
    original_format: str
    width: int
    height: int
    renditions: list[Rendition]


def _decode(data: bytes, *, max_pixels: int) -> PILImage.Image:
    """Open and fully decode; the size is checked from the header before any pixel is decoded."""
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; here any bomb is an error.
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            probe = PILImage.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise ImageRejected(f"{probe.format} images are not accepted; use JPEG, PNG, WebP or GIF.")
            width, height = probe.size
            if width * height > min(max_pixels, PILImage.MAX_IMAGE_PIXELS or max_pixels):
                raise ImageRejected(f"The image is too large ({width} x {height} pixels).")
            probe.verify()  # structural check; the object is unusable afterwards
            image = PILImage.open(io.BytesIO(data))
            image.load()
        except ImageRejected:
            raise
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
            raise ImageRejected("The image is too large (decompression bomb guard).") from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            raise ImageRejected("The file is not a valid image.") from error
    return image


def _normalized(image: PILImage.Image) -> tuple[PILImage.Image, bool]:
    """Upright (EXIF orientation applied), RGB or RGBA, and without any metadata."""
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info)
    clean = image.convert("RGBA" if has_alpha else "RGB")
    clean.info = {}  # EXIF (GPS, camera), ICC, XMP and comments do not travel to the renditions
    return clean, has_alpha


def rendition_widths(width: int, widths: tuple[int, ...] = RENDITION_WIDTHS) -> list[int]:
    """Every standard width below the original, plus the original width capped at the largest."""
    return sorted({w for w in widths if w < width} | {min(width, max(widths))})


def process(data: bytes, *, max_pixels: int) -> ProcessedImage:
    """Verify and decode `data`, then encode WebP and JPEG (PNG if transparent) at several widths."""
    image = _decode(data, max_pixels=max_pixels)
    original_format = image.format or "UNKNOWN"
    image, has_alpha = _normalized(image)
    width, height = image.size
    renditions: list[Rendition] = []
    for target in rendition_widths(width):
        resized = (
            image
            if target == width
            else image.resize((target, max(1, round(height * target / width))), PILImage.Resampling.LANCZOS)
        )
        webp = io.BytesIO()
        resized.save(webp, "WEBP", quality=WEBP_QUALITY, method=4)
        renditions.append(Rendition(resized.width, resized.height, "image/webp", "webp", webp.getvalue()))
        fallback = io.BytesIO()
        if has_alpha:
            resized.save(fallback, "PNG", optimize=True)
            renditions.append(Rendition(resized.width, resized.height, "image/png", "png", fallback.getvalue()))
        else:
            resized.save(fallback, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
            renditions.append(Rendition(resized.width, resized.height, "image/jpeg", "jpg", fallback.getvalue()))
    return ProcessedImage(
        content_hash=hashlib.sha256(data).hexdigest()[:24],
        original_format=original_format,
        width=width,
        height=height,
        renditions=renditions,
    )
