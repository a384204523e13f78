"""Pure parts of the study layer: small-test-set flags, source precedence, fitted formulas, RunDirectory."""

from __future__ import annotations

import pandas as pd

from customsnet.modeling.panel.export import one_value_per_fact, release_number
from customsnet.study.analysis import flag_small_test_sets
from customsnet.study.real_run import RunConfig, canonical_term, fitted_formulas
from customsnet.study.rundir import RunDirectory


def test_small_test_sets_are_flagged():
    table = pd.DataFrame({"label": ["Model 2", "Model 3"], "new ties": [2, 25]})
    out = flag_small_test_sets(table)
    assert out["small_test_set"].tolist() == [True, False]
    assert out.loc[0, "warning"].startswith("only 2 new ties") and out.loc[1, "warning"] == ""
    from customsnet.study.analysis import prediction_warnings

    twice = pd.concat([out, out], ignore_index=True)  # btergm and honest rows of the same models
    assert prediction_warnings(twice) == [f"Model 2: {out.loc[0, 'warning']}"]


def test_release_numbers_from_source_names():
    assert release_number("vdem:vdemlite_v14_polyarchy_civlib_corr_1985_2023") == 14
    assert release_number("vdem:V-Dem-CY-Core-v15") == 15
    assert release_number("vdem:isard_cw_democracy_1985_2025") == -1


def test_one_value_per_fact_never_averages():
    frame = pd.DataFrame(
        {
            "year": [2000, 2000, 2001, 2001, 2000],
            "country": ["FRA", "FRA", "FRA", "FRA", "DEU"],
            "variable": ["polyarchy"] * 5,
            "value": [0.8, 0.9, 0.85, 0.86, 0.7],
            "source": ["vdem:a_v14", "vdem:b_v15", "vdem:a_v14", "vdem:b_v15", "vdem:a_v14"],
        }
    )

    def value(kept, country, year):
        rows = kept[(kept.country == country) & (kept.year == year)]
        assert len(rows) == 1  # one value per fact
        return rows["value"].item()

    # same last year: the higher release first; DEU, only in v14, still gets its v14 value
    kept, choices = one_value_per_fact(frame, {})
    assert choices["polyarchy"]["sources"] == ["vdem:b_v15", "vdem:a_v14"]
    assert value(kept, "FRA", 2000) == 0.9 and value(kept, "DEU", 2000) == 0.7 and len(kept) == 3
    assert choices["polyarchy"]["values_from"] == {"vdem:b_v15": 2, "vdem:a_v14": 1}
    assert choices["polyarchy"]["differing"] == 2
    # coverage over the whole series decides before the release number
    kept, choices = one_value_per_fact(
        frame, {}, coverage={("polyarchy", "vdem:a_v14"): 2023, ("polyarchy", "vdem:b_v15"): 2001}
    )
    assert choices["polyarchy"]["sources"][0] == "vdem:a_v14" and value(kept, "FRA", 2000) == 0.8
    # configured precedence first
    kept, choices = one_value_per_fact(frame, {"*": ["vdem:a_v14"]})
    assert choices["polyarchy"]["rule"] == "configured precedence" and value(kept, "FRA", 2001) == 0.85


def test_fitted_formulas_drop_non_estimable_terms_but_keep_memory():
    config = RunConfig(covariate_terms=["edgecov(mlat)", "edgecov(trade)"])
    formulas = config.model_formulas()
    verdicts = {
        canonical_term(t): {"estimable": True}
        for t in ("edges", "gwesp(0.5, fixed=TRUE)", "gwdegree(0.1, fixed=TRUE)", "edgecov(mlat)")
    }
    verdicts["edgecov(trade)"] = {"estimable": False}
    kept, dropped = fitted_formulas(formulas, verdicts)
    assert "edgecov(trade)" in dropped["Model 3"] and "edgecov(trade)" not in kept["Model 3"]
    assert 'memory(type = "stability")' in kept["Model 3"] and "edgecov(mlat)" in kept["Model 2"]


def test_run_config_accepts_formulas_and_refuses_bad_ones(tmp_path):
    import json

    import pytest

    good = tmp_path / "good.json"
    good.write_text(json.dumps({"formulas": {"Model 3": "CMAA ~ edges + edgecov(mlat)"}, "undated": "in_force"}))
    config = RunConfig.from_file(good)
    assert config.model_formulas() == {"Model 3": "CMAA ~ edges + edgecov(mlat)"} and config.undated == "in_force"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"formulas": {"Model 3": "CMAA ~ edges + nosuchterm(1)"}}))
    with pytest.raises(ValueError, match="formulas\\['Model 3'\\]"):
        RunConfig.from_file(bad)
    bad.write_text(json.dumps({"undated": "guess"}))
    with pytest.raises(ValueError, match="undated must be one of"):
        RunConfig.from_file(bad)


def test_run_directory_names_every_file(tmp_path):
    run = RunDirectory.create(tmp_path / "run-1")
    assert run.run_id == "run-1" and run.fits.is_dir() and run.figures.is_dir()
    assert run.coefficients_file("Model 3").name == "Model_3_coefficients.csv"
    run.coefficients_file("Model 3").write_text("term,estimate\nedges,-3\n")
    assert run.models() == ["Model 3"]
    run.write_summary({"run_id": "run-1"})
    assert run.summary() == {"run_id": "run-1"} and run.is_run()
