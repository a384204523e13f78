"""``customsnet run --sources DIR``: the study on real source files.

Loads every recognised file of ``DIR`` through the ETL, exports the panel, and decides — term by
term, from the data — what can be estimated and why the rest cannot (no outcome ties, no tie
ever dissolving for memory, covariate not covered in the modeled years, no variation, …). It then
fits the models restricted to the estimable terms and writes the report, when the outcome network
has enough ties to model. The config file is documented in ``docs/run-config.md``.

Synthetic data never enters unnoticed: sources the demo loaded are unloaded before the real
ones are loaded (``keep_synthetic`` keeps them; the export then allows the mix and the run is
labelled synthetic, from the provenance of the facts it used).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from customsnet.graph.connection import Graph
from customsnet.graph.regions import country_regions
from customsnet.modeling.panel.panel import Panel
from customsnet.modeling.terms.formula import parse_formula
from customsnet.modeling.terms.temporal import Memory
from customsnet.study.analysis import (
    COVARIATE_TERMS,
    NETWORK_TERMS,
    AnalysisSettings,
    run_analysis,
)
from customsnet.study.rundir import RunDirectory

MEMORY_TERM = "memory(type='stability')"


def default_formulas(covariate_terms: list[str], outcome: str = "CMAA") -> dict[str, str]:
    """The study's Models 1-3 on ``covariate_terms`` (btergm syntax)."""
    covariates = " + ".join(covariate_terms)
    return {
        "Model 1": f"{outcome} ~ edges + {NETWORK_TERMS} + {MEMORY_TERM}",
        **({"Model 2": f"{outcome} ~ edges + {covariates}"} if covariates else {}),
        "Model 3": f"{outcome} ~ edges + {NETWORK_TERMS} + {MEMORY_TERM}" + (f" + {covariates}" if covariates else ""),
    }


@dataclass
class RunConfig:
    """What ``customsnet run`` models (a JSON file with these keys; all optional; docs/run-config.md)."""

    years: tuple[int, int] = (1990, 2020)
    basis: str = "signed"  # date a tie starts: "signed" or "in_force" (the seed CMAA list has more in-force dates)
    undated: str = (
        "exclude"  # agreements without a date on the basis: "exclude", "in_force" (date by entry into force), "error"
    )
    covariate_terms: list[str] = field(default_factory=lambda: [t.strip() for t in COVARIATE_TERMS.split(" + ")])
    formulas: dict[str, str] | None = None  # model name -> formula; default: Models 1-3 on covariate_terms
    precedence: dict[str, list[str]] = field(default_factory=dict)  # variable (or "*") -> source names, first wins
    missing: str = "drop-nodes"
    bootstrap: int = 100
    seed: int = 1
    gof_nsim: int = 50  # simulated networks per GOF year
    predict_nsim: int = 100  # simulated networks for out-of-sample prediction
    n_jobs: int = 2  # threads for the fits
    min_ties: int = 30  # fewer ties than this in the last year: report estimability only
    max_missing_share: float = 0.5  # a covariate missing for more node/dyad-years than this is not estimable
    keep_synthetic: bool = False  # keep synthetic (demo) sources in the graph; the run is then labelled synthetic
    # formula name -> panel variable, on top of the study's own (fta_wto, tradeflow_baci, ...: covariate_names.py)
    aliases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: str | Path) -> RunConfig:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(
                f"{path}: unknown config keys {sorted(unknown)}; known: {sorted(cls.__dataclass_fields__)}"
            )
        if "years" in data:
            data["years"] = tuple(int(y) for y in data["years"])
        config = cls(**data)
        config.validate(str(path))
        return config

    def validate(self, where: str = "run config") -> None:
        from customsnet.modeling.panel.export import UNDATED_POLICIES

        if self.undated not in UNDATED_POLICIES:
            raise ValueError(f"{where}: undated must be one of {', '.join(UNDATED_POLICIES)}, got {self.undated!r}")
        if self.basis not in ("signed", "in_force"):
            raise ValueError(f"{where}: basis must be 'signed' or 'in_force', got {self.basis!r}")
        if self.formulas is not None:
            if not isinstance(self.formulas, dict) or not self.formulas:
                raise ValueError(f"{where}: formulas must be a non-empty object of model name -> formula")
            for name, formula in self.formulas.items():
                try:
                    parse_formula(formula)
                except ValueError as exc:
                    raise ValueError(f"{where}: formulas[{name!r}] = {formula!r}: {exc}") from exc

    def model_formulas(self, outcome: str = "CMAA") -> dict[str, str]:
        return dict(self.formulas) if self.formulas else default_formulas(self.covariate_terms, outcome)


