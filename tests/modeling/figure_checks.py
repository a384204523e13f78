"""Checks every publication figure must pass (used by test_plots.py).

* the file is in the format its suffix names (magic bytes);
* its size fits a journal page: at most 7.5 in wide (190 mm, a double column) and 9.5 in tall,
  read from the file itself (PDF MediaBox, SVG width/height in pt, PNG pixels at the recorded dpi);
* every title is one line and no wider than the figure;
* no legend overlaps an axes' data area (bounding boxes from matplotlib's renderer).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

MAX_WIDTH_IN = 7.5
MAX_HEIGHT_IN = 9.5
MAGIC = {".pdf": b"%PDF-", ".png": b"\x89PNG\r\n\x1a\n"}


def file_size_inches(path: Path) -> tuple[float, float]:
    """(width, height) in inches as the file itself states it."""
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        box = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", data)
        assert box, f"{path}: no MediaBox"
        x0, y0, x1, y1 = (float(v) for v in box.groups())
        return (x1 - x0) / 72, (y1 - y0) / 72
    if suffix == ".svg":
        head = data[:3000].decode("utf-8", "replace")
        w = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', head)
        h = re.search(r'<svg[^>]*\sheight="([\d.]+)pt"', head)
        assert w and h, f"{path}: no width/height in pt"
        return float(w.group(1)) / 72, float(h.group(1)) / 72
    if suffix == ".png":
        width, height = struct.unpack(">II", data[16:24])
        phys = data.find(b"pHYs")
        assert phys > 0, f"{path}: PNG without a dpi record"
        ppm_x, ppm_y, unit = struct.unpack(">IIB", data[phys + 4 : phys + 13])
        assert unit == 1, "pHYs not in metres"
        return width / (ppm_x * 0.0254), height / (ppm_y * 0.0254)
    raise AssertionError(f"unexpected figure suffix {suffix}")


def check_file(path: Path) -> None:
    """Format by extension and size within journal limits."""
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".svg":
        assert b"<svg" in data[:3000], f"{path} is not an SVG"
    else:
        assert data.startswith(MAGIC[suffix]), f"{path} is not a {suffix[1:].upper()} file"
    w, h = file_size_inches(path)
    assert 2.0 <= w <= MAX_WIDTH_IN + 0.01, f"{path}: {w:.2f} in wide"
    assert 1.0 <= h <= MAX_HEIGHT_IN + 0.01, f"{path}: {h:.2f} in tall"


def check_layout(fig: Figure) -> None:
    """One-line titles no wider than the figure; legends clear of every axes' data area."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    fig_box = fig.bbox
    titles = [fig._suptitle] if getattr(fig, "_suptitle", None) is not None else []
    for ax in fig.axes:
        titles += [ax.title, ax._left_title, ax._right_title]
    for t in titles:
        text = t.get_text()
        if not text:
            continue
        assert "\n" not in text, f"title {text!r} has several lines"
        box = t.get_window_extent(renderer)
        assert box.width <= fig_box.width + 1, f"title {text!r} is wider than the figure"
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    for legend in legends:
        lbox = legend.get_window_extent(renderer)
        assert fig_box.x0 - 1 <= lbox.x0 and lbox.x1 <= fig_box.x1 + 1 and lbox.y1 <= fig_box.y1 + 1, (
            "legend leaves the figure"
        )
        for ax in fig.axes:
            if not ax.get_visible() or not ax.axison:
                continue
            assert not lbox.overlaps(ax.get_window_extent(renderer)), "legend overlaps a data area"


def check_figure(fig: Figure, paths: list[Path]) -> None:
    """Both checks: the layout of ``fig`` and every file written from it."""
    check_layout(fig)
    assert paths, "no file written"
    for p in paths:
        check_file(p)
