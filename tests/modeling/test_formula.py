"""btergm formula syntax: parsing, coefficient names, R round trip, refusals, safe transforms."""

from __future__ import annotations

import numpy as np
import pytest

from customsnet.modeling.terms import (
    GWESP,
    AbsDiff,
    DelRecip,
    EdgeCov,
    Edges,
    GWDegree,
    Memory,
    NodeCov,
    TimeCov,
    r_number,
)
from customsnet.modeling.terms.formula import Formula, FormulaError, as_formula, parse_formula
from customsnet.modeling.terms.rsyntax import RFunction, RSyntaxError

PAPER = (
    "cmaa ~ edges + gwesp(0.5, fixed=TRUE) + gwdegree(0.1, fixed=TRUE) + memory(type='stability') "
    "+ edgecov(mlat) + absdiff('polyarchy')"
)


def test_paper_formula_parses_to_the_python_api():
    expected = Formula(
        "cmaa", [Edges(), GWESP(0.5), GWDegree(0.1), Memory("stability"), EdgeCov("mlat"), AbsDiff("polyarchy")]
    )
    assert parse_formula(PAPER) == expected
    assert expected.coef_names(directed=False) == [
        "edges",
        "gwesp.fixed.0.5",
        "gwdeg.fixed.0.1",
        "edgecov.memory[[i]]",
        "edgecov.mlat[[i]]",
        "absdiff.polyarchy",
    ]
    assert expected.max_lag == 1


def test_spec_name_table():
    f = parse_formula(
        "nets ~ edges + gwesp(0.5, fixed = TRUE) + memory() + edgecov(tradeflow_baci) + timecov() "
        "+ timecov(x = tradeflow_baci) + nodecov('gdp') + absdiff('gdp') + absdiff('gdp', pow = 2) + dyadcov(X) "
        "+ delrecip()"
    )
    assert f.coef_names(directed=False) == [
        "edges",
        "gwesp.fixed.0.5",
        "edgecov.memory[[i]]",
        "edgecov.tradeflow_baci[[i]]",
        "edgecov.timecov1[[i]]",
        "edgecov.timecov2.tradeflow_baci[[i]]",
        "nodecov.gdp",
        "absdiff.gdp",
        "absdiff2.gdp",
        "dyadcov.X[[i]]",
        "edgecov.delrecip[[i]]",
    ]


def test_directed_names():
    f = parse_formula(
        "nets ~ edges + mutual + gwesp(0.5, fixed = TRUE) + gwidegree(0.1, fixed = TRUE) "
        "+ gwodegree(1, fixed = TRUE) + nodeicov('gdp') + nodeocov('gdp') + nodematch('region')"
    )
    assert f.coef_names(directed=True) == [
        "edges",
        "mutual",
        "gwesp.fixed.0.5",  # ergm 4.4's name (the default naming)
        "gwideg.fixed.0.1",
        "gwodeg.fixed.1",
        "nodeicov.gdp",
        "nodeocov.gdp",
        "nodematch.region",
    ]
    with pytest.raises(ValueError, match="needs a directed network"):
        f.coef_names(directed=False)


SP_FAMILY = (
    "nets ~ gwesp(0.5, fixed = TRUE) + gwdsp(0.25, fixed = TRUE) + gwnsp(1, fixed = TRUE) + esp(1) + dsp(0:1) "
    "+ nsp(2) + dgwesp(0.75, fixed = TRUE, type = 'ITP') + dgwdsp(0.1, fixed = TRUE) "
    "+ gwesp(0.1, fixed = TRUE, type = 'OTP')"
)


