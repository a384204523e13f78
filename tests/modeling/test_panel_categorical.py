"""Categorical node attributes: strings in Panel, ergm's level order, levels=, errors naming the attribute."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from customsnet.modeling.design.build import build_design
from customsnet.modeling.panel.panel import Panel, PanelError


def _panel(sex_by_year, directed=False, n=6, seed=0):
    rng = np.random.default_rng(seed)
    years = sorted(sex_by_year)
    labels = np.array([f"p{k}" for k in range(n)])
    nets = {}
    for y in years:
        a = rng.random((n, n)) < 0.4
        np.fill_diagonal(a, False)
        if not directed:
            a = np.triu(a, 1)
            a = a | a.T
        nets[y] = sp.csr_matrix(a.astype(float))
    return Panel(
        years=years,
        nodes={y: labels for y in years},
        networks={"net": nets},
        node_attrs={"sex": sex_by_year},
        directed=directed,
    )


def test_strings_become_codes_in_sorted_level_order():
    panel = _panel(
        {
            1: np.array(["M", "F", "M", "F", "M", None], dtype=object),
            2: pd.Categorical(["M", "F", "X", "F", "M", "F"], categories=["X", "M", "F"]),
        }
    )
    # ergm: sort(unique(x)) over the values, whatever the categorical's own order
    assert panel.attr_levels["sex"] == ("F", "M", "X")
    np.testing.assert_array_equal(panel.node_attrs["sex"][1], [1, 0, 1, 0, 1, np.nan])
    np.testing.assert_array_equal(panel.node_attrs["sex"][2], [1, 0, 2, 0, 1, 0])
    values, labels = panel.attribute_levels("sex")
    assert labels == ("F", "M", "X") and list(values) == [0, 1, 2]


def test_save_load_keeps_levels(tmp_path):
    panel = _panel({1: ["a", "b", "a", "c", "b", "a"], 2: ["a", "b", "b", "c", "b", "a"]})
    again = Panel.load(panel.save(tmp_path / "p.npz"))
    assert again.attr_levels == panel.attr_levels
    np.testing.assert_array_equal(again.node_attrs["sex"][2], panel.node_attrs["sex"][2])
    assert panel.subset_years([2]).attr_levels == panel.attr_levels


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({1: np.array(["a", 2, "b", "a", "a", "b"], dtype=object), 2: ["a"] * 6}, "'sex' in 1 mixes text"),
        ({1: ["a", "b", "a", "b", "a", "b"], 2: [1.0, 2.0, 1.0, 2.0, 1.0, 2.0]}, "'sex' is text in [1] but numbers"),
    ],
)
def test_bad_attributes_name_the_attribute(values, message):
    with pytest.raises(PanelError) as info:
        _panel(values)
    assert message in str(info.value)


def test_nodematch_and_nodefactor_on_strings_equal_hand_counts():
    sex = {1: ["F", "M", "F", "M", "M", "F"], 2: ["F", "M", "F", "M", "M", "F"]}
    panel = _panel(sex, directed=True)
    design = build_design(
        panel,
        "net ~ edges + nodematch('sex') + nodematch('sex', diff = TRUE) + nodeofactor('sex') + nodemix('sex')",
        compress=False,
        check=False,
    )
    assert design.names == [
        "edges",
        "nodematch.sex",
        "nodematch.sex.F",
        "nodematch.sex.M",
        "nodeofactor.sex.M",
        "mix.sex.M.F",
        "mix.sex.F.M",
        "mix.sex.M.M",
    ]
    step = design.steps[0]
    s = np.array(sex[1])
    t, h = s[step.tail], s[step.head]
    expected = np.column_stack(
        [
            np.ones(len(t)),
            t == h,
            (t == h) & (t == "F"),
            (t == h) & (t == "M"),
            t == "M",
            (t == "M") & (h == "F"),
            (t == "F") & (h == "M"),
            (t == "M") & (h == "M"),
        ]
    )
    np.testing.assert_array_equal(step.X, expected.astype(float))


def test_missing_level_is_a_missing_change_statistic():
    panel = _panel({1: ["F", None, "F", "M", "M", "F"]})
    with pytest.raises(ValueError, match="nodematch.sex"):
        build_design(panel, "net ~ edges + nodematch('sex')", check=False)
    design = build_design(panel, "net ~ edges + nodematch('sex')", check=False, missing="drop-nodes")
    assert design.meta["missing"]["1"]["dropped_nodes"] == ["p1"]
