"""The RAG-by-priority chart: a real PNG of a sane size that shows the digest's colours, whatever its shape."""

from __future__ import annotations

import base64
import struct
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from bot.render.charts import COLOURS, data_uri, rag_by_priority_png
from bot.services import digest as ds
from models import Rag
from tests.render.test_docx_report import PRIORITIES, group, make_digest, project, sample_digest

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk, which must come first."""
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def pixels(png: bytes, tmp_path: Path) -> np.ndarray:
    path = tmp_path / "ictbot_chart.png"
    path.write_bytes(png)
    return (imread(str(path))[:, :, :3] * 255).round().astype(int)


def share(image: np.ndarray, colour: str) -> float:
    """The fraction of the picture within a few levels of ``colour`` (#rrggbb)."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return float((np.abs(image - rgb).max(axis=2) <= 6).mean())


def digest_of(n_groups: int, *, name: str = "Priority") -> ds.Digest:
    groups = [
        group(f"P{i}", f"{name} {i}", "", [project(f"P{i}-01", "A project", rag=Rag.GREEN, progress="Fine")])
        for i in range(n_groups)
    ]
    return make_digest(groups)


def test_the_chart_is_a_png_of_a_sane_size(tmp_path):
    png = rag_by_priority_png(sample_digest())
    width, height = size(png)
    assert 600 <= width <= 1600 and 300 <= height <= 1000
    assert width > height  # a landscape picture that fits a page's width
    image = pixels(png, tmp_path)
    assert image.shape == (height, width, 3)
    assert 2_000 < len(png) < 200_000


def test_the_chart_shows_each_rag_colour_it_counts_and_no_other(tmp_path):
    image = pixels(rag_by_priority_png(sample_digest()), tmp_path)
    for key in ("red", "amber", "green", "none"):
        assert share(image, COLOURS[key]) > 0.002, key  # a bar segment, not just the legend's swatch
    # Most of a chart is background: it is not a page of solid colour.
    assert share(image, "#ffffff") > 0.5
    all_green = pixels(rag_by_priority_png(digest_of(3)), tmp_path)
    assert share(all_green, COLOURS["green"]) > 0.02
    # The legend keeps a small swatch of every colour; the bars add no red where nothing is red.
    assert share(all_green, COLOURS["red"]) < 0.002


def test_the_picture_grows_with_the_priorities_and_not_sideways():
    sizes = [size(rag_by_priority_png(digest_of(n))) for n in (1, 5, 12)]
    widths, heights = zip(*sizes, strict=True)
    assert len(set(widths)) == 1
    assert heights[0] < heights[1] < heights[2] <= 2000


@pytest.mark.parametrize(
    "d",
    [
        make_digest([group(code, name, "", []) for code, name, _ in PRIORITIES]),
        digest_of(3, name="A very long priority name that an officer typed without any thought for charts at all"),
        make_digest([group(None, ds.NO_PRIORITY, "", [project("X-01", "No RAG yet")])]),
        digest_of(2, name="Costs in $ and $\\frac{$ \u202e$\\nosuchmacro$"),  # matplotlib reads $…$ as maths
    ],
    ids=["no projects", "long names", "no rag yet", "dollars and bidi in a name"],
)
def test_awkward_digests_still_give_a_picture(d):
    width, height = size(rag_by_priority_png(d))
    assert width > 0 and height > 0


def test_the_data_uri_carries_the_png():
    png = rag_by_priority_png(sample_digest())
    uri = data_uri(png)
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.removeprefix("data:image/png;base64,")) == png


def test_a_digest_drawn_again_with_the_same_counts_is_not_drawn_again():
    from bot.render.charts import _rag_bars_png

    _rag_bars_png.cache_clear()
    first = rag_by_priority_png(digest_of(3))
    assert rag_by_priority_png(digest_of(3)) == first  # another Digest, the same picture: taken from the cache
    assert _rag_bars_png.cache_info().hits == 1
    other = rag_by_priority_png(digest_of(3, name="Another name"))  # anything drawn differs: drawn anew
    assert other != first and _rag_bars_png.cache_info().misses == 2