def test_directed_shared_partner_names_follow_ergm_4_4_by_default():
    # ergm 4.4.0 R/InitErgmTerm.R: plain gwesp/gwdsp/gwnsp/esp/dsp/nsp name no type; the dgw* terms
    # (R/InitErgmTerm.dgw_sp.R) and an explicit type (only possible from ergm 4.5) do
    f = parse_formula(SP_FAMILY)
    assert f.naming == "ergm4.4"
    assert f.coef_names(directed=True) == [
        "gwesp.fixed.0.5",
        "gwdsp.fixed.0.25",
        "gwnsp.fixed.1",
        "esp1",
        "dsp0",
        "dsp1",
        "nsp2",
        "gwesp.ITP.fixed.0.75",
        "gwdsp.OTP.fixed.0.1",
        "gwesp.OTP.fixed.0.1",
    ]


def test_ergm_4_5_naming_option_and_round_trip():
    f = parse_formula(SP_FAMILY, naming="ergm4.5")
    newer = [
        "gwesp.OTP.fixed.0.5",
        "gwdsp.OTP.fixed.0.25",
        "gwnsp.OTP.fixed.1",
        "esp.OTP1",
        "dsp.OTP0",
        "dsp.OTP1",
        "nsp.OTP2",
        "gwesp.ITP.fixed.0.75",
        "gwdsp.OTP.fixed.0.1",
        "gwesp.OTP.fixed.0.1",
    ]
    assert f.coef_names(directed=True) == newer
    # the convention is written into the R text, so re-reading the formula keeps the names
    assert parse_formula(str(f)).coef_names(directed=True) == newer
    assert 'gwesp(0.5, fixed = TRUE, type = "OTP")' in str(f)
    # undirected names are the same under both conventions
    assert f.coef_names(directed=False) == parse_formula(SP_FAMILY).coef_names(directed=False)
    assert as_formula(parse_formula(SP_FAMILY), naming="ergm4.5").coef_names(True) == newer
    wrapped = parse_formula("nets ~ edges + offset(gwesp(0.5, fixed = TRUE))", naming="ergm4.5")
    assert wrapped.coef_names(directed=True) == ["edges", "offset(gwesp.OTP.fixed.0.5)"]
    with pytest.raises(FormulaError, match="naming must be one of"):
        parse_formula(SP_FAMILY, naming="ergm5")


@pytest.mark.parametrize(
    "text",
    [
        PAPER,
        "nets ~ edges + timecov(x = trade, minimum = 3, maximum = 20, transform = function(t) sqrt(t)) + timecov()",
        "nets ~ memory(type = 'innovation', lag = 2) + delrecip(mutuality = TRUE) + absdiff(x, pow = 0.5)",
        "nets ~ edges + timecov(transform = function(t) -t^2 + 2 * (t - 1) / 3) + gwesp(0.25, fixed = T)",
        "nets ~ edges + gwesp(0.5, fixed = TRUE, type = 'OTP') + nodecov('a') + nodematch('b') + mutual",
        "nets ~ timecov(transform = function(t) log(t)) + gwodegree(0.0001, fixed = TRUE)",
    ],
)
def test_round_trip_through_r_form(text):
    f = parse_formula(text)
    again = parse_formula(str(f))
    assert again == f
    assert str(again) == str(f)