def _missing_share(panel: Panel, kind: str, name: str, years: list[int]) -> float:
    total = missing = 0
    for y in years:
        if kind == "node":
            v = panel.node_attrs.get(name, {}).get(y)
            if v is None:
                total += len(panel.nodes[y])
                missing += len(panel.nodes[y])
                continue
            total += v.size
            missing += int(np.isnan(v).sum())
        else:
            m = panel.dyad_covs.get(name, {}).get(y)
            n = len(panel.nodes[y])
            if m is None:
                total += n * (n - 1) // 2
                missing += n * (n - 1) // 2
                continue
            iu = np.triu_indices(n, 1)
            total += iu[0].size
            missing += int(np.isnan(m[iu]).sum())
    return missing / total if total else 1.0


def _varies(panel: Panel, kind: str, name: str, years: list[int]) -> bool:
    values = []
    for y in years:
        src = panel.node_attrs if kind == "node" else panel.dyad_covs
        v = src.get(name, {}).get(y)
        if v is not None:
            values.append(np.unique(v[np.isfinite(v)])[:3])
    return len(np.unique(np.concatenate(values))) > 1 if values else False


def _ranges(years: list[int]) -> str:
    """[1991, 1992, 1993, 1995] -> '1991-1993, 1995'."""
    parts, start = [], None
    for k, y in enumerate(years):
        if start is None:
            start = y
        if k + 1 == len(years) or years[k + 1] != y + 1:
            parts.append(f"{start}-{y}" if y != start else str(y))
            start = None
    return ", ".join(parts)


def tie_changes(panel: Panel, outcome: str = "CMAA") -> tuple[dict[int, int], int, int]:
    """Ties per year, tie formations and tie dissolutions between consecutive years."""
    ties = {y: int(sp.triu(panel.network(outcome, y), 1).nnz) for y in panel.years}
    formed = dissolved = 0
    for prev, year in zip(panel.years[:-1], panel.years[1:]):
        a = _edge_set(panel, outcome, prev)
        b = _edge_set(panel, outcome, year)
        formed += len(b - a)
        # a tie of a node that left the node set is not a dissolution
        present = set(panel.nodes[year])
        dissolved += sum(1 for i, j in a - b if i in present and j in present)
    return ties, formed, dissolved


def _edge_set(panel: Panel, outcome: str, year: int) -> set[tuple[str, str]]:
    m = sp.triu(panel.network(outcome, year), 1).tocoo()
    labels = panel.nodes[year]
    return {(labels[i], labels[j]) for i, j in zip(m.row, m.col)}


def canonical_term(text: str) -> str:
    """A term as the estimability table names it: ``absdiff('polyarchy')`` -> ``absdiff("polyarchy")``."""
    return parse_formula(f"y ~ {text}").terms[0].to_r()


def term_variable(term) -> tuple[str, str] | None:
    """(kind, panel variable) a covariate term needs, or None for network and temporal terms."""
    if term.dyad_covariates():
        return ("dyad", term.dyad_covariates()[0])
    if term.node_attributes():
        return ("node", term.node_attributes()[0])
    return None


