"""The after-fit functions: one signature shape, one settings object, the same numbers on any back-end.

Small random panels (15 nodes, 4 years) and a few short chains keep this cheap; the refits of
the sensitivity study are two MPLE fits without bootstrap. The ``n_jobs=2`` tests are marked
slow only because they start joblib's worker processes.
"""

from __future__ import annotations

import inspect
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp

from customsnet.modeling.design.build import build_design
from customsnet.modeling.estimation.fit import fit_tergm
from customsnet.modeling.evaluation.degeneracy import check_degeneracy
from customsnet.modeling.evaluation.gof import gof
from customsnet.modeling.evaluation.interpret import tie_probability
from customsnet.modeling.evaluation.predict import PredictionError, predict_btergm, predict_honest
from customsnet.modeling.evaluation.sensitivity import rewiring_study
from customsnet.modeling.panel.panel import Panel
from customsnet.modeling.parallel import map_tasks
from customsnet.modeling.simulation.settings import SimulationSettings, SimulationSettingsError
from customsnet.modeling.simulation.simulate import simulate, simulation_inputs

FORMULA = "nets ~ edges + gwesp(0.5, fixed = TRUE) + memory()"
AFTER_FIT = [gof, predict_btergm, predict_honest, check_degeneracy, tie_probability, simulation_inputs]
SIMULATING = [gof, predict_btergm, predict_honest, check_degeneracy]
#: names the old signatures used for what is now one concept (or lives in SimulationSettings)
RETIRED = {"fit_or_coefs", "coefs", "n_samples", "nsim", "seed", "burnin", "interval", "start", "n_jobs", "scheduler"}


def small_panel(seed: int = 3, n: int = 15, years: int = 4) -> Panel:
    """Persistent random ties with some turnover, so memory and gwesp are both identified."""
    rng = np.random.default_rng(seed)
    labels = np.array([f"v{k:02d}" for k in range(n)])
    upper = np.triu(rng.random((n, n)) < 0.2, 1)
    nets = {}
    for y in range(1, years + 1):
        upper = upper ^ np.triu(rng.random((n, n)) < 0.06, 1)
        nets[y] = sp.csr_matrix((upper | upper.T).astype(float))
    return Panel(years=list(range(1, years + 1)), nodes={y: labels for y in nets}, networks={"nets": nets})


@pytest.fixture(scope="module")
def fitted():
    panel = small_panel()
    return panel, fit_tergm(build_design(panel, FORMULA), estimator="mple", bootstrap=0)


class Counter:
    """A ``progress`` callback (``start(description, total) -> advance(n)``) that records its calls."""

    def __init__(self) -> None:
        self.started: list[tuple[str, int]] = []
        self.advanced: list[int] = []

    def __call__(self, description: str, total: int):
        self.started.append((description, total))
        return self.advanced.append


# --------------------------------------------------------------------------- signatures
@pytest.mark.parametrize("func", AFTER_FIT, ids=lambda f: f.__name__)
def test_after_fit_functions_share_one_signature_shape(func):
    params = list(inspect.signature(func).parameters.values())
    assert [p.name for p in params[:2]] == ["fit", "panel"]
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params[:2])
    assert all(p.kind is p.KEYWORD_ONLY for p in params[2:]), [p.name for p in params[2:] if p.kind != p.KEYWORD_ONLY]
    formula = inspect.signature(func).parameters["formula"]
    assert formula.default is None
    assert not RETIRED & {p.name for p in params}


@pytest.mark.parametrize("func", SIMULATING, ids=lambda f: f.__name__)
def test_simulating_functions_take_settings_and_progress(func):
    params = inspect.signature(func).parameters
    assert params["settings"].default is None and params["progress"].default is None


def test_the_sampler_and_the_study_use_the_same_names():
    assert "nsim" in inspect.signature(simulate).parameters
    study = inspect.signature(rewiring_study).parameters
    assert {"n_jobs", "scheduler", "progress"} <= set(study)


