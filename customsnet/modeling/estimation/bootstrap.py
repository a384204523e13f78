"""Bootstrap over time steps (btergm's ``boot`` call) and R's ``boot`` confidence intervals.

Indices are drawn first, as an R x T' matrix (replicate b uses row b), from a seeded
:class:`numpy.random.Generator`, or supplied explicitly (e.g. R's ``boot.array(..., indices=TRUE)``
to reproduce a btergm run). A replicate stacks the drawn steps in draw order, each repeat as its
own rows; since the estimators sum per-step statistics, that is the same as weighting each
step's statistics by how often it was drawn (row weights, and so speedglm's start values, are
untouched). Replicates run in one vectorised batch locally (threads via joblib, sharing the
rows), or in chunks on a Dask cluster when a scheduler address is given (workers on this
machine map one read-only copy of the rows, see :class:`MappedPayload`). With a ``progress``
callback the local run goes in chunks too, so the caller can show a count and time left; each
replicate's arithmetic does not depend on which other replicates share its batch, so chunked,
unchunked and cluster runs give the same bits.
"""

from __future__ import annotations

import io
import math
import pickle
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.stats import norm

from customsnet.modeling.estimation.estimators import ReplicateFits
from customsnet.progress import Progress


class BootstrapWarning(UserWarning):
    """Replicates with missing coefficients were dropped before computing intervals."""


def draw_indices(n_steps: int, R: int, rng: np.random.Generator) -> np.ndarray:
    """R x T' matrix of 0-based step indices drawn with replacement (all drawn before any fit)."""
    return rng.integers(0, n_steps, size=(R, n_steps))


def indices_from_r(indices: np.ndarray, n_steps: int) -> np.ndarray:
    """Validate R's 1-based index matrix (``boot_indices.csv``) and return it 0-based."""
    idx = np.asarray(indices)
    if idx.ndim != 2 or idx.shape[1] != n_steps:
        raise ValueError(
            f"boot indices must be an R x {n_steps} matrix (one column per time step), got shape {idx.shape}"
        )
    if idx.min() < 1 or idx.max() > n_steps:
        raise ValueError(f"boot indices must be 1-based step numbers in 1..{n_steps}, got {idx.min()}..{idx.max()}")
    return idx.astype(np.int64) - 1


def step_counts(indices: np.ndarray, n_steps: int) -> np.ndarray:
    """(R, T') multiplicity of each step in each replicate."""
    R = indices.shape[0]
    counts = np.zeros((R, n_steps), dtype=np.int64)
    np.add.at(counts, (np.repeat(np.arange(R), indices.shape[1]), indices.ravel()), 1)
    return counts


#: arrays at least this large go to a memory-mapped file instead of into each worker's pickle
MAPPED_MIN_BYTES = 1 << 20
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


class MappedPayload:
    """A pickled object whose large arrays live in ``.npy`` files, mapped read-only where it is loaded.

    Worker processes on the same machine then share one copy of the design rows through the page
    cache instead of each unpickling its own (with 15 million rows that is ~1 GB per worker).
    """

    def __init__(self, obj: object, directory: Path, min_bytes: int = MAPPED_MIN_BYTES) -> None:
        saved: dict[int, str] = {}
        keep: list[np.ndarray] = []  # hold the arrays so their ids stay unique while pickling

        class _Pickler(pickle.Pickler):
            def persistent_id(self, o: object) -> str | None:
                if type(o) is np.ndarray and o.nbytes >= min_bytes:
                    if id(o) not in saved:
                        path = directory / f"array{len(saved)}.npy"
                        np.save(path, o)
                        saved[id(o)] = str(path)
                        keep.append(o)
                    return saved[id(o)]
                return None

        buf = io.BytesIO()
        _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
        self.blob = buf.getvalue()
        self.files = list(saved.values())

    def load(self) -> object:
        class _Unpickler(pickle.Unpickler):
            def persistent_load(self, pid: str) -> np.ndarray:
                return np.load(pid, mmap_mode="r")

        return _Unpickler(io.BytesIO(self.blob)).load()


def _guarded_mapped(payload: MappedPayload, counts: np.ndarray) -> ReplicateFits:
    return _guarded(payload.load(), counts)


