"""Separable temporal ERGM (tergm's STERGM) by conditional MPLE: ``Form(~ …) + Persist(~ …)``.

Given the network at t−1, the network at t is the result of forming ties among the dyads untied
at t−1 and keeping ties among the dyads tied at t−1, with two independent models:

* ``Form(~ terms)``: the dyads untied at t−1; the terms are evaluated on the formation network
  y[t−1] ∪ y[t] (tergm's convention), the response is y[t];
* ``Persist(~ terms)``: the dyads tied at t−1; the terms are evaluated on the persistence network
  y[t−1] ∩ y[t], the response is y[t]. ``Diss(~ terms)`` is its negative (tergm: Diss = −Persist).

The conditional MPLE is one logit on a block design: formation rows carry the Form columns and
zeros elsewhere, persistence rows the Persist columns, so it separates into the two MPLEs and
bootstraps over time steps jointly with the existing code (:func:`~customsnet.modeling.estimation.fit.fit_tergm`).
Coefficients are named as tergm 4 / ergmx: ``Form(1)~edges``, ``Persist(1)~edges``, ``Diss(1)~edges``.
A step needs the node in both years (nodes absent at t−1 or t are left out, and counted).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from customsnet.modeling.design.build import restrict_network, step_inputs, subset_step
from customsnet.modeling.design.design import Design, StepDesign
from customsnet.modeling.estimation.mcmc_sample import StepModel
from customsnet.modeling.terms import rsyntax as rs
from customsnet.modeling.terms.base import all_dyads, tie_values
from customsnet.modeling.terms.formula import Formula, as_formula

OPERATORS = ("Form", "Persist", "Diss")


class SeparableError(ValueError):
    """A separable formula cannot be read or fitted."""


def split_separable(text: str) -> tuple[str, list[tuple[str, Formula]]]:
    """``"y ~ Form(~a + b) + Persist(~c)"`` -> ("y", [("Form", y ~ a + b), ("Persist", y ~ c)])."""
    tree = rs.parse(text)
    if not (isinstance(tree, rs.BinOp) and tree.op == "~" and isinstance(tree.left, rs.Name)):
        raise SeparableError(f"a formula needs 'network ~ terms', got {text!r}")
    lhs = tree.left.id

    def parts(node):
        if isinstance(node, rs.BinOp) and node.op == "+":
            return parts(node.left) + parts(node.right)
        return [node]

    out = []
    for node in parts(tree.right):
        if not (isinstance(node, rs.Call) and node.func in OPERATORS and len(node.args) == 1):
            raise SeparableError(
                f"{rs.deparse(node)!r}: a separable formula is a sum of Form(~ …), Persist(~ …) or Diss(~ …)"
            )
        inner = node.args[0].value
        if not (isinstance(inner, rs.BinOp) and inner.op == "~"):
            raise SeparableError(f"{rs.deparse(node)}: write the model as a one-sided formula, {node.func}(~ edges)")
        formula = as_formula(f"{lhs} ~ {rs.deparse(inner.right)}")
        if formula.max_lag:
            raise SeparableError(
                f"{rs.deparse(node)}: temporal terms (memory, delrecip, timecov) are not allowed inside"
            )
        out.append((node.func, formula))
    ops = [op for op, _ in out]
    if ops.count("Form") > 1 or ops.count("Persist") + ops.count("Diss") > 1:
        raise SeparableError("give at most one Form(~ …) and one Persist(~ …) or Diss(~ …)")
    if not out:
        raise SeparableError("the formula has no Form or Persist part")
    return lhs, out


def is_separable(text: str) -> bool:
    """Whether a formula string uses Form / Persist / Diss."""
    return any(f"{op}(" in text for op in OPERATORS)


def separable_design(panel, text: str, missing: str = "error") -> Design:
    """The block design of the conditional MPLE, one step per transition t−1 → t."""
    lhs, parts = split_separable(text)
    names: list[str] = []
    offsets = []
    for op, formula in parts:
        offsets.append(len(names))
        names += [f"{op}(1)~{n}" for n in formula.coef_names(panel.directed)]
    p = len(names)
    steps = []
    dropped: dict[str, int] = {}
    for k in range(1, len(panel.years)):
        year, prev_year = panel.years[k], panel.years[k - 1]
        blocks_X, blocks_y, blocks_t, blocks_h = [], [], [], []
        nodes = None
        for (op, formula), offset in zip(parts, offsets):
            step = step_inputs(panel, formula, year, missing=missing)
            keep = np.isin(step.nodes, panel.nodes[prev_year])
            if not keep.all():
                dropped[str(year)] = int((~keep).sum())
                step = subset_step(step, keep)
            nodes = step.nodes
            prev = restrict_network(panel.network(lhs, prev_year), panel.nodes[prev_year], step.nodes)
            prev = sp.csr_matrix((prev != 0).astype(np.float64))
            now = sp.csr_matrix((step.network != 0).astype(np.float64))
            tail, head = all_dyads(step.n, panel.directed)
            was = tie_values(prev, tail, head) > 0
            if op == "Form":
                risk, network = ~was, (now + prev) > 0
            else:
                risk, network = was, now.multiply(prev) > 0
            evaluated = step.with_network(sp.csr_matrix(network, dtype=np.float64))
            X = np.zeros((int(risk.sum()), p))
            block = formula.change_stats(evaluated, tail[risk], head[risk])
            X[:, offset : offset + block.shape[1]] = -block if op == "Diss" else block
            # Diss = −Persist: the same rows and response with negated statistics
            y = tie_values(now, tail[risk], head[risk])
            blocks_X.append(X)
            blocks_y.append(y)
            blocks_t.append(tail[risk])
            blocks_h.append(head[risk])
        steps.append(
            StepDesign(
                year=year,
                X=np.vstack(blocks_X),
                y=np.concatenate(blocks_y),
                w=np.ones(sum(len(b) for b in blocks_y)),
                nodes=nodes,
                tail=np.concatenate(blocks_t),
                head=np.concatenate(blocks_h),
            )
        )
    meta = {"model": "separable (conditional MPLE)", "parts": [op for op, _ in parts], "nodes_absent_at_t-1": dropped}
    return Design(names=names, steps=steps, directed=panel.directed, formula=text, meta=meta)


def fit_separable(
    panel,
    formula: str,
    bootstrap: int = 0,
    seed: int | None = None,
    missing: str = "error",
    level: float = 0.95,
    n_jobs: int = 1,
):
    """The conditional MPLE of a ``Form(~ …) + Persist(~ …)`` model (a FitResult, estimator "mple").

    ``bootstrap`` resamples transitions as the MPLE bootstrap resamples time steps.
    """
    from customsnet.modeling.estimation.fit import fit_tergm

    design = separable_design(panel, formula, missing=missing)
    result = fit_tergm(design, estimator="mple", bootstrap=bootstrap, seed=seed, level=level, n_jobs=n_jobs)
    result.meta.update(design.meta)
    return result


# --------------------------------------------------------------------------- CMLE by MCMC
@dataclass
class BlockStepModel(StepModel):
    """One part (Form or Persist) of one transition, as a StepModel inside the joint coefficient vector.

    Dyads the part may not change are fixed through the sampler's log-odds: ties present at t−1
    stay present in the formation network (+inf), dyads untied at t−1 stay absent from the
    persistence network (−inf). ``offset`` is where the part's coefficients start; Diss parts
    take the negated coefficients (Diss = −Persist).
    """

    offset: int = 0
    total: int = 0
    sign: float = 1.0
    fixed_on: np.ndarray | None = None  # dyad rows (all_dyads order) fixed present
    fixed_off: np.ndarray | None = None  # dyad rows fixed absent

    @property
    def n_stats(self) -> int:
        return self.total

    def _inner(self, theta: np.ndarray) -> np.ndarray:
        return self.sign * np.asarray(theta, dtype=np.float64)[self.offset : self.offset + self.n_params]

    def ergm_model(self, theta: np.ndarray):
        model = StepModel.ergm_model(self, self._inner(theta))
        logodds = model.dyad_logodds.copy()
        tail, head = all_dyads(self.n, self.directed)
        for rows, value in ((self.fixed_on, np.inf), (self.fixed_off, -np.inf)):
            if rows is not None and len(rows):
                logodds[tail[rows], head[rows]] = value
                if not self.directed:
                    logodds[head[rows], tail[rows]] = value
        return dataclasses.replace(model, dyad_logodds=logodds)

    def _place(self, inner: np.ndarray) -> np.ndarray:
        out = np.zeros(self.total)
        out[self.offset : self.offset + self.n_params] = self.sign * inner
        return out

    def draw_statistics(self, state, model) -> np.ndarray:
        return self._place(StepModel.draw_statistics(self, state, model)[: self.n_params])

    def observed_statistics(self) -> np.ndarray:
        plain = StepModel(**{f.name: getattr(self, f.name) for f in dataclasses.fields(StepModel)})
        return self._place(plain.observed_statistics())


def separable_step_models(panel, text: str, missing: str = "error") -> tuple[list[BlockStepModel], list[str]]:
    """The CMLE's pooled model: one constrained StepModel per (transition, part) and the coefficient names."""
    lhs, parts = split_separable(text)
    names, offsets = [], []
    for op, formula in parts:
        offsets.append(len(names))
        names += [f"{op}(1)~{n}" for n in formula.coef_names(panel.directed)]
    models = []
    for k in range(1, len(panel.years)):
        year, prev_year = panel.years[k], panel.years[k - 1]
        for (op, formula), offset in zip(parts, offsets):
            step = step_inputs(panel, formula, year, missing=missing)
            keep = np.isin(step.nodes, panel.nodes[prev_year])
            if not keep.all():
                step = subset_step(step, keep)
            prev = restrict_network(panel.network(lhs, prev_year), panel.nodes[prev_year], step.nodes)
            prev = sp.csr_matrix((prev != 0).astype(np.float64))
            now = sp.csr_matrix((step.network != 0).astype(np.float64))
            tail, head = all_dyads(step.n, panel.directed)
            was = tie_values(prev, tail, head) > 0
            network = (now + prev) > 0 if op == "Form" else now.multiply(prev) > 0
            base = StepModel.from_step(formula, step.with_network(sp.csr_matrix(network, dtype=np.float64)))
            fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(StepModel)}
            models.append(
                BlockStepModel(
                    **fields,
                    offset=offset,
                    total=len(names),
                    sign=-1.0 if op == "Diss" else 1.0,
                    fixed_on=np.flatnonzero(was) if op == "Form" else None,
                    fixed_off=np.flatnonzero(~was) if op != "Form" else None,
                )
            )
    return models, names
