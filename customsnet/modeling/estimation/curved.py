"""Curved gw terms under MCMC-MLE: ``gwesp``, ``gwdsp``, ``gwnsp`` (and ``dgw*``, any ``type``),
``gwdegree``, ``gwidegree``, ``gwodegree`` with ``fixed = FALSE``.

ergm's curved exponential family (``R/InitErgmTerm.dgw_sp.R``, ``.gwdegree_impl``,
``ergm_GWDECAY``): the statistics are the shared-partner distribution (``esp#1 .. esp#K`` over the
ties, ``dsp#k`` over the dyads, ``nsp#k`` over the non-tied dyads; directed ``esp.OTP#k`` etc.) or
the degree distribution (``gwdegree#k``, ``gwidegree#k``, ``gwodegree#k``), K = min(cutoff, n − 2)
for shared partners and min(cutoff, n − 1) for degrees (ergm's default cutoff 30), and the
canonical coefficients are

    η_k(θ, α) = θ · e^α · (1 − (1 − e^{−α})^k),    k = 1..K,

so that Σ_k η_k · count_k is θ times the fixed-decay statistic at decay α (counts above K drop out,
as in ergm). The coefficients are named as ergm 4.x prints them: ``gwesp`` / ``gwesp.decay``,
``gwdsp`` / ``gwdsp.decay``, directed ``gwesp.OTP`` / ``gwesp.OTP.decay``, and ``gwdegree`` /
``gwdegree.decay`` (``gwidegree``, ``gwodegree``). The MCMC-MLE maximises the lognormal
approximation over (θ, α) numerically (with the gradient J(φ)'(ξ − μ − Σ(η(φ) − η₀)),
J = ∂η/∂φ) and the Fisher information is J'ΣJ.

Two samplers draw the curved model exactly. Undirected ``gwesp`` / ``gwdegree`` with otherwise
plain terms use the specialised kernels (at (θ, α) the model is the fixed-decay model with decay
α; :class:`CurvedStepModel`). Every other curved model runs the generic kernel on the *count*
formula, in which each curved term is replaced by its count term (``esp(1:K)``, ``dsp(1:K)``,
``degree(1:K)``, ...) at coefficients η(φ) (:class:`CurvedCountModel`). The formula terms
themselves stay fixed-decay (the design code refuses curved terms), so a curved formula is
rewritten to its fixed-decay version at the starting decay for the MPLE start, and the curved
terms are tracked here.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from customsnet.modeling.estimation.mcmc_sample import StepModel
from customsnet.modeling.simulation.simulate import ErgmModel, SimulationError
from customsnet.modeling.terms import rsyntax as rs

#: R name -> (family, what is counted): "e"/"d"/"n" shared partners over edges/dyads/non-edges,
#: or "" / "i" / "o" degree
CURVED_KINDS = {
    "gwesp": ("sp", "e"),
    "dgwesp": ("sp", "e"),
    "gwdsp": ("sp", "d"),
    "dgwdsp": ("sp", "d"),
    "gwnsp": ("sp", "n"),
    "dgwnsp": ("sp", "n"),
    "gwdegree": ("degree", ""),
    "gwidegree": ("degree", "i"),
    "gwodegree": ("degree", "o"),
}
DEFAULT_CUTOFF = 30


@dataclass(frozen=True)
class CurvedSpec:
    """A curved term of the formula: its position among the terms, R name, starting decay and cutoff.

    ``coef_name`` and ``stat_label`` are ergm's names (they depend on the directedness and the
    shared-partner type, see :func:`resolve_spec`); ``cutoff`` becomes the number of count
    statistics K once resolved.
    """

    term_index: int
    kind: str  # the R name: "gwesp", "gwdsp", "gwdegree", ...
    coef_name: str  # ergm's coefficient name: "gwesp", "gwesp.OTP", "gwdegree", ...
    decay: float
    cutoff: int = DEFAULT_CUTOFF
    type: str | None = None
    stat_label: str = ""  # the count statistics are f"{stat_label}#{k}": "esp", "dsp.OTP", "gwdegree"

    @property
    def family(self) -> str:
        return CURVED_KINDS[self.kind][0]

    def count_term(self):
        """The term whose statistics are this curved term's counts 1..K (``esp(1:K)``, ``degree(1:K)``, ...)."""
        from customsnet.modeling.terms import DSP, ESP, NSP, Degree, IDegree, ODegree

        d = tuple(range(1, self.cutoff + 1))
        family, what = CURVED_KINDS[self.kind]
        if family == "sp":
            return {"e": ESP, "d": DSP, "n": NSP}[what](d=d, type=self.type)
        return {"": Degree, "i": IDegree, "o": ODegree}[what](d=d)


