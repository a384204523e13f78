"""FitResult: summary, intervals, btergm_se, save/load."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from reference_rows import boot_indices, compressed_design

from customsnet.modeling.estimation.fit import fit_tergm
from customsnet.modeling.estimation.model import TERGM
from customsnet.modeling.results import FitResult


@pytest.fixture(scope="module")
def separated_fit() -> FitResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_tergm(compressed_design("case1"), estimator="mple", bootstrap=30, seed=5)


@pytest.fixture(scope="module")
def btergm_fit() -> FitResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_tergm(
            compressed_design("case1_dissolve"), estimator="btergm", boot_indices=boot_indices("case1_dissolve")
        )


def test_summary_header_and_table(separated_fit):
    text = str(separated_fit.summary())
    assert "Formula: nets ~ edges + gwesp(0.5, fixed = TRUE)" in text
    assert "TERGM by MPLE (mple)" in text
    assert "Time steps: 9 (2-10)" in text
    assert "Bootstrapping sample size: 30, seed 5" in text
    assert "15,930 dyads (31,860 ordered pairs" in text
    assert "converged: yes" in text
    assert "not identified: separation" in text
    assert "edges - edgecov.memory[[i]]" in text
    assert "ties never dissolve" in text
    table = separated_fit.summary().table
    assert list(table.columns) == ["Estimate", "Boot mean", "2.5%", "97.5%", "Identification"]
    assert np.isnan(table.loc["edges", "Estimate"]) and np.isnan(table.loc["edges", "2.5%"])
    lo, hi = table.loc["gwesp.fixed.0.5", ["2.5%", "97.5%"]]
    assert lo < table.loc["gwesp.fixed.0.5", "Estimate"] < hi


def test_conf_int_labels_levels_and_kinds(btergm_fit):
    ci = btergm_fit.conf_int()
    assert list(ci.columns) == ["2.5%", "97.5%"]
    ci90 = btergm_fit.conf_int(level=0.9)
    assert list(ci90.columns) == ["5%", "95%"]
    assert np.all(ci90["5%"] >= ci["2.5%"]) and np.all(ci90["95%"] <= ci["97.5%"])
    basic = btergm_fit.conf_int(kind="basic")
    est = btergm_fit.params
    np.testing.assert_allclose(basic["2.5%"], 2 * est - ci["97.5%"])
    with pytest.raises(ValueError, match="perc"):
        btergm_fit.conf_int(kind="bca")


def test_btergm_se_is_rms_around_estimate_with_flipped_z(btergm_fit):
    with pytest.warns(UserWarning, match="misleading"):
        se = btergm_fit.btergm_se()
    t = btergm_fit.boot_t
    est = btergm_fit.params.to_numpy()
    np.testing.assert_allclose(se["Std.Err"], np.sqrt(((t - est) ** 2).mean(axis=0)))
    np.testing.assert_allclose(se["Z value"], -t.mean(axis=0) / se["Std.Err"])
    assert np.all(np.sign(se["Z value"]) == -np.sign(est))


def test_save_and_load_round_trip(tmp_path, separated_fit):
    json_path, csv_path = separated_fit.save(tmp_path / "run" / "fit")
    assert json_path.exists() and csv_path.exists()
    json.loads(json_path.read_text())  # strict JSON (no NaN literals)
    back = FitResult.load(json_path)
    pd.testing.assert_series_equal(back.params, separated_fit.params)
    np.testing.assert_array_equal(back.boot_t, separated_fit.boot_t)
    np.testing.assert_array_equal(back.boot_indices, separated_fit.boot_indices)
    assert back.seed == 5 and back.estimator == "mple" and back.status == separated_fit.status
    pd.testing.assert_frame_equal(back.conf_int(), separated_fit.conf_int())
    table = pd.read_csv(csv_path, index_col="term")
    assert table.loc["gwesp.fixed.0.5", "Estimate"] == pytest.approx(separated_fit.params["gwesp.fixed.0.5"], abs=1e-15)
    assert table.loc["edges", "Identification"] == "not identified: separation"


def test_tergm_estimator_fits_a_panel_through_build_design():
    from reference_rows import REFERENCE

    from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel

    if not (REFERENCE / "case1_dissolve").is_dir():
        pytest.skip("reference data absent")
    model = TERGM(REFERENCE_FORMULA, estimator="mple", R=5, seed=2)
    result = model.fit(read_reference_panel(REFERENCE / "case1_dissolve"))
    direct = fit_tergm(compressed_design("case1_dissolve"), estimator="mple", bootstrap=0)
    np.testing.assert_allclose(model.params_.to_numpy(), direct.params.to_numpy(), atol=1e-8)
    assert result.R == 5 and "mple" in repr(model)
    assert model.set_params(R=7).get_params()["R"] == 7
    with pytest.raises(ValueError, match="unknown parameter"):
        model.set_params(bootstrap=3)


def test_fit_without_bootstrap_summarises_and_round_trips(tmp_path):
    result = fit_tergm(compressed_design("case1_dissolve"), estimator="mple", bootstrap=0)
    assert "Bootstrapping sample size: 0" in str(result.summary())
    assert result.conf_int().isna().all().all()
    back = FitResult.load(result.save(tmp_path / "fit")[0])
    assert back.boot_t.shape == (0, 6) and back.boot_indices.shape == (0, 9)
    pd.testing.assert_series_equal(back.params, result.params)


def test_tidy_is_the_one_table(separated_fit):
    from customsnet.modeling.results import TIDY_COLUMNS, is_estimated

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Mean of empty slice", no incomplete-replicate noise
        tidy = separated_fit.tidy()
    assert list(tidy.columns) == TIDY_COLUMNS
    assert tidy["term"].to_list() == separated_fit.names + [c.label for c in separated_fit.combinations]
    edges = tidy.set_index("term").loc["edges"]
    assert np.isnan(edges["estimate"]) and np.isnan(edges["std_error"]) and not is_estimated(edges["status"])
    combo = tidy.set_index("term").loc["edges - edgecov.memory[[i]]"]
    assert is_estimated(combo["status"]) and np.isfinite(combo["std_error"]) and combo["lower"] < combo["upper"]
    # to_frame is only btergm's layout of the same numbers
    frame = separated_fit.to_frame()
    np.testing.assert_array_equal(frame["97.5%"].to_numpy(), tidy["upper"].to_numpy())


def test_bse_is_the_sd_of_the_replicates_and_cov_params_matches(btergm_fit):
    t = btergm_fit.boot_t
    np.testing.assert_allclose(btergm_fit.bse[btergm_fit.names], t.std(axis=0, ddof=1))
    cov = btergm_fit.cov_params()
    assert list(cov.index) == btergm_fit.names
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), btergm_fit.bse[btergm_fit.names])
    np.testing.assert_allclose(cov.to_numpy(), cov.to_numpy().T)


def test_likelihood_quantities(btergm_fit):
    assert btergm_fit.nobs == btergm_fit.nobs_dyads
    assert btergm_fit.llf == pytest.approx(-btergm_fit.deviance / 2)
    k = btergm_fit.df_model
    assert k == len(btergm_fit.names)
    assert btergm_fit.aic == pytest.approx(btergm_fit.deviance + 2 * k)
    assert btergm_fit.bic == pytest.approx(btergm_fit.deviance + k * np.log(btergm_fit.nobs))
    text = str(btergm_fit.summary())
    assert "Log pseudo-likelihood" in text and "pseudo-AIC" in text


def test_bse_without_bootstrap_is_nan_and_silent():
    result = fit_tergm(compressed_design("case1_dissolve"), estimator="mple", bootstrap=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert result.bse.isna().all() and result.boot_mean().isna().all()
        assert result.cov_params().isna().all().all()
        result.tidy()


def test_summary_html(btergm_fit):
    html = btergm_fit.summary().as_html()
    assert html.startswith("<div") and "<table" in html and "Log pseudo-likelihood" in html
    assert btergm_fit.summary()._repr_html_() == html


def test_load_checks_the_format_version(tmp_path, btergm_fit):
    from customsnet.modeling.results import FitFormatError

    json_path, _ = btergm_fit.save(tmp_path / "fit")
    data = json.loads(json_path.read_text())
    data["format_version"] = 99
    json_path.write_text(json.dumps(data))
    with pytest.raises(FitFormatError, match="version 99.*upgrade customsnet"):
        FitResult.load(json_path)
    data.pop("format_version")
    json_path.write_text(json.dumps(data))
    with pytest.raises(FitFormatError, match="not a customsnet fit"):
        FitResult.load(json_path)
    json_path.write_text("{oops")
    with pytest.raises(FitFormatError, match="not valid JSON"):
        FitResult.load(json_path)
