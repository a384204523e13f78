"""Self-contained HTML report: tables inline, figures embedded as base64 PNG (opens offline).

No matplotlib here: figures arrive as PNG files written by the analysis.

The report is assembled from plain values (DataFrames, matplotlib figures, text), so it can be
rebuilt from a saved run without refitting anything.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

CSS = """
*{box-sizing:border-box}
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;\
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em} h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd}
nav{font-size:.9em} nav a{margin-right:.8em}
table{border-collapse:collapse;font-size:.82em;margin:.6em 0;max-width:100%}
th,td{padding:.2em .55em;border-bottom:1px solid #eee;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left} thead th{border-bottom:2px solid #999;text-align:center}
table.regression td{white-space:nowrap} table.regression .se{color:#555}
table.regression tr.stat td, table.regression tr.stat th{font-size:.95em;color:#333;white-space:normal}
td,th{overflow-wrap:anywhere}
.banner{background:#fff3cd;border:1px solid #e0c36a;padding:.6em 1em;border-radius:4px}
.note{color:#555;font-size:.9em} figure{margin:1em 0} figcaption{font-size:.9em;color:#444}
dl.glossary dt{font-weight:600;font-family:monospace} dl.glossary dd{margin:0 0 .4em 1.5em}
img{max-width:100%;height:auto}
"""


@dataclass
class ReportSection:
    """One titled block: free text (already-escaped HTML allowed via ``html_body``), tables, figures."""

    title: str
    text: str = ""
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)  # (caption, data URI)
    html_body: str = ""
    anchor: str = ""  # id of the section (for the table of contents and tests)


def _table_html(caption: str, df: pd.DataFrame) -> str:
    body = df.to_html(index=False, border=0, na_rep="", escape=True, float_format=lambda v: f"{v:.3f}")
    return f"<p class='note'>{html.escape(caption)}</p>{body}" if caption else body


def render_report(title: str, sections: list[ReportSection], banner: str = "", subtitle: str = "") -> str:
    """The report as one HTML string (no external resources)."""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    if subtitle:
        parts.append(f"<p class='note'>{html.escape(subtitle)}</p>")
    if banner:
        parts.append(f"<p class='banner'>{html.escape(banner)}</p>")
    links = [f"<a href='#{html.escape(sec.anchor)}'>{html.escape(sec.title)}</a>" for sec in sections if sec.anchor]
    if links:
        parts.append("<nav>" + " ".join(links) + "</nav>")
    for sec in sections:
        anchor = f" id='{html.escape(sec.anchor)}'" if sec.anchor else ""
        parts.append(f"<section{anchor}><h2>{html.escape(sec.title)}</h2>")
        if sec.text:
            parts.extend(f"<p>{html.escape(p)}</p>" for p in sec.text.split("\n\n"))
        if sec.html_body:
            parts.append(sec.html_body)
        for caption, df in sec.tables:
            parts.append(_table_html(caption, df))
        for caption, uri in sec.figures:
            parts.append(
                f"<figure><img alt='{html.escape(caption)}' src='{uri}'>"
                f"<figcaption>{html.escape(caption)}</figcaption></figure>"
            )
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(
    path: str | Path, title: str, sections: list[ReportSection], banner: str = "", subtitle: str = ""
) -> Path:
    """Write ``render_report(...)`` to ``path`` (parent folders created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(title, sections, banner, subtitle), encoding="utf-8")
    return path