def resolve_spec(spec: CurvedSpec, directed: bool, n_max: int) -> CurvedSpec:
    """``spec`` with ergm's names for a (un)directed network and K = min(cutoff, n − 2 or n − 1).

    ``n_max`` is the largest node count over the modeled years (all years share the statistics).
    """
    from customsnet.modeling.terms.sp_kernels import resolve_type

    family, what = CURVED_KINDS[spec.kind]
    if family == "sp":
        sp_type = resolve_type(spec.kind, spec.type, directed)
        stem = f"gw{what}sp"
        coef = stem if sp_type == "UTP" else f"{stem}.{sp_type}"
        label = f"{what}sp" if sp_type == "UTP" else f"{what}sp.{sp_type}"
        size = min(spec.cutoff, n_max - 2)
    else:
        coef = label = f"gw{what}degree"
        size = min(spec.cutoff, n_max - 1)
    if size < 1:
        raise ValueError(f"{spec.kind}: a network of {n_max} nodes has no shared partners / degrees to count")
    return dataclasses.replace(spec, coef_name=coef, stat_label=label, cutoff=int(size))


def _terms(node: rs.Node) -> list[rs.Node]:
    if isinstance(node, rs.BinOp) and node.op == "+":
        return _terms(node.left) + _terms(node.right)
    return [node]


def split_curved(text: str) -> tuple[str, list[CurvedSpec]]:
    """The formula with its curved gw terms made fixed (at their starting decay), and those terms.

    A gw term of :data:`CURVED_KINDS` is curved when ``fixed = FALSE`` or ``fixed`` is not given
    (ergm's default). ``cutoff`` is read here (ergm's default 30) and removed from the fixed version;
    ``type`` is kept. The specs' names are provisional until :func:`resolve_spec`.
    """
    tree = rs.parse(text)
    if not (isinstance(tree, rs.BinOp) and tree.op == "~"):
        raise ValueError(f"a formula needs 'network ~ terms', got {text!r}")
    out, specs = [], []
    for k, node in enumerate(_terms(tree.right)):
        if isinstance(node, rs.Call) and node.func in CURVED_KINDS:
            named = {a.name: a.value for a in node.args if a.name is not None}
            positional = [a.value for a in node.args if a.name is None]
            fixed = named.get("fixed", positional[1] if len(positional) > 1 else rs.Const(False))
            if isinstance(fixed, rs.Const) and fixed.value is False:
                decay_node = named.get("decay", positional[0] if positional else None)
                if not isinstance(decay_node, rs.Num):
                    raise ValueError(
                        f"{rs.deparse(node)}: give the starting decay as a number, e.g. {node.func}(0.5, fixed = FALSE)"
                    )
                cutoff_node = named.get("cutoff")
                cutoff = int(cutoff_node.value) if isinstance(cutoff_node, rs.Num) else DEFAULT_CUTOFF
                type_node = named.get("type")
                sp_type = str(type_node.value) if isinstance(type_node, rs.Str) else None
                provisional = resolve_spec(
                    CurvedSpec(k, node.func, "", float(decay_node.value), cutoff, sp_type), False, 10**9
                )
                specs.append(provisional)
                other = [
                    a
                    for a in node.args
                    if a.name not in ("decay", "fixed", "cutoff") and a.value is not decay_node and a.value is not fixed
                ]
                node = rs.Call(node.func, (rs.Arg(None, decay_node), rs.Arg("fixed", rs.Const(True)), *other))
        out.append(rs.deparse(node))
    return f"{rs.deparse(tree.left)} ~ {' + '.join(out)}", specs


def gw_weights(decay: float, size: int) -> np.ndarray:
    """e^α(1 − (1 − e^{−α})^k) for k = 1..size."""
    k = np.arange(1, size + 1, dtype=np.float64)
    return math.exp(decay) * (1.0 - (1.0 - math.exp(-decay)) ** k)


def gw_weight_derivative(decay: float, size: int) -> np.ndarray:
    """∂/∂α of :func:`gw_weights`: e^α(1 − r^k) − k r^{k−1}, r = 1 − e^{−α}."""
    k = np.arange(1, size + 1, dtype=np.float64)
    r = 1.0 - math.exp(-decay)
    return math.exp(decay) * (1.0 - r**k) - k * r ** (k - 1)


