"""btergm's temporal terms: memory, delrecip, timecov (``R/tergmprepare.R``, ``R/timecov.R``).

btergm implements each of them as an ``edgecov`` built from earlier networks or from the
calendar index, so each change statistic is just the value of that matrix at the dyad and
the statistic is its sum over the ties.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from customsnet.modeling.terms import arguments as A
from customsnet.modeling.terms.arguments import Formal
from customsnet.modeling.terms.base import (
    StepInputs,
    TermError,
    column,
    r_literal,
    r_number,
)
from customsnet.modeling.terms.dyad_independent import DyadIndependent
from customsnet.modeling.terms.rsyntax import RFunction, RSyntaxError

#: memory type -> (value when the earlier tie exists, value when it does not)
MEMORY_CODES: dict[str, tuple[float, float]] = {
    "autoregression": (1.0, 0.0),
    "stability": (1.0, -1.0),
    "innovation": (0.0, 1.0),
    "loss": (-1.0, 0.0),
}


def _check_lag(term: str, lag: float) -> int:
    if lag != int(lag) or lag < 1:
        raise TermError(f"{term}: lag must be a whole number >= 1, got {lag}")
    return int(lag)


def _lagged_ties(step: StepInputs, lag: int, term: str, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    earlier = step.lagged_network(lag, term)
    return (np.asarray(earlier[tail, head]).ravel() != 0).astype(np.float64)


@dataclass(frozen=True)
class Memory(DyadIndependent):
    """``memory(type = "stability", lag = 1)``: the dyad's state ``lag`` steps earlier, coded by type."""

    type: str = "stability"
    lag: int = 1
    r_name = "memory"
    formals = (Formal("type", A.text), Formal("lag", A.number))

    def __post_init__(self) -> None:
        if self.type not in MEMORY_CODES:
            raise TermError(f"memory: type must be one of {sorted(MEMORY_CODES)}, got {self.type!r}")
        object.__setattr__(self, "lag", _check_lag("memory", self.lag))

    def coef_names(self, directed: bool) -> list[str]:
        return ["edgecov.memory[[i]]"]

    def to_r(self) -> str:
        extra = "" if self.lag == 1 else f", lag = {self.lag}"
        return f"memory(type = {r_literal(self.type)}{extra})"

    def lags(self) -> tuple[int, ...]:
        return (self.lag,)

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        tied, untied = MEMORY_CODES[self.type]
        earlier = _lagged_ties(step, self.lag, self.to_r(), tail, head)
        return column(np.where(earlier == 1.0, tied, untied))


@dataclass(frozen=True)
class DelRecip(DyadIndependent):
    """``delrecip(mutuality = FALSE, lag = 1)``: the reverse tie ``j -> i`` ``lag`` steps earlier.

    With ``mutuality = TRUE`` an absent reverse tie is coded -1 instead of 0.
    """

    mutuality: bool = False
    lag: int = 1
    r_name = "delrecip"
    formals = (Formal("mutuality", A.logical), Formal("lag", A.number))

    def __post_init__(self) -> None:
        object.__setattr__(self, "lag", _check_lag("delrecip", self.lag))

    def coef_names(self, directed: bool) -> list[str]:
        return ["edgecov.delrecip[[i]]"]

    def to_r(self) -> str:
        args = []
        if self.mutuality:
            args.append("mutuality = TRUE")
        if self.lag != 1:
            args.append(f"lag = {self.lag}")
        return f"delrecip({', '.join(args)})"

    def lags(self) -> tuple[int, ...]:
        return (self.lag,)

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        reverse = _lagged_ties(step, self.lag, self.to_r(), head, tail)
        return column(np.where(reverse == 1.0, 1.0, -1.0 if self.mutuality else 0.0))


@dataclass(frozen=True)
class TimeCov(DyadIndependent):
    """``timecov(x = NULL, minimum = 1, maximum = T, transform = function(t) t)``.

    The time value of calendar step ``s`` (1-based in the untrimmed list of ``T`` years) is
    ``f(s) * [minimum <= s <= maximum]``; without ``x`` it is the change statistic of every
    dyad, with ``x`` it multiplies the covariate (an interaction with the time trend).
    ``ordinal`` is the term's rank among the formula's timecov terms (``timecov1``, ...);
    :class:`~customsnet.modeling.terms.formula.Formula` sets it.
    """

    x: str | None = None
    minimum: float = 1
    maximum: float | None = None
    transform: str = "function(t) t"
    ordinal: int = field(default=1, compare=True)
    r_name = "timecov"
    formals = (
        Formal("x", A.optional_name),
        Formal("minimum", A.number),
        Formal("maximum", A.optional_number),
        Formal("transform", A.function),
    )

    def __post_init__(self) -> None:
        try:
            fn = RFunction.parse(self.transform)
        except RSyntaxError as exc:
            raise TermError(f"timecov: bad transform {self.transform!r}: {exc}") from None
        object.__setattr__(self, "transform", str(fn))

    @property
    def function(self) -> RFunction:
        return RFunction.parse(self.transform)

    def coef_names(self, directed: bool) -> list[str]:
        suffix = f".{self.x}" if self.x else ""
        return [f"edgecov.timecov{self.ordinal}{suffix}[[i]]"]

    def to_r(self) -> str:
        args = []
        if self.x:
            args.append(f"x = {self.x}")
        if self.minimum != 1:
            args.append(f"minimum = {r_number(self.minimum)}")
        if self.maximum is not None:
            args.append(f"maximum = {r_number(self.maximum)}")
        if self.transform != "function(t) t":
            args.append(f"transform = {self.transform}")
        return f"timecov({', '.join(args)})"

    def dyad_covariates(self) -> tuple[str, ...]:
        return (self.x,) if self.x else ()

    def time_values(self, n_times: int) -> np.ndarray:
        """``f(s) * [minimum <= s <= maximum]`` for ``s = 1..n_times`` (btergm's ``values``)."""
        s = np.arange(1, n_times + 1, dtype=np.float64)
        values = self.function(s)
        if not np.all(np.isfinite(values)):
            bad = s[~np.isfinite(values)].astype(int).tolist()
            raise TermError(f"{self.to_r()}: the transform is not finite at time steps {bad} of 1..{n_times}")
        maximum = n_times if self.maximum is None else self.maximum
        return values * ((s >= self.minimum) & (s <= maximum))

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        value = self.time_values(step.n_times)[step.time_index - 1]
        if self.x is None:
            return np.full((len(tail), 1), value)
        return column(step.dyad_cov(self.x, self.to_r())[tail, head] * value)
