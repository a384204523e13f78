"""A real multi-process Dask cluster on loopback: one ``dask-scheduler`` and N ``dask-worker`` processes.

For tests and benchmarks of the Dask bootstrap path (``fit_tergm(..., scheduler=address)``), and
for a researcher who wants the cluster back-end on one machine without writing a deployment:

>>> with LoopbackCluster(n_workers=2) as cluster:          # doctest: +SKIP
...     result = fit_tergm(design, estimator="btergm", bootstrap=100, scheduler=cluster.address)

The processes are the ordinary command-line programs (``python -m distributed.cli.dask_scheduler``
and ``...dask_worker``), bound to 127.0.0.1 on a free port, with the current ``sys.path`` passed
on so the workers import the same customsnet. Start-up is bounded by ``timeout``; on exit (or on
a failed start) every process is terminated, then killed if it does not stop.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Self


class ClusterStartError(RuntimeError):
    """The scheduler or a worker did not come up in time (the message holds their output)."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class LoopbackCluster:
    """Context manager running a scheduler and ``n_workers`` single-threaded worker processes."""

    def __init__(
        self, n_workers: int = 2, threads_per_worker: int = 1, timeout: float = 90.0, log_dir: Path | None = None
    ) -> None:
        self.n_workers = n_workers
        self.threads_per_worker = threads_per_worker
        self.timeout = timeout
        self.host = "127.0.0.1"
        self.port = free_port(self.host)
        self.address = f"tcp://{self.host}:{self.port}"
        self.log_dir = log_dir
        self._procs: list[subprocess.Popen] = []
        self._logs: list = []

    # ------------------------------------------------------------------ processes
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        # the workers must unpickle customsnet objects: give them this interpreter's import path
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        env.setdefault("DASK_DISTRIBUTED__WORKER__DAEMON", "False")
        return env

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed in close()
        else:
            out = subprocess.DEVNULL
        self._logs.append(out)
        proc = subprocess.Popen(
            [sys.executable, "-m", *args], stdout=out, stderr=subprocess.STDOUT, env=self._env(), start_new_session=True
        )
        self._procs.append(proc)
        return proc

    def start(self) -> LoopbackCluster:
        """Start the scheduler, then the workers; return once all workers are connected."""
        from distributed import Client

        self._spawn(
            "scheduler",
            ["distributed.cli.dask_scheduler", "--host", self.host, "--port", str(self.port), "--no-dashboard"],
        )
        for k in range(self.n_workers):
            self._spawn(
                f"worker{k}",
                [
                    "distributed.cli.dask_worker",
                    self.address,
                    "--host",
                    self.host,
                    "--nthreads",
                    str(self.threads_per_worker),
                    "--nworkers",
                    "1",
                    "--no-dashboard",
                    "--no-nanny",
                    "--name",
                    f"w{k}",
                ],
            )
        deadline = time.monotonic() + self.timeout
        try:
            self._wait_for_scheduler(deadline)
            with Client(self.address, timeout=max(1.0, deadline - time.monotonic())) as client:
                client.wait_for_workers(self.n_workers, timeout=max(1.0, deadline - time.monotonic()))
        except Exception as exc:
            dead = [p.args[2] for p in self._procs if p.poll() is not None]
            self.close()
            raise ClusterStartError(
                f"Dask cluster at {self.address} did not start within {self.timeout:.0f} s "
                f"({type(exc).__name__}: {exc}); exited early: {dead or 'none'}"
            ) from exc
        return self

    def _wait_for_scheduler(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self._procs[0].poll() is not None:
                raise ClusterStartError(f"dask-scheduler exited with code {self._procs[0].returncode}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1.0):
                    return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError("the scheduler port never opened")

    def close(self, grace: float = 10.0) -> None:
        """Terminate every process (workers first), kill what is still running after ``grace`` s."""
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.terminate()
        end = time.monotonic() + grace
        for proc in self._procs:
            try:
                proc.wait(timeout=max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        for out in self._logs:
            if hasattr(out, "close"):
                out.close()
        self._procs, self._logs = [], []

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._procs]

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
