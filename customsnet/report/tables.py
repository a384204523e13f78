"""Regression tables of several fits side by side (the study's Table A3), in texreg's conventions.

:func:`regression_table` lays out any number of :class:`~customsnet.modeling.results.FitResult`
objects as texreg does for btergm: one column per model, each coefficient on one line with its
stars and, below it, the bootstrap standard error in parentheses (``interval="se"``) or the
bootstrap interval in brackets (``interval="ci"``); then the model statistics. An MCMC-MLE fit
(:class:`~customsnet.modeling.estimation.mcmle_result.MCMLEResult`) shows its standard error
including the MCMC error, or its Wald interval; ``interval="mixed"`` gives each fit its own kind
(bootstrap intervals for the MPLE, standard errors for the MCMC-MLE: the robustness table of
``customsnet compare``), and the note under the table says which is which. It writes LaTeX
(plain ``tabular`` with ``\\hline``, so it compiles with ``latex-base`` alone), Markdown (pipe
table; pastes into Word via pandoc or any Markdown editor), HTML and CSV.

**Stars follow btergm's interval rule**, not p-values: btergm has no standard p-value for a
bootstrapped MPLE, and texreg marks a btergm coefficient significant when its bootstrap interval
excludes 0. With star levels (0.05, 0.01, 0.001) a coefficient gets ``*`` when the 95%
percentile interval excludes 0, ``**`` for the 99% interval and ``***`` for the 99.9% interval
(each from the same replicates; with few replicates the outer percentiles are the extreme
replicates, so read ``***`` with R < 1000 as "every replicate has the same sign"). For an MCMC-MLE
fit the same rule on its Wald intervals is the usual two-sided p < level.

Rows: the formation model's ``edges`` estimates btergm's ``edges - memory`` and is printed in
that row (:func:`~customsnet.modeling.evaluation.plots.formation_term`). A term whose estimate does not
exist (separation) shows "n.i." (not identified). Statistics rows: dyads (observations), time
steps, bootstrap replications, log pseudo-likelihood and pseudo-AIC/BIC (pseudo-likelihood
quantities: see :mod:`customsnet.modeling.results`), and the identification status.

No table library is used: the layouts are a few lines each, and texreg's conventions (two lines
per coefficient, a statistics block) do not map onto ``DataFrame.to_latex`` without
post-processing that would be longer than this writer.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm

from customsnet.modeling.evaluation.plots import excludes_zero, formation_term
from customsnet.modeling.results import FitResult, is_estimated

FORMATS = ("latex", "html", "markdown", "csv")
INTERVALS = ("se", "ci", "mixed")
DEFAULT_STARS = (0.05, 0.01, 0.001)
NOT_IDENTIFIED = "n.i."


@dataclass
class Row:
    """One coefficient row: per model the estimate cell and the cell below (SE or interval)."""

    term: str
    cells: list[str]
    below: list[str]


@dataclass
class RegressionTable:
    """A texreg-style table; ``numbers`` holds the values in long form (one row per model and term)."""

    models: list[str]
    rows: list[Row]
    statistics: list[tuple[str, list[str]]]
    numbers: pd.DataFrame
    interval: str
    stars: tuple[float, ...]
    level: float
    notes: list[str] = field(default_factory=list)
    stat_values: list[tuple[str, list]] = field(default_factory=list)  # the statistics as numbers, for CSV
    sources: list[str] = field(default_factory=list)  # per model: FitResult.interval_source

    # ------------------------------------------------------------------ layouts
    def note(self) -> str:
        sources = self.sources or ["bootstrap"] * len(self.models)
        mcmc = [m for m, s in zip(self.models, sources) if s == "mcmc"]
        boot = [m for m, s in zip(self.models, sources) if s != "mcmc"]
        parts = []
        if boot:
            below = (
                "bootstrap standard errors in parentheses"
                if _below_kind(self.interval, "bootstrap") == "se"
                else f"{100 * self.level:g}% bootstrap percentile intervals in brackets"
            )
            parts.append((f"{_names(boot)}: {below}" if mcmc else below.capitalize()) + ".")
        if mcmc:
            below = (
                "standard errors including the MCMC error in parentheses"
                if _below_kind(self.interval, "mcmc") == "se"
                else f"{100 * self.level:g}% Wald intervals (estimate ± {norm.ppf(0.5 + self.level / 2):.2f} SE, "
                "SE including the MCMC error) in brackets"
            )
            parts.append((f"{_names(mcmc)}: {below}" if boot else below.capitalize()) + ".")
        star_text = "; ".join(
            f"{'*' * (k + 1)} {100 * (1 - a):g}% interval excludes 0" for k, a in enumerate(self.stars)
        )
        if star_text:
            parts.append(
                star_text
                + (
                    f" (MCMC-MLE: the Wald interval, i.e. two-sided p < {', '.join(f'{a:g}' for a in self.stars)})"
                    if mcmc
                    else ""
                )
                + "."
            )
        parts.append(f"{NOT_IDENTIFIED}: not identified (the estimate does not exist).")
        return " ".join(parts + self.notes)

    def to_markdown(self) -> str:
        header = ["", *self.models]
        lines = [
            "| " + " | ".join(_md(h) for h in header) + " |",
            "|" + "|".join([":---"] + ["---:"] * len(self.models)) + "|",
        ]
        for row in self.rows:
            lines.append("| " + " | ".join([_md(row.term), *(_md(c) for c in row.cells)]) + " |")
            lines.append("| " + " | ".join(["", *(_md(c) for c in row.below)]) + " |")
        for name, cells in self.statistics:
            lines.append("| " + " | ".join([_md(name), *(_md(c) for c in cells)]) + " |")
        return "\n".join(lines) + "\n\n" + _md(self.note()) + "\n"

    def to_latex(self, caption: str = "", label: str = "", standalone: bool = False) -> str:
        """A ``table`` environment (or a whole compilable document with ``standalone``)."""
        cols = "l" + "r" * len(self.models)
        out = ["\\begin{table}[htbp]", "\\centering", "\\small"]
        if caption:
            out.append(f"\\caption{{{_tex(caption)}}}")
        if label:
            out.append(f"\\label{{{label}}}")
        out += [
            f"\\begin{{tabular}}{{{cols}}}",
            "\\hline",
            " & ".join(["", *map(_tex, self.models)]) + " \\\\",
            "\\hline",
        ]
        for row in self.rows:
            out.append(" & ".join([_tex(row.term), *(_tex_cell(c) for c in row.cells)]) + " \\\\")
            out.append(" & ".join(["", *(_tex_cell(c) for c in row.below)]) + " \\\\")
        out.append("\\hline")
        for name, cells in self.statistics:
            out.append(" & ".join([_tex(name), *(_tex(c) for c in cells)]) + " \\\\")
        out += [
            "\\hline",
            "\\end{tabular}",
            "",
            f"\\parbox{{0.9\\linewidth}}{{\\scriptsize {_tex(self.note())}}}",
            "\\end{table}",
        ]
        body = "\n".join(out) + "\n"
        if standalone:
            return (
                "\\documentclass{article}\n"
                "\\usepackage[margin=2cm]{geometry}\n\\begin{document}\n" + body + "\\end{document}\n"
            )
        return body

    def to_html(self, caption: str = "") -> str:
        """An HTML table (class ``regression``), cells escaped; pastes into Word keeping the layout."""
        head = "".join(f"<th>{html.escape(m)}</th>" for m in self.models)
        body = []
        for row in self.rows:
            cells = "".join(
                f"<td>{html.escape(c)}<br><span class='se'>{html.escape(b)}</span></td>"
                for c, b in zip(row.cells, row.below)
            )
            body.append(f"<tr><th scope='row'>{html.escape(row.term)}</th>{cells}</tr>")
        stats = "".join(
            f"<tr class='stat'><th scope='row'>{html.escape(n)}</th>"
            f"{''.join(f'<td>{html.escape(c)}</td>' for c in cells)}</tr>"
            for n, cells in self.statistics
        )
        cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
        return (
            f"<table class='regression'>{cap}<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}"
            f"{stats}</tbody></table><p class='note'>{html.escape(self.note())}</p>"
        )

    def to_csv(self) -> str:
        """Wide CSV: ``term`` then per model its estimate, SE or interval bounds and stars (numbers, not text)."""
        wide = pd.DataFrame({"term": [r.term for r in self.rows]})
        cols = {
            "se": ["estimate", "std_error"],
            "ci": ["estimate", "lower", "upper"],
            "mixed": ["estimate", "std_error", "lower", "upper"],
        }[self.interval]
        for m in self.models:
            sub = self.numbers[self.numbers["model"] == m].set_index("term")
            for c in cols + ["stars"]:
                wide[f"{m}: {c}"] = [sub[c].get(t, np.nan if c != "stars" else "") for t in wide["term"]]
        stats = pd.DataFrame(
            [
                {"term": name, **{f"{m}: estimate": v for m, v in zip(self.models, values)}}
                for name, values in (self.stat_values or self.statistics)
            ]
        )
        buf = io.StringIO()
        pd.concat([wide, stats], ignore_index=True).to_csv(buf, index=False, float_format="%.6g")
        return buf.getvalue()

    def render(self, fmt: str, caption: str = "") -> str:
        if fmt == "latex":
            return self.to_latex(caption=caption)
        if fmt == "html":
            return self.to_html(caption=caption)
        if fmt == "markdown":
            return self.to_markdown()
        if fmt == "csv":
            return self.to_csv()
        raise ValueError(f"unknown table format {fmt!r}; expected one of {', '.join(FORMATS)}")


def star_marks(fit_rows: pd.DataFrame, intervals: Mapping[float, pd.DataFrame]) -> list[str]:
    """Stars per row: one per star level whose interval (``intervals[alpha]``) excludes 0."""
    marks = []
    for k in range(len(fit_rows)):
        n = 0
        for alpha in sorted(intervals, reverse=True):  # 0.05 first: stars accumulate
            ci = intervals[alpha]
            if excludes_zero(ci["lower"].iloc[k : k + 1], ci["upper"].iloc[k : k + 1])[0]:
                n += 1
            else:
                break
        marks.append("*" * n)
    return marks


def regression_table(
    fits: Mapping[str, FitResult],
    interval: str = "se",
    stars: Sequence[float] = DEFAULT_STARS,
    level: float = 0.95,
    digits: int = 3,
    terms: Sequence[str] | None = None,
) -> RegressionTable:
    """Several fits side by side in texreg's layout (see the module notes for the star rule)."""
    if not fits:
        raise ValueError("regression_table needs at least one fit")
    if interval not in INTERVALS:
        raise ValueError(f"interval must be 'se', 'ci' or 'mixed', got {interval!r}")
    stars = tuple(sorted({float(a) for a in stars}, reverse=True))
    bad = [a for a in stars if not 0 < a < 1]
    if bad:
        raise ValueError(f"star levels must lie between 0 and 1, got {bad}")
    models = list(fits)
    numbers = []
    for model, fit in fits.items():
        tidy = fit.tidy(level)
        intervals = {a: fit.tidy(1 - a) for a in stars}
        tidy["stars"] = star_marks(tidy, intervals) if _has_intervals(fit) else [""] * len(tidy)
        tidy["term"] = [formation_term(fit, t) for t in tidy["term"]]
        numbers.append(tidy.assign(model=model))
    long = pd.concat(numbers, ignore_index=True)
    order = list(terms) if terms is not None else list(dict.fromkeys(long["term"]))
    rows = []
    sources = [fit.interval_source for fit in fits.values()]
    for term in order:
        cells, below = [], []
        for model, source in zip(models, sources):
            hit = long[(long["model"] == model) & (long["term"] == term)]
            if hit.empty:
                cells.append("")
                below.append("")
                continue
            r = hit.iloc[0]
            if not is_estimated(r["status"]) or not math.isfinite(r["estimate"]):
                cells.append(NOT_IDENTIFIED)
                below.append("")
                continue
            cells.append(f"{r['estimate']:.{digits}f}{r['stars']}")
            if _below_kind(interval, source) == "se":
                below.append(f"({r['std_error']:.{digits}f})" if math.isfinite(r["std_error"]) else "")
            else:
                ok = math.isfinite(r["lower"]) and math.isfinite(r["upper"])
                below.append(f"[{r['lower']:.{digits}f}; {r['upper']:.{digits}f}]" if ok else "")
        rows.append(Row(term, cells, below))
    statistics = [
        ("Dyads", [f"{f.nobs:,}" for f in fits.values()]),
        ("Time steps", [str(f.n_steps) for f in fits.values()]),
        ("Bootstrap replications", [str(f.R) if f.interval_source == "bootstrap" else "" for f in fits.values()]),
        ("Log pseudo-likelihood", [_num(f.llf, 1) for f in fits.values()]),
        ("Pseudo-AIC", [_num(f.aic, 1) for f in fits.values()]),
        ("Pseudo-BIC", [_num(f.bic, 1) for f in fits.values()]),
        ("Identification", [identification_text(f) for f in fits.values()]),
    ]
    stat_values = [
        ("Dyads", [f.nobs for f in fits.values()]),
        ("Time steps", [f.n_steps for f in fits.values()]),
        ("Bootstrap replications", [f.R if f.interval_source == "bootstrap" else None for f in fits.values()]),
        ("Log pseudo-likelihood", [f.llf for f in fits.values()]),
        ("Pseudo-AIC", [f.aic for f in fits.values()]),
        ("Pseudo-BIC", [f.bic for f in fits.values()]),
        ("Identification", statistics[-1][1]),
    ]
    if "mcmc" in sources:
        # the MCMC-MLE's own statistics: how much it sampled, and whether it converged
        draws = [len(f.final_sample) if s == "mcmc" else None for f, s in zip(fits.values(), sources)]
        done = [("yes" if f.converged else "NO") if s == "mcmc" else "" for f, s in zip(fits.values(), sources)]
        statistics[-1:-1] = [
            ("MCMC draws (final sample)", [f"{d:,}" if d else "" for d in draws]),
            ("MCMC-MLE converged", done),
        ]
        stat_values[-1:-1] = [("MCMC draws (final sample)", draws), ("MCMC-MLE converged", done)]
    notes = []
    if "mcmc" in sources:
        notes.append("The pseudo-likelihood rows do not apply to the MCMC-MLE (left empty).")
    if any(f.estimator == "formation" for f in fits.values()):
        notes.append(
            "Formation: fitted on the dyads untied the year before; its intercept is in the edges - memory row."
        )
    return RegressionTable(models, rows, statistics, long, interval, stars, level, notes, stat_values, sources)


