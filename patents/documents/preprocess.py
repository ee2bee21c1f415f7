"""Cleaning a scanned page before OCR: grey-scale, contrast, specks, deskew, binarisation.

Pure functions over Pillow images (numpy for the arithmetic). Each step is cheap on a 300 dpi A4 page; the
deskew search runs on a reduced copy. Rotation by quarter turns is decided in reading.py, which asks
Tesseract's orientation detection (it needs the OCR engine).
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter, ImageOps

# Skew the deskew search covers: scanners and hand-fed pages rarely go past a few degrees.
MAX_SKEW_DEGREES = 6.0


def to_grey(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "P"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    return image.convert("L")


def normalise_contrast(grey: Image.Image) -> Image.Image:
    """Stretch the darkest and lightest 1% to black and white (faded toner, grey paper)."""
    return ImageOps.autocontrast(grey, cutoff=1)


def remove_specks(grey: Image.Image) -> Image.Image:
    """A 3×3 median removes salt-and-pepper specks smaller than a stroke, and keeps the strokes."""
    return grey.filter(ImageFilter.MedianFilter(3))


def otsu_threshold(grey: Image.Image) -> int:
    """Otsu's threshold: the grey level that best separates ink from paper (maximal between-class variance)."""
    hist = np.asarray(grey.histogram()[:256], dtype=np.float64)
    total = hist.sum()
    if total == 0:
        return 128
    levels = np.arange(256, dtype=np.float64)
    weight_bg = np.cumsum(hist)
    weight_fg = total - weight_bg
    cum_mean = np.cumsum(hist * levels)
    mean_all = cum_mean[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_bg = cum_mean / weight_bg
        mean_fg = (mean_all - cum_mean) / weight_fg
        between = weight_bg * weight_fg * (mean_bg - mean_fg) ** 2
    between = np.nan_to_num(between)
    return int(np.argmax(between))


def binarise(grey: Image.Image) -> Image.Image:
    threshold = otsu_threshold(grey)
    return grey.point(lambda v: 255 if v > threshold else 0, mode="L")


def _profile_score(ink: np.ndarray) -> float:
    """Text lines give sharp peaks in the row sums of ink when the page is straight."""
    rows = ink.sum(axis=1, dtype=np.float64)
    return float(np.square(np.diff(rows)).sum())


def estimate_skew(binary: Image.Image) -> float:
    """The angle (degrees, counter-clockwise) that makes the text lines horizontal, by projection profiles.

    Coarse search in 1° steps, then 0.2° steps around the best, on a copy about 1000 px wide.
    """
    scale = min(1.0, 1000 / max(binary.size))
    small = binary.resize((max(1, int(binary.width * scale)), max(1, int(binary.height * scale))))
    inverted = ImageOps.invert(small)  # ink is white: rotation fills the corners with black = no ink

    def score(angle: float) -> float:
        rotated = inverted.rotate(angle, resample=Image.Resampling.NEAREST, expand=False, fillcolor=0)
        return _profile_score(np.asarray(rotated, dtype=np.float64) > 127)

    coarse = np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 0.01, 1.0)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.8, best + 0.81, 0.2)
    return round(float(max(fine, key=score)), 2)


def deskew(image: Image.Image, angle: float) -> Image.Image:
    if abs(angle) < 0.1:
        return image
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def prepare_for_ocr(image: Image.Image) -> tuple[Image.Image, list[str]]:
    """The full chain for one page; returns the clean binary page and what was done (for the reading's notes)."""
    notes: list[str] = []
    grey = to_grey(image)
    grey = normalise_contrast(grey)
    grey = remove_specks(grey)
    angle = estimate_skew(binarise(grey))
    if abs(angle) >= 0.1:
        grey = deskew(grey, angle)
        notes.append(f"deskewed by {angle:+.1f}°")
    return binarise(grey), notes