def test_r_form_is_what_r_users_write():
    assert str(parse_formula(PAPER)) == (
        'cmaa ~ edges + gwesp(0.5, fixed = TRUE) + gwdegree(0.1, fixed = TRUE) + memory(type = "stability") '
        '+ edgecov(mlat) + absdiff("polyarchy")'
    )
    assert str(parse_formula("n ~ timecov(x = tr, transform = function(t) t^2)")) == (
        "n ~ timecov(x = tr, transform = function(t) t^2)"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.5, "0.5"),
        (0.1, "0.1"),
        (1, "1"),
        (0.25, "0.25"),
        (1e-4, "1e-04"),
        (0.001, "0.001"),
        (1e5, "1e+05"),
        (123456, "123456"),
        (1 / 3, "0.333333333333333"),
        (2.0, "2"),
        (-1.5, "-1.5"),
    ],
)
def test_r_number_formatting(value, expected):
    assert r_number(value) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("n ~ gwesp(0.5)", "curved"),
        ("n ~ gwesp(0.5, fixed = FALSE)", "curved"),
        ("n ~ gwdegree(0.1)", "fixed = TRUE"),
        ("n ~ gwdegree(fixed = TRUE)", "decay"),
        ("n ~ gwdegree(0.1, fixed = TRUE, attr = 'a')", "attribute-specific"),
        ("n ~ gwesp(0.5, fixed = TRUE, cutoff = 30)", "cutoff"),
        ("n ~ b1star(2)", "unknown or unsupported term 'b1star'"),
        ("n ~ istar(2)", "needs a directed network"),
        ("n ~ edges + memory() + memory(lag = 2)", "only one memory"),
        ("n ~ memory(type = 'forever')", "type must be one of"),
        ("n ~ memory(lag = 0)", "lag must be"),
        ("n ~ edgecov('x[[1]]')", "covariate name"),
        ("n ~ edgecov(i)", "covariate name"),
        ("n ~ edges + edges", "duplicate"),
        ("n ~ nodematch('a', keep = 'x')", "keep takes level positions"),
        ("n ~ mutual(same = 'a', keep = 'x')", "keep takes level positions"),
        ("n ~ mutual(diff = TRUE)", "need same = or by ="),
        ("n ~ absdiff('a', power = 2)", "unknown argument 'power'"),
        ("edges + gwesp(0.5, fixed = TRUE)", "network ~ terms"),
        ("n ~ edges - 1", "cannot be removed"),
        ("n ~ timecov(transform = function(t) system(t))", "not allowed"),
        ("n ~ timecov(transform = function(t) u + 1)", "unknown name 'u'"),
        ("n ~ edges + ", "cannot read formula"),
        ("n ~ timecov(transform = function(t) t; 1)", "cannot read formula"),
    ],
)
def test_refusals_say_what_to_do(text, message):
    with pytest.raises(FormulaError, match=message if "(" not in message else None) as info:
        f = parse_formula(text)
        f.coef_names(False)
    assert message in str(info.value)


def test_transform_evaluator_is_arithmetic_only():
    square = RFunction.parse("function(t) t^2")
    np.testing.assert_array_equal(square(np.arange(1, 5)), [1, 4, 9, 16])
    np.testing.assert_allclose(
        RFunction.parse("function(x) log(x) + sqrt(x) / 2")(np.array([1.0, 4.0])), [0.5, np.log(4) + 1.0]
    )
    np.testing.assert_array_equal(RFunction.parse("function(t) 1")(np.arange(3)), [1, 1, 1])
    np.testing.assert_array_equal(RFunction.parse("function(t) -t^2")(np.array([2.0])), [-4.0])  # R: -(t^2)
    np.testing.assert_array_equal(RFunction.parse("sqrt")(np.array([9.0])), [3.0])
    for bad in ("function(t) open(t)", "function(t) t$x", "function(t, u) t", "lambda t: t", "function(t) t(1)"):
        with pytest.raises(RSyntaxError):
            RFunction.parse(bad)


def test_timecov_values_follow_btergm():
    # btergm: values = transform(1:T) * (s >= minimum) * (s <= maximum)
    term = TimeCov(minimum=3, maximum=5, transform="function(t) t^2")
    np.testing.assert_array_equal(term.time_values(6), [0, 0, 9, 16, 25, 0])
    with pytest.raises(ValueError, match="not finite at time steps \\[1\\]"):
        TimeCov(transform="function(t) log(t - 1)").time_values(4)


def test_python_api_numbers_timecovs_in_order():
    f = Formula("n", [Edges(), TimeCov(), NodeCov("a"), TimeCov(x="trade"), DelRecip()])
    assert f.coef_names(True) == [
        "edges",
        "edgecov.timecov1[[i]]",
        "nodecov.a",
        "edgecov.timecov2.trade[[i]]",
        "edgecov.delrecip[[i]]",
    ]
    assert f.dyad_covariates == ("trade",)
    assert f.node_attributes == ("a",)