@dataclass
class CurvedLayout:
    """Where each coefficient and statistic of the curved model sits.

    ``base_param[j]`` is the position in φ of the fixed formula's coefficient j (for a curved
    term, its θ); ``base_stat[j]`` the position of its statistic (-1 for a curved term, whose
    statistics are ``stat_slices``). ``decay_param`` holds the α position of each curved term.
    """

    names: list[str]
    base_param: np.ndarray
    base_stat: np.ndarray
    curved: list[CurvedSpec]
    base_position: list[int]  # position of each curved term in the fixed formula's coefficients
    decay_param: list[int]
    stat_slices: list[slice]
    n_stats: int

    @classmethod
    def build(cls, base_names: list[str], term_widths: list[int], curved: list[CurvedSpec]) -> CurvedLayout:
        by_term = {c.term_index: c for c in curved}
        names, base_param, base_stat, base_position, decay_param, slices = [], [], [], [], [], []
        j = stat = 0
        for t, width in enumerate(term_widths):
            if t in by_term:
                spec = by_term[t]
                base_position.append(j)
                base_param.append(len(names))
                names.append(spec.coef_name)
                decay_param.append(len(names))
                names.append(f"{spec.coef_name}.decay")
                base_stat.append(-1)
                slices.append(slice(stat, stat + spec.cutoff))
                stat += spec.cutoff
                j += 1
                continue
            for _ in range(width):
                base_param.append(len(names))
                names.append(base_names[j])
                base_stat.append(stat)
                stat += 1
                j += 1
        return cls(
            names, np.array(base_param), np.array(base_stat), list(curved), base_position, decay_param, slices, stat
        )

    @property
    def n_params(self) -> int:
        return len(self.names)

    @property
    def stat_names(self) -> list[str]:
        """Names of the statistics: the linear terms', then ergm's ``esp#k`` / ``gwdegree#k`` per curved term."""
        out = [""] * self.n_stats
        linear = self.base_stat >= 0
        for j in np.flatnonzero(linear):
            out[self.base_stat[j]] = self.names[self.base_param[j]]
        for spec, sl in zip(self.curved, self.stat_slices):
            for k in range(sl.stop - sl.start):
                out[sl.start + k] = f"{spec.stat_label}#{k + 1}"
        return out

    def base_theta(self, phi: np.ndarray) -> np.ndarray:
        """The fixed formula's coefficients at φ (curved terms: their θ)."""
        return np.asarray(phi, dtype=np.float64)[self.base_param]

    def start(self, base_estimates: np.ndarray) -> np.ndarray:
        """φ₀ from the fixed formula's MPLE: its coefficients, and each curved term's starting decay."""
        phi = np.zeros(self.n_params)
        phi[self.base_param] = base_estimates
        for spec, a in zip(self.curved, self.decay_param):
            phi[a] = spec.decay
        return phi

    # ------------------------------------------------------------------ the map φ -> η
    def eta(self, phi: np.ndarray) -> np.ndarray:
        phi = np.asarray(phi, dtype=np.float64)
        out = np.zeros(self.n_stats)
        linear = self.base_stat >= 0
        out[self.base_stat[linear]] = phi[self.base_param[linear]]
        for j, a, sl in zip(self.base_position, self.decay_param, self.stat_slices):
            out[sl] = phi[self.base_param[j]] * gw_weights(phi[a], sl.stop - sl.start)
        return out

    def jacobian(self, phi: np.ndarray) -> np.ndarray:
        phi = np.asarray(phi, dtype=np.float64)
        jac = np.zeros((self.n_stats, self.n_params))
        linear = self.base_stat >= 0
        jac[self.base_stat[linear], self.base_param[linear]] = 1.0
        for j, a, sl in zip(self.base_position, self.decay_param, self.stat_slices):
            size = sl.stop - sl.start
            jac[sl, self.base_param[j]] = gw_weights(phi[a], size)
            jac[sl, a] = phi[self.base_param[j]] * gw_weight_derivative(phi[a], size)
        return jac


