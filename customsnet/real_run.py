"""``customsnet run --sources DIR``: the study on real source files.

Loads every recognised file of ``DIR`` through the ETL, exports the panel, and decides — term by
term — what can be estimated on that data and why the rest cannot (no outcome ties, covariate
not covered in the modeled years, no variation, …). It then fits the models restricted to the
estimable terms and writes the report, when the outcome network has enough ties to model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from customsnet.analysis import COVARIATE_TERMS, NETWORK_TERMS, AnalysisSettings, run_analysis
from customsnet.graph.connection import Graph
from customsnet.graph.regions import country_regions
from customsnet.modeling.formula import parse_formula
from customsnet.modeling.panel import Panel

#: formula term -> the exported panel variable it needs
TERM_VARIABLES = {
    "edgecov(mlat)": ("dyad", "mlat"), "edgecov(fta)": ("dyad", "fta"), "edgecov(trade)": ("dyad", "trade"),
    "edgecov(contiguity)": ("dyad", "contiguity"), "edgecov(terrorism)": ("dyad", "terrorism"),
    "edgecov(drugs)": ("dyad", "drugs"), "absdiff('polyarchy')": ("node", "polyarchy"),
    "absdiff('civlib')": ("node", "civlib"), "absdiff('corruption')": ("node", "corruption"),
    "absdiff('ideal_point')": ("node", "ideal_point"),
}


@dataclass
class RunConfig:
    """What ``customsnet run`` models (a JSON file with these keys; all optional)."""

    years: tuple[int, int] = (1990, 2020)
    basis: str = "signed"  # date a tie starts: "signed" or "in_force" (the seed CMAA list has more in-force dates)
    covariate_terms: list[str] = field(default_factory=lambda: [t.strip() for t in COVARIATE_TERMS.split(" + ")])
    missing: str = "drop-nodes"
    bootstrap: int = 100
    seed: int = 1
    min_ties: int = 30  # fewer ties than this in the last year: report estimability only
    max_missing_share: float = 0.5  # a covariate missing for more node/dyad-years than this is not estimable

    @classmethod
    def from_file(cls, path: str | Path) -> "RunConfig":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"{path}: unknown config keys {sorted(unknown)}; known: {sorted(cls.__dataclass_fields__)}")
        if "years" in data:
            data["years"] = tuple(int(y) for y in data["years"])
        return cls(**data)


def _missing_share(panel: Panel, kind: str, name: str, years: list[int]) -> float:
    total = missing = 0
    for y in years:
        if kind == "node":
            v = panel.node_attrs.get(name, {}).get(y)
            if v is None:
                total += len(panel.nodes[y]); missing += len(panel.nodes[y]); continue
            total += v.size; missing += int(np.isnan(v).sum())
        else:
            m = panel.dyad_covs.get(name, {}).get(y)
            n = len(panel.nodes[y])
            if m is None:
                total += n * (n - 1) // 2; missing += n * (n - 1) // 2; continue
            iu = np.triu_indices(n, 1)
            total += iu[0].size; missing += int(np.isnan(m[iu]).sum())
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


def estimability(panel: Panel, config: RunConfig, outcome: str = "CMAA") -> dict:
    """For each model term: estimable or not, and why (on the modeled years of ``panel``)."""
    years = panel.years[1:]  # memory uses the first year as the lag only
    ties = {y: int(sp.triu(panel.network(outcome, y), 1).nnz) for y in panel.years}
    new_ties = sum(max(ties[y] - ties[p], 0) for p, y in zip(panel.years[:-1], panel.years[1:]))
    out: dict[str, dict] = {}
    enough = ties[panel.years[-1]] >= config.min_ties
    why_network = (f"the outcome network has {ties[panel.years[-1]]} ties in {panel.years[-1]} and {new_ties} tie formations "
                   f"over {years[0]}-{years[-1]} (need at least {config.min_ties} ties)")
    for term in ("edges", "gwesp(0.5, fixed=TRUE)", "gwdegree(0.1, fixed=TRUE)"):
        out[term] = {"estimable": enough, "why": "ok" if enough else why_network}
    out["memory(type='stability')"] = {
        "estimable": False,
        "why": "ties never dissolve in CMAA data: memory and edges are separated (not identified); "
        "the formation model estimates edges - memory instead",
    }
    for term in config.covariate_terms:
        kind, name = TERM_VARIABLES.get(term, ("dyad", term))
        share = _missing_share(panel, kind, name, years)
        # a year where most values are missing cannot be modeled with this term at all: the
        # missing-value policy would have to drop (nearly) every node or invent the values
        uncovered = [y for y in years if _missing_share(panel, kind, name, [y]) > config.max_missing_share]
        if share >= 0.999:
            out[term] = {"estimable": False, "why": f"no {name} values in the graph for the modeled years: no loaded source provides them"}
        elif uncovered:
            out[term] = {
                "estimable": False,
                "why": f"{name} is missing for most {kind}s in {_ranges(uncovered)} (overall {share:.0%} of the modeled "
                f"{kind}-years, lagged one year); restrict the years to those it covers or add a source that covers them",
            }
        elif not _varies(panel, kind, name, years):
            out[term] = {"estimable": False, "why": f"{name} does not vary in the modeled years"}
        else:
            out[term] = {"estimable": enough, "why": "ok" if enough else why_network, "missing_share": round(share, 3)}
    return {"ties": ties, "terms": out}


def run_real(graph: Graph, sources_dir: Path, config: RunConfig, workdir: Path, report_path: Path, load: bool = True,
             progress=print) -> dict:
    """Load, export, assess estimability, and (if the network allows) fit and report."""
    from customsnet.etl.load_directory import load_directory
    from customsnet.graph.schema import apply_schema
    from customsnet.modeling.export import export_panel
    from customsnet.report.build import build_report
    from customsnet.runs import store_run_in_graph

    apply_schema(graph)
    loads = []
    if load:
        progress(f"loading {sources_dir}")
        for o in load_directory(graph, sources_dir, rejects_dir=Path(workdir) / "rejects"):
            loads.append({"file": o.file.path.name, "source": o.file.source, "error": o.error,
                          "rows_loaded": o.report.rows_loaded if o.report else 0})
    progress("exporting the panel")
    panel = export_panel(graph, years=config.years, basis=config.basis)
    est = estimability(panel, config)
    result = {"estimability": est, "loads": loads}
    ok_terms = [t for t in config.covariate_terms if est["terms"].get(t, {}).get("estimable")]
    if not est["terms"]["edges"]["estimable"]:
        progress("not enough outcome ties to fit the models; estimability reported only")
        return result
    covariates = " + ".join(ok_terms) if ok_terms else ""
    formulas = {
        "Model 1": f"CMAA ~ edges + {NETWORK_TERMS} + memory(type='stability')",
        **({"Model 2": f"CMAA ~ edges + {covariates}"} if covariates else {}),
        "Model 3": f"CMAA ~ edges + {NETWORK_TERMS} + memory(type='stability')" + (f" + {covariates}" if covariates else ""),
    }
    for f in formulas.values():
        parse_formula(f)
    import time

    run_dir = Path(workdir) / f"run-{time.strftime('%Y%m%d-%H%M%S')}"
    settings = AnalysisSettings(bootstrap=config.bootstrap, seed=config.seed, missing=config.missing,
                                train=(config.years[0], min(config.years[0] + 9, config.years[1] - 1)),
                                test_year=min(config.years[0] + 10, config.years[1]))
    regions = country_regions(graph)
    run_analysis(panel, run_dir, settings, regions, progress=progress, formulas=formulas,
                 meta={"synthetic": False, "estimability": est, "sources": str(sources_dir)})
    store_run_in_graph(graph, run_dir)
    result["report"] = str(build_report(run_dir, report_path))
    return result