def estimability(
    panel: Panel, config: RunConfig, outcome: str = "CMAA", formulas: dict[str, str] | None = None
) -> dict:
    """For each term of the models: estimable or not, and why, decided from ``panel`` (its modeled years).

    Keys are the terms as :func:`canonical_term` writes them (e.g. ``memory(type = "stability")``).
    """
    years = panel.years[1:]  # memory uses the first year as the lag only
    ties, new_ties, dissolved = tie_changes(panel, outcome)
    formulas = formulas or config.model_formulas(outcome)
    terms = list(dict.fromkeys(t for f in formulas.values() for t in parse_formula(f).terms))
    out: dict[str, dict] = {}
    enough = ties[panel.years[-1]] >= config.min_ties
    why_network = (
        f"the outcome network has {ties[panel.years[-1]]} ties in {panel.years[-1]} and {new_ties} tie formations "
        f"over {years[0]}-{years[-1]} (need at least {config.min_ties} ties)"
    )
    for term in terms:
        key = term.to_r()
        variable = term_variable(term)
        if isinstance(term, Memory):
            if dissolved:
                out[key] = {
                    "estimable": enough,
                    "why": (f"{dissolved} ties dissolve over {years[0]}-{years[-1]}: stability memory is identified")
                    if enough
                    else why_network,
                    "dissolutions": dissolved,
                }
            else:
                out[key] = {
                    "estimable": False,
                    "dissolutions": 0,
                    "why": f"no tie dissolves over {years[0]}-{years[-1]} ({new_ties} formations, 0 dissolutions): "
                    "memory and edges are separated (not identified); the formation model estimates "
                    "edges - memory instead",
                }
            continue
        if variable is None:
            out[key] = {"estimable": enough, "why": "ok" if enough else why_network}
            continue
        kind, name = variable
        share = _missing_share(panel, kind, name, years)
        # a year where most values are missing cannot be modeled with this term at all: the
        # missing-value policy would have to drop (nearly) every node or invent the values
        uncovered = [y for y in years if _missing_share(panel, kind, name, [y]) > config.max_missing_share]
        if share >= 0.999:
            out[key] = {
                "estimable": False,
                "why": f"no {name} values in the graph for the modeled years: no loaded source provides them",
            }
        elif uncovered:
            out[key] = {
                "estimable": False,
                "why": (
                    f"{name} is missing for most {kind}s in {_ranges(uncovered)} (overall {share:.0%} of the modeled "
                    f"{kind}-years, lagged one year); "
                    "restrict the years to those it covers or add a source that covers them"
                ),
            }
        elif not _varies(panel, kind, name, years):
            out[key] = {"estimable": False, "why": f"{name} does not vary in the modeled years"}
        else:
            out[key] = {"estimable": enough, "why": "ok" if enough else why_network, "missing_share": round(share, 3)}
    return {"ties": ties, "new_ties": new_ties, "dissolutions": dissolved, "terms": out}