def test_formula_defaults_to_the_fit_and_bare_coefficients_need_it(fitted):
    panel, fit = fitted
    by_fit = simulation_inputs(fit, panel, year=3)
    by_name = simulation_inputs(fit.params, panel, formula=FORMULA, year=3)
    np.testing.assert_array_equal(by_fit.model.dyad_logodds, by_name.model.dyad_logodds)
    with pytest.raises(ValueError, match="needs the model formula"):
        simulation_inputs(dict(fit.params), panel, year=3)
    p = tie_probability(fit, panel, year=3, i="v00", j="v01")
    assert 0 < p < 1


# --------------------------------------------------------------------------- settings
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"nsim": 0}, "nsim must be an integer >= 1, got 0"),
        ({"nsim": 2.5}, "nsim must be an integer >= 1, got 2.5"),
        ({"burnin": -1}, "burnin must be an integer >= 0 or None, got -1"),
        ({"interval": 0}, "interval must be an integer >= 1 or None, got 0"),
        ({"seed": -3}, "seed must be an integer >= 0, got -3"),
        ({"start": "elsewhere"}, "start must be one of ('observed', 'previous') or None, got 'elsewhere'"),
        ({"n_jobs": 0}, "n_jobs must be an integer >= 1, got 0"),
        ({"n_jobs": True}, "n_jobs must be an integer >= 1, got True"),
        ({"scheduler": "localhost:8786"}, "scheduler must be a Dask scheduler address"),
    ],
)
def test_simulation_settings_name_the_bad_parameter_and_value(kwargs, message):
    with pytest.raises(SimulationSettingsError) as info:
        SimulationSettings(**kwargs)
    assert message in str(info.value)


def test_settings_are_frozen_defaults_fill_only_what_is_unset_and_are_recorded(fitted):
    s = SimulationSettings(nsim=3, burnin=40)
    with pytest.raises(AttributeError):
        s.nsim = 4  # type: ignore[misc]
    filled = s.with_defaults(burnin=10_000, interval=1_000, start="observed")
    assert (filled.burnin, filled.interval, filled.start) == (40, 1_000, "observed")
    panel, fit = fitted
    result = gof(fit, panel, years=[3], settings=s.with_defaults(1, 5, "previous"), tie_prediction=False)
    assert {k: result.settings[k] for k in ("nsim", "burnin", "interval", "seed", "start", "n_jobs")} == {
        "nsim": 3,
        "burnin": 40,
        "interval": 5,
        "seed": 0,
        "start": "previous",
        "n_jobs": 1,
    }


def test_settings_holding_a_client_travel_to_workers_as_its_address():
    """Tasks carry their settings to worker processes; a Client cannot be pickled, its address can."""
    import pickle

    class Client:  # duck-typed like distributed.Client, and (being local) not picklable itself
        scheduler = type("Scheduler", (), {"address": "tcp://127.0.0.1:8786"})()

        def submit(self, *args):
            raise AssertionError("a worker never schedules")

        def gather(self, *args):
            raise AssertionError("a worker never schedules")

    settings = SimulationSettings(nsim=3, seed=5, burnin=7, start="previous", n_jobs=2, scheduler=Client())
    back = pickle.loads(pickle.dumps(settings))
    assert back.scheduler == "tcp://127.0.0.1:8786"
    assert back.record() == settings.record()
    plain = SimulationSettings(nsim=4)
    assert pickle.loads(pickle.dumps(plain)) == plain


def test_predictions_refuse_a_start_their_recipe_cannot_take(fitted):
    panel, fit = fitted
    with pytest.raises(PredictionError, match="target"):
        predict_btergm(fit, panel, year=4, settings=SimulationSettings(nsim=2, start="previous"))
    with pytest.raises(PredictionError, match="previous"):
        predict_honest(fit, panel, year=4, method="simulate", settings=SimulationSettings(nsim=2, start="observed"))


# --------------------------------------------------------------------------- back-end and progress
def _square(x: int) -> int:
    return x * x


