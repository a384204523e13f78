"""Offset terms at fit time: their fixed coefficients (ergm's ``offset.coef``) and structural zeros.

A formula term ``offset(term)`` gives design columns named ``offset(<name>)``; their coefficients
are given, not estimated (``fit_tergm(..., offset_coef=[...])``, in the order of the offset
columns, as ergm's ``offset.coef``). A finite value enters the linear predictor as a fixed
offset. An infinite value makes every dyad whose change statistic in that column is non-zero
deterministic (``-Inf`` times a positive statistic: tie probability 0, a structural zero): those
rows carry no pseudolikelihood information, so they are removed from the design (as btergm removes
the rows of its ``offset = TRUE`` structural zeros) and the column, zero on every remaining row,
is left out of the fit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from customsnet.modeling.design.design import Design, StepDesign
from customsnet.modeling.terms.offset import is_offset_name


class OffsetError(ValueError):
    """Offset coefficients missing, of the wrong number, or contradicted by the observed ties."""


def offset_names(names: Sequence[str]) -> list[str]:
    """The offset coefficients among ``names``, in order."""
    return [n for n in names if is_offset_name(n)]


def offset_values(names: Sequence[str], offset_coef: Sequence[float] | dict | None) -> dict[str, float]:
    """Offset name -> fixed coefficient, from a sequence (offset order) or a mapping by name."""
    wanted = offset_names(names)
    if not wanted:
        if offset_coef is not None and len(offset_coef):
            raise OffsetError(f"offset_coef {list(offset_coef)} given, but the formula has no offset() term")
        return {}
    if offset_coef is None:
        raise OffsetError(
            f"the formula has offset terms {wanted}: give their fixed coefficients with offset_coef=[...] "
            "(ergm's offset.coef; -inf for structural zeros)"
        )
    if isinstance(offset_coef, dict):
        unknown = sorted(set(offset_coef) - set(wanted))
        absent = [n for n in wanted if n not in offset_coef]
        if unknown or absent:
            raise OffsetError(f"offset_coef names {unknown or absent} do not match the offset terms {wanted}")
        values = [float(offset_coef[n]) for n in wanted]
    else:
        values = [float(v) for v in offset_coef]
        if len(values) != len(wanted):
            raise OffsetError(f"{len(values)} offset coefficient(s) {values} for {len(wanted)} offset term(s) {wanted}")
    bad = [n for n, v in zip(wanted, values) if np.isnan(v)]
    if bad:
        raise OffsetError(f"offset coefficient of {bad} is NaN; give a number or -inf")
    return dict(zip(wanted, values))


def fixed_vector(names: Sequence[str], values: dict[str, float]) -> np.ndarray | None:
    """Per column: the fixed coefficient of a (finite) offset, NaN where estimated; None without offsets."""
    if not any(n in values for n in names):
        return None
    return np.array([values.get(n, np.nan) for n in names])


def remove_structural_zeros(design: Design, values: dict[str, float]) -> tuple[Design, dict[str, int]]:
    """Drop rows made deterministic by infinite offsets and the infinite offsets' columns.

    Returns the reduced design and the number of dyads removed per year. Raises
    :class:`OffsetError` when an observed tie sits on a structural zero (probability 0) or an
    observed non-tie on a forced tie (probability 1): the model cannot have produced the data.
    """
    infinite = [j for j, n in enumerate(design.names) if np.isinf(values.get(n, 0.0))]
    if not infinite:
        return design, {}
    keep_cols = [j for j in range(len(design.names)) if j not in infinite]
    coef = np.array([values[design.names[j]] for j in infinite])
    steps: list[StepDesign] = []
    removed: dict[str, int] = {}
    for s in design.steps:
        x = np.asarray(s.X)[:, infinite]
        # +1: forced tie, -1: structural zero, 0: untouched (a conflict of +inf and -inf is refused)
        direction = np.sign(x) * np.sign(coef)
        forced_tie, forced_zero = (direction > 0).any(axis=1), (direction < 0).any(axis=1)
        if (forced_tie & forced_zero).any():
            raise OffsetError(f"year {s.year}: infinite offsets force some dyads both to 0 and to 1")
        for mask, value, what in (
            (forced_zero, 1.0, "ties on structural zeros"),
            (forced_tie, 0.0, "non-ties on forced ties"),
        ):
            wrong = mask & (s.y == value)
            if wrong.any():
                raise OffsetError(
                    f"year {s.year}: {int(s.w[wrong].sum())} observed {what} (offset coefficient "
                    f"{[design.names[j] for j in infinite]} = {coef.tolist()}); the model gives them probability 0"
                )
        drop = forced_tie | forced_zero
        removed[str(s.year)] = int(s.w[drop].sum())
        keep = ~drop
        steps.append(
            dataclasses.replace(
                s,
                X=np.asarray(s.X)[np.ix_(keep, keep_cols)],
                y=s.y[keep],
                w=s.w[keep],
                tail=None if s.tail is None else s.tail[keep],
                head=None if s.head is None else s.head[keep],
                lag_tie=None if s.lag_tie is None else s.lag_tie[keep],
            )
        )
    meta = dict(design.meta)
    meta["structural_zeros"] = removed
    reduced = Design(
        names=[design.names[j] for j in keep_cols],
        steps=steps,
        directed=design.directed,
        formula=design.formula,
        meta=meta,
    )
    return reduced, removed