def resolve_formulas(
    formulas: dict[str, str], panel: Panel, aliases: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Each formula with its names resolved against the panel (exact, study or config aliases, case).

    Term by term: a term whose variable the panel lacks stays as written, so that the estimability
    check reports it (e.g. no MLAT source loaded) instead of the run stopping. Returns the formulas
    and one line per formula whose names changed.
    """
    from customsnet.modeling.terms.covariate_names import CovariateNameError, resolve_names
    from customsnet.modeling.terms.formula import Formula, as_formula

    resolved, notes = {}, []
    for name, text in formulas.items():
        formula = as_formula(text)
        terms, renames, lhs = [], {}, formula.lhs
        for term in formula.terms:
            try:
                single, changed = resolve_names(Formula(formula.lhs, (term,)), panel, aliases)
            except CovariateNameError:
                terms.append(term)
                continue
            terms.extend(single.terms)
            renames.update(changed)
            lhs = single.lhs  # the network's name resolves the same way in every term
        if renames:
            resolved[name] = str(Formula(lhs, tuple(terms)))
            shown = ", ".join(f"{given} -> {to}" for given, to in renames.items())
            notes.append(f"{name}: formula names resolved ({shown})")
        else:
            resolved[name] = text
    return resolved, notes


def fitted_formulas(formulas: dict[str, str], verdicts: dict[str, dict]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each formula without its non-estimable terms, and what was dropped per model.

    Memory stays even when not identified: the fit flags it, and the formation model (which
    Model 3 feeds) estimates edges - memory. A model left with no covariate is skipped.
    """
    kept: dict[str, str] = {}
    dropped: dict[str, list[str]] = {}
    for name, formula in formulas.items():
        f = parse_formula(formula)
        keep = [t.to_r() for t in f.terms if isinstance(t, Memory) or verdicts.get(t.to_r(), {}).get("estimable")]
        dropped[name] = [t.to_r() for t in f.terms if t.to_r() not in keep]
        if [t for t in keep if t != "edges"]:
            kept[name] = f"{f.lhs} ~ " + " + ".join(keep)
    return kept, dropped


def remove_synthetic_sources(graph: Graph, progress=print) -> list[str]:
    """Unload every synthetic Source (the demo's), so real and simulated facts cannot meet."""
    from customsnet.etl.load import unload_source
    from customsnet.graph.provenance import synthetic_sources

    names = synthetic_sources(graph)
    for name in names:
        progress(f"unloading synthetic source {name} (the demo's; `customsnet demo` rebuilds it from its seed)")
        unload_source(graph, name)
    return names


def run_real(
    graph: Graph,
    sources_dir: Path,
    config: RunConfig,
    workdir: Path,
    report_path: Path,
    load: bool = True,
    progress=print,
    bars=None,
) -> dict:
    """Load, export, assess estimability, and (if the network allows) fit and report.

    ``bars`` (``start(description, total) -> advance(n)``) follows the bootstraps with counts.
    """
    from customsnet.etl.load_directory import load_directory
    from customsnet.graph.schema import apply_schema
    from customsnet.modeling.panel.export import export_panel
    from customsnet.report.build import build_report
    from customsnet.study.runs import store_run_in_graph

    apply_schema(graph)
    removed = [] if config.keep_synthetic else remove_synthetic_sources(graph, progress)
    loads = []
    if load:
        progress(f"loading {sources_dir}")
        for o in load_directory(graph, sources_dir, rejects_dir=Path(workdir) / "rejects"):
            loads.append(
                {
                    "file": o.file.path.name,
                    "source": o.file.source,
                    "error": o.error,
                    "rows_loaded": o.report.rows_loaded if o.report else 0,
                }
            )
    progress("exporting the panel")
    panel = export_panel(
        graph,
        years=config.years,
        basis=config.basis,
        undated=config.undated,
        precedence=config.precedence,
        allow_mixed=config.keep_synthetic,
    )
    formulas, renames = resolve_formulas(config.model_formulas(), panel, config.aliases)
    for note in renames:
        progress(note)
    est = estimability(panel, config, formulas=formulas)
    result = {
        "estimability": est,
        "loads": loads,
        "removed_synthetic_sources": removed,
        "undated": panel.meta.get("undated", {}),
        "observation_sources": panel.meta.get("observation_sources", {}),
        "synthetic": bool(panel.meta.get("synthetic")),
    }
    if not any(v["estimable"] for v in est["terms"].values()):
        progress("not enough outcome ties to fit the models; estimability reported only")
        return result
    fitted, dropped = fitted_formulas(formulas, est["terms"])
    result["formulas"], result["dropped_terms"] = fitted, dropped
    if "Model 3" not in fitted:
        progress("no Model 3 left after dropping non-estimable terms; estimability reported only")
        return result
    run = RunDirectory.create(Path(workdir) / f"run-{time.strftime('%Y%m%d-%H%M%S')}")
    settings = AnalysisSettings(
        bootstrap=config.bootstrap,
        seed=config.seed,
        missing=config.missing,
        gof_nsim=config.gof_nsim,
        predict_nsim=config.predict_nsim,
        n_jobs=config.n_jobs,
        train=(config.years[0], min(config.years[0] + 9, config.years[1] - 1)),
        test_year=min(config.years[0] + 10, config.years[1]),
    )
    regions = country_regions(graph)
    summary = run_analysis(
        panel,
        run,
        settings,
        regions,
        progress=progress,
        bars=bars,
        formulas=fitted,
        meta={
            "estimability": est,
            "sources_dir": str(sources_dir),
            "dropped_terms": dropped,
            "config": _config_record(config),
            "removed_synthetic_sources": removed,
        },
    )
    store_run_in_graph(graph, run)
    result["run_id"] = run.run_id
    result["synthetic"] = bool(summary.get("synthetic"))
    result["warnings"] = summary.get("warnings", [])
    result["report"] = str(build_report(run.root, report_path))
    return result


def _config_record(config: RunConfig) -> dict:
    from dataclasses import asdict

    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(config).items()}
