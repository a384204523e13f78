"""Shared-partner terms: esp(d), dsp(d), nsp(d), gwdsp, gwnsp and ergm's dgw* names, with ``type=``.

ergm (``R/InitErgmTerm.dgw_sp.R``, ``src/changestats_dgw_sp.h``) counts, for a pair ``(a, b)``,
its shared partners ``L(a, b)`` of a *type* (``A[i, j] = 1`` for ``i -> j``):

========  ==========================  ==============
type      partner ``u`` of (a, b)     matrix
========  ==========================  ==============
UTP       ``a - u - b`` (undirected)  ``A A``
OTP       ``a -> u -> b``             ``A A``
ITP       ``b -> u -> a``             ``(A A)'``
RTP       ``a <-> u <-> b``           ``M M``, ``M = A o A'``
OSP       ``a -> u <- b``             ``A A'``
ISP       ``a <- u -> b``             ``A' A``
========  ==========================  ==============

On undirected networks the type is always UTP. The statistics sum ``h(L)`` over pairs:
edgewise (``esp``, ``gwesp``) over the ties (each undirected edge once, each arc once);
dyadwise (``dsp``, ``gwdsp``) over all pairs: ordered pairs for directed OTP/ITP, unordered
pairs otherwise (ergm stores the symmetric types in an undirected dyad map); non-edgewise
(``nsp``, ``gwnsp``) is dyadwise minus edgewise, as ergm computes it. ``h`` is the indicator
``L == d`` (one statistic per ``d``) or the geometric weight ``exp(a) (1 - (1 - exp(-a))^L)``.

The change statistic of one dyad is computed exactly by re-evaluating ``h`` for the pairs whose
count or tie the toggle can change: the focal pair and the pairs sharing one focal endpoint
whose other endpoint is linked to the other focal node (``O(n * deg)`` per dyad).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from customsnet.modeling.terms import arguments as A
from customsnet.modeling.terms.arguments import Formal
from customsnet.modeling.terms.base import (
    PerDyadChange,
    StepInputs,
    TermError,
    r_literal,
    r_number,
)
from customsnet.modeling.terms.gw import (
    _GW_FORMALS,
    _GW_REFUSED,
    GWESP,
    _FixedDecay,
    focal_table,
    typed_name,
)
from customsnet.modeling.terms.sp_kernels import (  # noqa: F401  (the kernels' names, for the terms below)
    DYADWISE,
    EDGEWISE,
    NONEDGEWISE,
    SP_TYPES,
    _pair_value,
    _sum_pairs,
    _two_paths,
    check_type,
    dyadwise_ordered,
    pair_masks,
    resolve_type,
    sp_change,
    sp_params,
    sp_statistic,
    two_path_matrix,
)


class _SharedPartnerCounts(PerDyadChange):
    """``esp``/``dsp``/``nsp(d, type = "OTP")``: pairs with exactly ``d`` shared partners."""

    kind = EDGEWISE
    stem = "esp"
    formals = (Formal("d", A.whole_numbers), Formal("type", A.text))

    def __post_init__(self) -> None:
        d = (self.d,) if np.isscalar(self.d) else tuple(self.d)
        if not d or any(v != int(v) or v < 0 for v in d):
            raise TermError(f"{self.r_name}: d must be whole numbers >= 0, got {d}")
        object.__setattr__(self, "d", tuple(int(v) for v in d))
        check_type(self.r_name, self.type)

    @property
    def n_stats(self) -> int:
        return len(self.d)

    always_typed: ClassVar[bool] = False  # see gw.typed_name: plain esp/dsp/nsp print the type from ergm 4.5

    def coef_names(self, directed: bool) -> list[str]:
        t = resolve_type(self.to_r(), self.type, directed)
        stem = f"{self.stem}.{t}" if typed_name(self, directed) else self.stem
        return [f"{stem}{v}" for v in self.d]

    def to_r(self) -> str:
        d = str(self.d[0]) if len(self.d) == 1 else "c(" + ", ".join(map(str, self.d)) + ")"
        extra = "" if self.type is None else f", type = {r_literal(self.type)}"
        return f"{self.r_name}({d}{extra})"

    def check_directedness(self, directed: bool) -> None:
        resolve_type(self.to_r(), self.type, directed)

    def sampler_change(self, step: StepInputs):
        t = resolve_type(self.to_r(), self.type, step.directed)
        return sp_change, sp_params(t, self.kind, step.directed, np.array(self.d), counts=True)

    def statistic(self, step: StepInputs) -> np.ndarray:
        t = resolve_type(self.to_r(), self.type, step.directed)
        return sp_statistic(step, t, self.kind, lambda c: np.array([np.sum(c == v) for v in self.d], dtype=float))


@dataclass(frozen=True)
class ESP(_SharedPartnerCounts):
    """``esp(d)``: ties with exactly ``d`` shared partners (names ``esp1``; directed ``esp.OTP1``)."""

    d: tuple[int, ...]
    type: str | None = None
    r_name = "esp"


@dataclass(frozen=True)
class DSP(_SharedPartnerCounts):
    """``dsp(d)``: pairs with exactly ``d`` shared partners (names ``dsp1``; directed ``dsp.OTP1``)."""

    d: tuple[int, ...]
    type: str | None = None
    r_name = "dsp"
    kind = DYADWISE
    stem = "dsp"


@dataclass(frozen=True)
class NSP(_SharedPartnerCounts):
    """``nsp(d)``: non-tied pairs with exactly ``d`` shared partners (dsp minus esp, as ergm)."""

    d: tuple[int, ...]
    type: str | None = None
    r_name = "nsp"
    kind = NONEDGEWISE
    stem = "nsp"


# ------------------------------------------------------------------ gwdsp, gwnsp (fixed decay)
class _GWSharedPartners(_FixedDecay, PerDyadChange):
    """``gwdsp``/``gwnsp(decay, fixed = TRUE, type = "OTP")``: geometrically weighted shared partners."""

    kind = DYADWISE
    stem = "gwdsp"
    formals = _GW_FORMALS + (Formal("cutoff", A.number), Formal("type", A.text))
    refused: ClassVar[dict[str, str]] = {
        "cutoff": _GW_REFUSED["cutoff"],
        "alpha": "use decay = (alpha is ergm's old name)",
    }

    def __post_init__(self) -> None:
        super().__post_init__()
        check_type(self.r_name, self.type)

    def fast_sampler_fields(self, coef: np.ndarray) -> dict[str, float] | None:
        return None

    always_typed: ClassVar[bool] = False  # dgwdsp/dgwnsp: True (see gw.typed_name)

    def coef_names(self, directed: bool) -> list[str]:
        t = resolve_type(self.to_r(), self.type, directed)
        stem = f"{self.stem}.{t}" if typed_name(self, directed) else self.stem
        return [f"{stem}.fixed.{r_number(self.decay)}"]

    def to_r(self) -> str:
        extra = "" if self.type is None else f", type = {r_literal(self.type)}"
        return f"{self.r_name}({r_number(self.decay)}, fixed = TRUE{extra})"

    def check_directedness(self, directed: bool) -> None:
        resolve_type(self.to_r(), self.type, directed)

    def sampler_change(self, step: StepInputs):
        t = resolve_type(self.to_r(), self.type, step.directed)
        return sp_change, sp_params(t, self.kind, step.directed, focal_table(self.decay, step.n), counts=False)

    def statistic(self, step: StepInputs) -> np.ndarray:
        t = resolve_type(self.to_r(), self.type, step.directed)
        table = focal_table(self.decay, step.n)
        return sp_statistic(step, t, self.kind, lambda c: np.array([np.sum(table[c])]))


@dataclass(frozen=True)
class GWDSP(_GWSharedPartners):
    """``gwdsp(decay, fixed = TRUE)``: sum over pairs of ``exp(a) (1 - r^L)`` (name ``gwdsp.fixed.<a>``)."""

    decay: float
    fixed: bool = True
    type: str | None = None
    r_name = "gwdsp"


@dataclass(frozen=True)
class GWNSP(_GWSharedPartners):
    """``gwnsp(decay, fixed = TRUE)``: gwdsp minus gwesp, i.e. over the non-tied pairs."""

    decay: float
    fixed: bool = True
    type: str | None = None
    r_name = "gwnsp"
    kind = NONEDGEWISE
    stem = "gwnsp"


@dataclass(frozen=True)
class DGWDSP(GWDSP):
    """``dgwdsp``: ergm's name for the same term as ``gwdsp``."""

    r_name = "dgwdsp"
    always_typed = True


@dataclass(frozen=True)
class DGWNSP(GWNSP):
    """``dgwnsp``: ergm's name for the same term as ``gwnsp``."""

    r_name = "dgwnsp"
    always_typed = True


@dataclass(frozen=True)
class DGWESP(GWESP):
    """``dgwesp``: ergm's name for the same term as ``gwesp``."""

    r_name = "dgwesp"
    always_typed = True

    def to_r(self) -> str:
        return "d" + super().to_r()