@pytest.mark.slow  # the first use of the local process pool starts its workers (~5-15 s)
def test_map_tasks_keeps_the_task_order_and_counts_every_task():
    for n_jobs in (1, 2):
        counter = Counter()
        assert map_tasks(_square, [(k,) for k in range(5)], n_jobs=n_jobs, progress=counter, description="d") == [
            0,
            1,
            4,
            9,
            16,
        ]
        assert counter.started == [("d", 5)] and counter.advanced == [1] * 5


@pytest.mark.slow  # the first use of the local process pool starts its workers (~5-15 s)
def test_gof_and_degeneracy_are_bit_identical_for_one_and_two_jobs_and_report_progress(fitted):
    panel, fit = fitted
    base = SimulationSettings(nsim=4, seed=11, burnin=200, interval=20)
    runs, counters = {}, {}
    for n_jobs in (1, 2):
        counters[n_jobs] = Counter()
        runs[n_jobs] = gof(fit, panel, settings=replace(base, n_jobs=n_jobs), progress=counters[n_jobs])
    for name in runs[1].raw_sim:
        assert runs[1].raw_sim[name].tobytes() == runs[2].raw_sim[name].tobytes()
    assert runs[1].tie_prediction.auc_roc == runs[2].tie_prediction.auc_roc
    assert runs[2].settings["n_jobs"] == 2
    for counter in counters.values():  # one advance per year: years 2, 3, 4 (memory lags one)
        assert [total for _, total in counter.started] == [3] and counter.advanced == [1, 1, 1]
    one = check_degeneracy(fit, panel, settings=base)
    two = check_degeneracy(fit, panel, settings=replace(base, n_jobs=2))
    assert one.table.equals(two.table)


def test_gof_tasks_carry_one_year_and_compute_their_own_statistics(fitted, monkeypatch):
    """A GOF task ships its year's model, not the whole panel, and returns the statistics with the
    networks, so the workers (not the caller) do the counting; the counts equal the caller's."""
    import customsnet.modeling.evaluation.gof as gof_module

    panel, fit = fitted
    seen = []

    def spy(func, tasks, **kwargs):
        seen.extend(tasks)
        return map_tasks(func, tasks, **kwargs)

    monkeypatch.setattr(gof_module, "map_tasks", spy)
    result = gof(fit, panel, settings=SimulationSettings(nsim=3, seed=2, burnin=100, interval=10))
    assert len(seen) == 3
    assert not any(isinstance(arg, Panel) for task in seen for arg in task)
    networks, simulated, observed = gof_module._year_chain(*seen[0])
    for name, block in simulated.items():
        expected = [gof_module.network_distribution(name, m) for m in networks]
        assert all(np.array_equal(a, b) for a, b in zip(block, expected))
        assert result.raw_sim[name][: len(block[0]), 0].tolist() == block[0].tolist()
    assert set(observed) == set(simulated)


def test_prediction_progress_counts_simulated_networks(fitted):
    panel, fit = fitted
    counter = Counter()
    pred = predict_btergm(
        fit, panel, year=4, settings=SimulationSettings(nsim=5, burnin=50, interval=5), progress=counter
    )
    assert pred.settings["nsim"] == 5
    assert [total for _, total in counter.started] == [5] and counter.advanced == [1] * 5


@pytest.mark.slow  # the first use of the local process pool starts its workers (~5-15 s)
def test_sensitivity_is_bit_identical_for_one_and_two_jobs_and_counts_fits():
    panel = small_panel(seed=5)
    formula = "nets ~ edges + gwesp(0.5, fixed = TRUE)"
    studies, counters = [], []
    for n_jobs in (1, 2):
        counters.append(Counter())
        studies.append(
            rewiring_study(
                panel, formula, shares=[0.5], reps=1, seed=2, terms="all", n_jobs=n_jobs, progress=counters[-1]
            )
        )
    assert studies[0]["estimate"].to_numpy().tobytes() == studies[1]["estimate"].to_numpy().tobytes()
    assert studies[0][["share", "rep", "term"]].equals(studies[1][["share", "rep", "term"]])
    assert all([t for _, t in c.started] == [2] and c.advanced == [1, 1] for c in counters)