def _below_kind(interval: str, source: str) -> str:
    """What a model's second line shows: "se" or "ci" (``mixed``: intervals for bootstrap fits, SEs for MCMC)."""
    if interval != "mixed":
        return interval
    return "se" if source == "mcmc" else "ci"


def _has_intervals(fit: FitResult) -> bool:
    """Whether ``fit`` has intervals to star by: bootstrap replicates, or an MCMC-MLE's standard errors."""
    return fit.interval_source == "mcmc" or fit.R > 0


def _names(models: Sequence[str]) -> str:
    return ", ".join(models)


def identification_text(fit: FitResult) -> str:
    """ "all identified", or which terms are not (and why, in short)."""
    missing = [(n, s) for n, s in zip(fit.names, fit.status) if not is_estimated(s)]
    if not missing:
        return "all identified"
    reasons = sorted({s.split(":", 1)[1].strip().split(" ")[0] if ":" in s else s for _, s in missing})
    return f"{len(missing)} {NOT_IDENTIFIED} ({', '.join(reasons)})"


def _num(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}" if math.isfinite(value) else ""


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("*", "\\*")


_TEX = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "±": r"$\pm$",
    "[": "{[}",
    "]": "{]}",
}


def _tex(text: str) -> str:
    return "".join(_TEX.get(ch, ch) for ch in str(text)).replace("−", "-")


def _tex_cell(text: str) -> str:
    """A number cell: stars as a superscript, as texreg prints them."""
    text = str(text)
    core = text.rstrip("*")
    n = len(text) - len(core)
    return _tex(core) + (f"$^{{{'*' * n}}}$" if n else "")
