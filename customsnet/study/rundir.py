"""One run directory (``runs/<run_id>/``), typed: every path an analysis writes and the report reads.

The analysis writes through it, the demo and ``customsnet run`` create it, the graph write-back
and the report read from it, so a file name is decided in one place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


def model_stem(model: str) -> str:
    """File stem of a model's outputs: ``Model 3`` -> ``Model_3``."""
    return model.replace(" ", "_")


@dataclass(frozen=True)
class RunDirectory:
    """The files of one run. ``RunDirectory(path)``; :meth:`create` makes the folders."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @classmethod
    def create(cls, root: str | Path) -> RunDirectory:
        run = cls(Path(root))
        run.figures.mkdir(parents=True, exist_ok=True)
        run.fits.mkdir(parents=True, exist_ok=True)
        return run

    # ------------------------------------------------------------------ paths
    @property
    def run_id(self) -> str:
        return self.root.name

    @property
    def summary_file(self) -> Path:
        return self.root / "run.json"

    @property
    def fits(self) -> Path:
        return self.root / "fits"

    @property
    def figures(self) -> Path:
        return self.root / "figures"

    @property
    def panel_file(self) -> Path:
        return self.root / "panel.npz"

    @property
    def prediction_file(self) -> Path:
        return self.root / "prediction.csv"

    @property
    def gof_file(self) -> Path:
        return self.root / "gof.csv"

    @property
    def interpretation_file(self) -> Path:
        return self.root / "interpretation.json"

    @property
    def predicted_partners_file(self) -> Path:
        return self.root / "predicted_partners.csv"

    @property
    def sources_dir(self) -> Path:
        """Where the demo writes its synthetic source files."""
        return self.root / "sources"

    @property
    def rejects_dir(self) -> Path:
        return self.root / "rejects"

    def fit_file(self, model: str) -> Path:
        return self.fits / f"{model_stem(model)}.json"

    def coefficients_file(self, model: str) -> Path:
        return self.fits / f"{model_stem(model)}_coefficients.csv"

    def figure(self, stem: str) -> Path:
        """Stem (no suffix) of a figure; PNG and SVG are written next to it."""
        return self.figures / stem

    # ------------------------------------------------------------------ contents
    def models(self) -> list[str]:
        """Models with a coefficient table, e.g. ``["Formation", "Model 1", ...]``."""
        return [
            p.stem.replace("_coefficients", "").replace("_", " ") for p in sorted(self.fits.glob("*_coefficients.csv"))
        ]

    def summary(self) -> dict:
        return json.loads(self.summary_file.read_text(encoding="utf-8"))

    def write_summary(self, summary: dict, default=str) -> Path:
        self.summary_file.write_text(json.dumps(summary, indent=2, default=default), encoding="utf-8")
        return self.summary_file

    def fit_json(self, model: str) -> dict:
        return json.loads(self.fit_file(model).read_text(encoding="utf-8"))

    def coefficients(self, model: str) -> pd.DataFrame:
        return pd.read_csv(self.coefficients_file(model))

    def predicted_partners(self) -> pd.DataFrame | None:
        path = self.predicted_partners_file
        return pd.read_csv(path) if path.is_file() else None

    def is_run(self) -> bool:
        return self.summary_file.is_file()