@dataclass
class CurvedStepModel(StepModel):
    """A year of the curved model: the fixed formula's :class:`StepModel` plus the curved layout."""

    layout: CurvedLayout | None = None

    @classmethod
    def wrap(cls, base: StepModel, layout: CurvedLayout) -> CurvedStepModel:
        if base.directed:
            raise SimulationError("curved gw terms are implemented for undirected networks only")
        fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(StepModel)}
        fields["n_params"] = layout.n_params
        return cls(**fields, layout=layout)

    @property
    def n_stats(self) -> int:
        assert self.layout is not None
        return self.layout.n_stats

    def ergm_model(self, theta: np.ndarray) -> ErgmModel:
        """The sampler's model at φ: the fixed formula at its θs, with each curved term's decay α."""
        lay = self.layout
        assert lay is not None
        model = StepModel.ergm_model(self, lay.base_theta(theta))
        changes = {f"{spec.kind}_decay": float(theta[a]) for spec, a in zip(lay.curved, lay.decay_param)}
        if any(v < 0 for v in changes.values()):
            raise SimulationError(f"a decay became negative ({changes}); the curved model is undefined there")
        return dataclasses.replace(model, **changes)

    def _curved_counts(self, spec: CurvedSpec, ties: np.ndarray, sp_on_ties: np.ndarray, degrees: np.ndarray):
        values = sp_on_ties if spec.kind == "gwesp" else degrees
        counts = np.bincount(values.astype(np.int64), minlength=spec.cutoff + 1)
        # counts beyond the cutoff drop out, as in ergm's curved terms
        return counts[1 : spec.cutoff + 1]

    def _place(self, base_stats: np.ndarray, ties, sp_on_ties, degrees) -> np.ndarray:
        lay = self.layout
        assert lay is not None
        out = np.zeros(lay.n_stats)
        linear = lay.base_stat >= 0
        out[lay.base_stat[linear]] = base_stats[linear]
        for spec, sl in zip(lay.curved, lay.stat_slices):
            out[sl] = self._curved_counts(spec, ties, sp_on_ties, degrees)
        return out

    def draw_statistics(self, state, model: ErgmModel) -> np.ndarray:
        base = StepModel.draw_statistics(self._base_view(), state, model)
        ties = state.elist[: state.n_edges]
        return self._place(base, ties, state.sp_count[ties[:, 0], ties[:, 1]], state.deg)

    def observed_statistics(self) -> np.ndarray:
        base_view = self._base_view()
        base = StepModel.observed_statistics(base_view)
        a = sp.csr_matrix(self.observed, dtype=np.float64)
        upper = sp.triu(a, k=1).tocoo()
        two_paths = (a @ a).tocsr()
        sp_on_ties = np.asarray(two_paths[upper.row, upper.col]).ravel()
        degrees = np.asarray(a.sum(axis=1)).ravel()
        return self._place(base, np.c_[upper.row, upper.col], sp_on_ties, degrees)

    def _base_view(self) -> StepModel:
        """The fixed-formula StepModel (coefficient vector of the fixed formula)."""
        n_base = len(self.layout.base_param)
        return StepModel(
            self.year, self.n, self.directed, self.observed, self.dyad_values, self.independent, self.dependence, n_base
        )


@dataclass
class CurvedCountModel(StepModel):
    """A year of a curved model sampled through its count statistics (generic kernel).

    The fields are the :class:`StepModel` of the *count* formula (each curved term replaced by its
    :meth:`CurvedSpec.count_term`), whose statistics are exactly the layout's statistics; at φ the
    sampler runs that formula at the canonical coefficients η(φ).
    """

    layout: CurvedLayout | None = None

    @classmethod
    def of(cls, count_step: StepModel, layout: CurvedLayout) -> CurvedCountModel:
        if count_step.n_stats != layout.n_stats:
            raise ValueError(f"the count formula has {count_step.n_stats} statistics, the layout {layout.n_stats}")
        fields = {f.name: getattr(count_step, f.name) for f in dataclasses.fields(StepModel)}
        return cls(**fields, layout=layout)

    def ergm_model(self, theta: np.ndarray) -> ErgmModel:
        """The sampler's model at φ = ``theta``: the count formula at η(φ)."""
        lay = self.layout
        assert lay is not None
        decays = {lay.names[a]: float(theta[a]) for a in lay.decay_param}
        if any(v < 0 for v in decays.values()):
            raise SimulationError(f"a decay became negative ({decays}); the curved model is undefined there")
        return StepModel.ergm_model(self, lay.eta(theta))


def count_formula(formula, specs: list[CurvedSpec]):
    """``formula`` (the fixed-decay version) with each curved term replaced by its count term."""
    by_term = {s.term_index: s for s in specs}
    terms = tuple(by_term[k].count_term() if k in by_term else t for k, t in enumerate(formula.terms))
    return dataclasses.replace(formula, terms=terms)


def curved_steps(panel, formula, base_names: list[str], specs: list[CurvedSpec], missing: str = "error"):
    """The pooled curved model: one step model per modeled year, the years, and the layout.

    ``formula`` is the fixed-decay formula (its coefficient names ``base_names``). Undirected
    gwesp / gwdegree with otherwise plain terms get the specialised sampler
    (:class:`CurvedStepModel`), every other curved model the count formula (:class:`CurvedCountModel`).
    """
    from customsnet.modeling.design.build import step_inputs

    years = panel.years[formula.max_lag :]
    inputs = [step_inputs(panel, formula, y, missing=missing) for y in years]
    n_max = max(s.n for s in inputs)
    specs = [resolve_spec(s, panel.directed, n_max) for s in specs]
    layout = CurvedLayout.build(base_names, [t.n_stats for t in formula.terms], specs)
    fast = not panel.directed and all(s.kind in ("gwesp", "gwdegree") for s in specs)
    if fast:
        base = [StepModel.from_step(formula, s) for s in inputs]
        if not any(b.generic for b in base):
            return [CurvedStepModel.wrap(b, layout) for b in base], years, layout
    counts = count_formula(formula, specs)
    return [CurvedCountModel.of(StepModel.from_step(counts, s), layout) for s in inputs], years, layout
