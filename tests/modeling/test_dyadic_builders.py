"""The dyadic covariate builders of the panel export that need no graph (the rest: tests/cypher)."""

from __future__ import annotations

import numpy as np

from customsnet.modeling.panel.export import (
    COVARIATES,
    DYADIC_BUILDERS,
    ExportConfig,
    MissingLog,
    _agreement_covariate,
    _attribute_covariate,
    _DyadInputs,
)

NODES = {2001: np.array(["AAA", "BBB", "CCC"], dtype=object)}


def inputs(node_attrs=None, loaded=None, lag=1) -> _DyadInputs:
    config = ExportConfig(years=(2001, 2001), lag=lag)
    return _DyadInputs(None, config, NODES, node_attrs or {}, loaded or {}, None, MissingLog())


def test_every_known_covariate_has_a_builder_in_export_order():
    assert tuple(DYADIC_BUILDERS) == COVARIATES


def test_terrorism_adds_and_drugs_takes_the_larger_attribute_value():
    attrs = {
        "terror_fatalities": {2001: np.array([1.0, 2.0, np.nan])},
        "majors_list": {2001: np.array([0.0, 1.0, 0.0])},
    }
    d = inputs(attrs)
    terrorism = _attribute_covariate(d, "terrorism")[2001]
    drugs = _attribute_covariate(d, "drugs")[2001]
    assert terrorism[0, 1] == 3.0 and np.isnan(terrorism[0, 2]) and np.all(np.diag(terrorism) == 0)
    np.testing.assert_array_equal(drugs, [[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    # the missing fatalities of CCC make its two dyads NaN, and the note says where they come from
    assert d.log.detail["terrorism"]["2001"]["missing"] == 2
    assert "from terror_fatalities (value of t-1)" in d.log.notes[0]


def test_an_agreement_type_that_was_never_loaded_is_unknown_not_zero():
    d = inputs(loaded={"MLAT": {"relationships": 0}})
    m = _agreement_covariate(d, "mlat")[2001]
    assert np.isnan(m[0, 1]) and np.all(np.diag(m) == 0)
    assert d.log.detail["mlat"]["2001"] == {"missing": 3, "of": 3, "countries": ["AAA", "BBB", "CCC"]}
    assert "no MLAT relationships in the graph" in d.log.notes[0]
