"""The managed local Neo4j server through the CLI: start, status, browser, password, stop, restart.

Runs ``customsnet db ...`` as subprocesses (as a user would) on free ports, with a private
cache dir that reuses the already resolved jars (``CUSTOMSNET_NEO4J_LIB``), so it never
downloads and never touches anybody else's server or data.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import socket
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from customsnet.config import Settings
from customsnet.graph import runtime
from customsnet.graph.connection import Graph, GraphError
from customsnet.graph.runtime.processes import process_alive

pytestmark = pytest.mark.slow


def run_cli(env: dict[str, str], cwd: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "customsnet.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def settings_for(env: dict[str, str], cwd: Path) -> Settings:
    """The settings the CLI sees with ``env`` (read the same way, from a clean environment)."""
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        return Settings.from_env(cwd / ".env")
    finally:
        os.environ.clear()
        os.environ.update(saved)


def listening_sockets(pid: int) -> set[tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]]:
    """(address, port) of every TCP socket the process ``pid`` listens on (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            match = re.fullmatch(r"socket:\[(\d+)\]", os.readlink(fd))
        except OSError:
            continue
        if match:
            inodes.add(match.group(1))
    found = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A = LISTEN
                continue
            addr_hex, port_hex = local.split(":")
            raw = bytes.fromhex(addr_hex)
            # /proc prints each 32-bit word in host (little-endian) order
            raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.add((ipaddress.ip_address(raw), int(port_hex, 16)))
    return found


def is_loopback(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def processes_using(home: Path) -> list[int]:
    """Pids whose command line mentions ``home`` (a leftover server would)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if str(home) in cmdline and runtime.ENTRY_POINT in cmdline:
                pids.append(int(proc.name))
    return pids


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """Environment and working directory for a private managed server; stopped at the end."""
    jars = runtime.local_lib(Settings.from_env())
    runtime.resolve_jars(jars, Settings.from_env().neo4j_version)
    workdir = tmp_path_factory.mktemp("cli")  # no .env here
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "CUSTOMSNET_"))}
    env.update(
        CUSTOMSNET_CACHE_DIR=str(workdir / "cache"),
        CUSTOMSNET_NEO4J_LIB=str(jars),
        CUSTOMSNET_NEO4J_RUNTIME="local",
        CUSTOMSNET_BOLT_PORT=str(runtime.free_port()),
        CUSTOMSNET_HTTP_PORT=str(runtime.free_port()),
    )
    yield env, workdir
    run_cli(env, workdir, "db", "stop")


def test_status_and_password_before_any_start(cli):
    env, cwd = cli
    status = run_cli(env, cwd, "db", "status")
    assert status.returncode == 1
    assert "running:  no" in status.stdout
    password = run_cli(env, cwd, "db", "password")
    assert password.returncode != 0
    assert "db start" in password.stderr


def test_start_refuses_a_port_in_use(cli):
    env, cwd = cli
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", int(env["CUSTOMSNET_BOLT_PORT"])))
        blocker.listen()
        done = run_cli(env, cwd, "db", "start")
    assert done.returncode == 1
    assert f"port {env['CUSTOMSNET_BOLT_PORT']}" in done.stderr and "already in use" in done.stderr
    assert "CUSTOMSNET_BOLT_PORT" in done.stderr
    assert not processes_using(Path(env["CUSTOMSNET_CACHE_DIR"]))


def test_start_reports_a_real_526_community_server(cli):
    env, cwd = cli
    done = run_cli(env, cwd, "db", "start")
    assert done.returncode == 0, done.stderr
    assert "Neo4j started in" in done.stderr
    assert re.search(r"version:\s+5\.26\.\d+ community", done.stdout)
    stored = runtime.password_file(settings_for(env, cwd)).read_text().strip()
    assert stored not in done.stdout + done.stderr
    status = run_cli(env, cwd, "db", "status")
    assert status.returncode == 0, status.stderr
    assert "running:  yes" in status.stdout
    assert f"bolt://127.0.0.1:{env['CUSTOMSNET_BOLT_PORT']}" in status.stdout
    assert re.search(r"pid:\s+\d+", status.stdout)
    assert "runtime:  local" in status.stdout


def test_second_start_is_a_no_op(cli):
    env, cwd = cli
    pid_before = runtime.local_server(settings_for(env, cwd)).pid()
    done = run_cli(env, cwd, "db", "start")
    assert done.returncode == 0, done.stderr
    assert "already running" in done.stderr
    assert runtime.local_server(settings_for(env, cwd)).pid() == pid_before


def test_password_is_private_and_printed_only_by_db_password(cli):
    env, cwd = cli
    settings = settings_for(env, cwd)
    path = runtime.password_file(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = path.read_text().strip()
    assert len(stored) >= 8
    shown = run_cli(env, cwd, "db", "password")
    assert shown.returncode == 0 and shown.stdout.strip() == stored
    for args in (("db", "status"), ("db", "browser")):
        out = run_cli(env, cwd, *args)
        assert stored not in out.stdout + out.stderr
    assert stored not in (runtime.local_home(settings) / "conf" / "neo4j.conf").read_text()


def test_browser_is_served_and_discovery_names_our_ports(cli):
    env, cwd = cli
    url = run_cli(env, cwd, "db", "browser").stdout.strip()
    assert url == f"http://127.0.0.1:{env['CUSTOMSNET_HTTP_PORT']}/browser/"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        assert "<title>Neo4j Browser</title>" in response.read().decode()
    request = urllib.request.Request(url.removesuffix("browser/"), headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        discovery = json.loads(response.read())
    assert discovery["bolt_direct"] == f"bolt://127.0.0.1:{env['CUSTOMSNET_BOLT_PORT']}"
    assert discovery["neo4j_edition"] == "community"


def test_wrong_password_is_refused_and_the_stored_one_works(cli):
    env, cwd = cli
    settings = settings_for(env, cwd)
    with Graph(f"bolt://127.0.0.1:{settings.bolt_port}", "neo4j", "not-the-password") as wrong:
        with pytest.raises(GraphError, match="refused the credentials"):
            wrong.verify()
    with Graph.connect(settings) as graph:
        assert graph.read("RETURN 1 AS one") == [{"one": 1}]


def test_server_listens_on_loopback_only(cli):
    env, cwd = cli
    pid = runtime.local_server(settings_for(env, cwd)).pid()
    assert pid is not None
    sockets = listening_sockets(pid)
    ports = {port for _, port in sockets}
    assert {int(env["CUSTOMSNET_BOLT_PORT"]), int(env["CUSTOMSNET_HTTP_PORT"])} <= ports
    assert all(is_loopback(address) for address, _ in sockets), sockets


def test_stop_leaves_no_process_and_restart_keeps_the_data(cli):
    env, cwd = cli
    settings = settings_for(env, cwd)
    home = runtime.local_home(settings)
    with Graph.connect(settings) as graph:
        graph.write("MERGE (:RestartProbe {token: 'kept'})")
    pid = runtime.local_server(settings).pid()

    stopped = run_cli(env, cwd, "db", "stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert not Path(f"/proc/{pid}").exists() or process_alive(pid) is False
    assert processes_using(home) == []
    assert runtime.port_is_free(settings.bolt_port) and runtime.port_is_free(settings.http_port)
    assert run_cli(env, cwd, "db", "status").returncode == 1
    assert "not running" in run_cli(env, cwd, "db", "stop").stdout

    restarted = run_cli(env, cwd, "db", "start")
    assert restarted.returncode == 0, restarted.stderr
    assert "restart" in restarted.stderr
    with Graph.connect(settings) as graph:
        assert graph.read("MATCH (p:RestartProbe) RETURN p.token AS token") == [{"token": "kept"}]
    assert "stopped" in run_cli(env, cwd, "db", "stop").stdout
    assert processes_using(home) == []