def _workers_are_local(client: object) -> bool:
    """Whether every worker runs on this machine (loopback addresses), so files can be shared."""
    workers = client.scheduler_info().get("workers", {})
    hosts = {addr.split("://")[-1].rsplit(":", 1)[0] for addr in workers}
    return bool(hosts) and hosts <= set(_LOCAL_HOSTS)


#: local chunks when progress is reported: a bar step every ~5%, few enough that the per-chunk
#: set-up (one pass over the drawn steps for speedglm's start values) stays a small share
LOCAL_CHUNKS = 20
#: ... but at least this many replicates per chunk, so the vectorised batch keeps its width
MIN_CHUNK = 4


def labelled(progress: Progress | None, label: str) -> Progress | None:
    """``progress`` with ``label`` added to every bar's description (e.g. which model is bootstrapped)."""
    if progress is None:
        return None
    return lambda description, total: progress(f"{description} ({label})", total)


def local_chunks(n_replicates: int, n_chunks: int = LOCAL_CHUNKS, min_chunk: int = MIN_CHUNK) -> list[np.ndarray]:
    """Consecutive index blocks covering ``range(n_replicates)`` for a local run with progress."""
    n = max(1, min(n_chunks, n_replicates // max(1, min_chunk)))
    return [part for part in np.array_split(np.arange(n_replicates), n) if len(part)]


def run_replicates(
    statistic: Callable[[np.ndarray], ReplicateFits],
    counts: np.ndarray,
    scheduler: object | None = None,
    chunks: int | None = None,
    share: str = "auto",
    progress: Progress | None = None,
    description: str = "bootstrap",
) -> ReplicateFits:
    """Evaluate ``statistic`` on the replicates' step counts, locally or on a Dask cluster.

    ``scheduler`` is a Dask scheduler address (``"tcp://host:8786"``) or a ``distributed.Client``.
    A chunk that raises is recorded as failed replicates with the error message; the run goes on.
    ``share``: ``"mmap"`` puts the statistic's large arrays in memory-mapped files that every
    worker maps read-only (one copy on the machine), ``"copy"`` sends each worker its own copy;
    ``"auto"`` maps when all workers are on loopback addresses (the same machine), else copies.
    ``progress``: ``start(description, len(counts))`` is called once and the ``advance(n)`` it
    returns after every finished chunk (locally the replicates then run in ``chunks`` blocks,
    :data:`LOCAL_CHUNKS` by default; on a cluster as each chunk's future completes). Results keep
    the replicates' order either way.
    """
    if share not in ("auto", "mmap", "copy"):
        raise ValueError(f"share must be 'auto', 'mmap' or 'copy', got {share!r}")
    advance = progress(description, len(counts)) if progress is not None else None
    if scheduler is None:
        if advance is None:
            return _guarded(statistic, counts)
        results = []
        for part in local_chunks(len(counts), chunks or LOCAL_CHUNKS):
            results.append(_guarded(statistic, counts[part]))
            advance(len(part))
        return _concatenate(results)
    from distributed import Client, as_completed

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    directory = None
    try:
        n_chunks = chunks or max(1, sum(client.nthreads().values()))
        parts = np.array_split(np.arange(len(counts)), min(n_chunks, len(counts)))
        if share == "mmap" or (share == "auto" and _workers_are_local(client)):
            directory = Path(tempfile.mkdtemp(prefix="customsnet-boot-"))
            task, payload = _guarded_mapped, MappedPayload(statistic, directory)
        else:
            task, payload = _guarded, statistic
        # ship the statistic (it holds the design rows) to every worker once, not once per chunk
        shared = client.scatter(payload, broadcast=True, hash=False)
        futures = client.map(task, [shared] * len(parts), [counts[p] for p in parts], pure=False)
        if advance is None:
            results = client.gather(futures)
        else:
            # report each chunk as it finishes (in any order), put the results back in order
            position = {future.key: i for i, future in enumerate(futures)}
            results = [None] * len(futures)
            for future in as_completed(futures):
                i = position[future.key]
                results[i] = future.result()
                advance(len(parts[i]))
    finally:
        if client is not scheduler:
            client.close()
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
    return _concatenate(results)


def _concatenate(results: list[ReplicateFits]) -> ReplicateFits:
    """The replicates of consecutive chunks as one :class:`ReplicateFits`, in order."""
    return ReplicateFits(
        raw=np.vstack([r.raw for r in results]),
        failed=np.concatenate([r.failed for r in results]),
        notes=[n for r in results for n in r.notes],
    )


def _guarded(statistic: Callable[[np.ndarray], ReplicateFits], counts: np.ndarray) -> ReplicateFits:
    try:
        return statistic(counts)
    except Exception as exc:  # noqa: BLE001 - a failing chunk must not crash the bootstrap
        if len(counts) > 1:
            # isolate the failing replicate(s) instead of losing the whole chunk
            half = len(counts) // 2
            a, b = _guarded(statistic, counts[:half]), _guarded(statistic, counts[half:])
            return ReplicateFits(np.vstack([a.raw, b.raw]), np.concatenate([a.failed, b.failed]), a.notes + b.notes)
        p = getattr(statistic, "n_params", None)
        raw = np.full((1, p if p is not None else 0), np.nan)
        return ReplicateFits(raw, np.ones(1, dtype=bool), [f"error: {type(exc).__name__}: {exc}"])


# --------------------------------------------------------------------------- intervals (R's boot)
def r_level_probs(level: float) -> tuple[float, float]:
    """``(1 + c(-level, level)) / 2`` in IEEE double, as R computes it."""
    return (1.0 - level) / 2.0, (1.0 + level) / 2.0


def norm_inter(t: np.ndarray, alpha: float) -> float:
    """``boot:::norm.inter``: quantile ``alpha`` of ``t`` interpolated on the normal scale.

    Non-finite values are dropped first. With ``rk = (R + 1) alpha`` and ``k = floor(rk)``:
    ``t(k)`` when ``rk`` is an integer, the extreme order statistic when ``k`` is 0 or R, else
    interpolation between ``t(k)`` and ``t(k+1)`` on the ``qnorm`` scale.
    """
    t = np.sort(np.asarray(t, dtype=np.float64)[np.isfinite(t)])
    R = len(t)
    if R == 0:
        return math.nan
    rk = (R + 1) * alpha
    k = math.trunc(rk)
    if k == 0:
        return float(t[0])
    if k >= R:
        return float(t[R - 1])
    if k == rk:  # exact comparison, as boot does
        return float(t[k - 1])
    lo, hi = t[k - 1], t[k]
    z = norm.ppf
    frac = (z(alpha) - z(k / (R + 1))) / (z((k + 1) / (R + 1)) - z(k / (R + 1)))
    return float(lo + frac * (hi - lo))


def percentile_interval(t: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """boot's ``perc`` interval of one coefficient's replicates."""
    lo, hi = r_level_probs(level)
    return norm_inter(t, lo), norm_inter(t, hi)


def basic_interval(t: np.ndarray, estimate: float, level: float = 0.95) -> tuple[float, float]:
    """boot's ``basic`` interval: ``2 theta - `` the percentile bounds, swapped."""
    lo, hi = percentile_interval(t, level)
    return 2.0 * estimate - hi, 2.0 * estimate - lo


def complete_replicates(t: np.ndarray, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``t`` usable for intervals, as btergm's ``confint`` does, with a warning.

    Columns that are missing in every replicate (terms not identified) are ignored; replicates
    with a missing value in any other column are dropped (btergm then errors in ``boot.ci``; we
    compute on the complete rows and say how many were dropped).
    """
    t = np.asarray(t, dtype=np.float64)
    if t.size == 0:
        return t, np.zeros(0, dtype=bool)
    live = ~np.all(np.isnan(t), axis=0)
    keep = ~np.any(np.isnan(t[:, live]), axis=1)
    if not keep.all():
        bad = [n for n, col in zip(names, (np.isnan(t) & live).any(axis=0)) if col]
        warnings.warn(
            f"{int((~keep).sum())} of {len(t)} bootstrap replicates have missing estimates "
            f"({', '.join(bad)}: too little variation in those resamples); intervals use the "
            f"{int(keep.sum())} complete replicates",
            BootstrapWarning,
            stacklevel=3,
        )
    return t[keep], keep
