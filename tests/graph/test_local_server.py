"""LocalServer pieces that fail fast: configuration, refusals, start failures and timeouts.

Uses the cached jars and private homes under tmp_path; each JVM started here is gone at the end.
"""

from __future__ import annotations

import hashlib
import socket

import pytest

from customsnet.config import Settings
from customsnet.graph import runtime
from customsnet.graph.runtime import local as local_module
from customsnet.graph.runtime.processes import process_alive


@pytest.fixture(scope="module")
def jars():
    settings = Settings.from_env()
    return runtime.resolve_jars(runtime.local_lib(settings), settings.neo4j_version).lib


def make_server(tmp_path, jars, **memory) -> runtime.LocalServer:
    return runtime.LocalServer(tmp_path / "home", jars, runtime.free_port(), runtime.free_port(), **memory)


def test_conf_binds_loopback_with_auth_and_no_usage_report(tmp_path, jars):
    local = make_server(tmp_path, jars)
    settings = dict(line.split("=", 1) for line in local.neo4j_conf().splitlines() if "=" in line)
    assert settings["server.default_listen_address"] == "127.0.0.1"
    assert settings["server.bolt.listen_address"] == f"127.0.0.1:{local.bolt_port}"
    assert settings["server.http.listen_address"] == f"127.0.0.1:{local.http_port}"
    assert settings["server.https.enabled"] == "false"
    assert settings["dbms.security.auth_enabled"] == "true"
    assert settings["dbms.usage_report.enabled"] == "false"
    assert all(value.startswith("127.0.0.1") for key, value in settings.items() if key.endswith("_address"))


def conf_settings(local) -> dict[str, str]:
    return dict(line.split("=", 1) for line in local.neo4j_conf().splitlines() if "=" in line)


def test_conf_confines_load_csv_to_the_home_import_dir_with_urls_blocked(tmp_path, jars):
    local = make_server(tmp_path, jars)
    settings = conf_settings(local)
    assert settings["server.directories.import"] == str(tmp_path / "home" / "import")
    assert settings["dbms.security.allow_csv_import_from_file_urls"] == "false"
    assert settings["internal.dbms.cypher_ip_blocklist"] == "0.0.0.0/0,::/0"


def test_conf_opt_ins_allow_file_urls_in_the_import_dir_and_outbound_urls(tmp_path, jars):
    local = runtime.LocalServer(tmp_path / "home", jars, 1, 2, load_policy=runtime.LoadPolicy(files=True, urls=True))
    settings = conf_settings(local)
    assert settings["dbms.security.allow_csv_import_from_file_urls"] == "true"
    assert settings["server.directories.import"] == str(tmp_path / "home" / "import")  # still confined
    assert "internal.dbms.cypher_ip_blocklist" not in settings


def test_the_managed_server_reads_the_opt_ins_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("CUSTOMSNET_NEO4J_ALLOW_URL_LOAD", raising=False)
    monkeypatch.setenv("CUSTOMSNET_NEO4J_ALLOW_FILE_LOAD", "yes")
    monkeypatch.setenv("CUSTOMSNET_CACHE_DIR", str(tmp_path))
    settings = Settings.from_env(tmp_path / ".env")
    assert runtime.local_server(settings).load_policy == runtime.LoadPolicy(files=True, urls=False)
    assert runtime.local_server(Settings(cache=tmp_path)).load_policy == runtime.LoadPolicy()


def test_port_is_free_sees_a_listening_socket():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert not runtime.port_is_free(sock.getsockname()[1])
    assert runtime.port_is_free(runtime.free_port())


def test_start_refuses_a_lib_without_resolved_jars(tmp_path):
    empty = tmp_path / "lib"
    empty.mkdir()
    local = runtime.LocalServer(tmp_path / "home", empty, runtime.free_port(), runtime.free_port())
    with pytest.raises(runtime.ServerError, match="no resolved Neo4j jars"):
        local.start("long-enough-password")


def stored_password_matches(auth_ini: str, password: str) -> bool:
    """Check neo4j's ``auth.ini`` line against ``password`` (Shiro SimpleHash: salted, iterated SHA-256)."""
    user, credentials, _ = auth_ini.strip().split(":")
    algorithm, stored, salt, iterations = credentials.split(",")
    assert user == "neo4j" and algorithm == "SHA-256"
    digest = hashlib.sha256(bytes.fromhex(salt) + password.encode("utf-8")).digest()
    for _ in range(int(iterations) - 1):
        digest = hashlib.sha256(digest).digest()
    return digest.hex() == stored


@pytest.mark.parametrize("password", ["-dash-first-password", 'with "quotes", back\\slash # and spaces'])
def test_initial_password_is_stored_exactly_and_never_left_on_disk(tmp_path, jars, password):
    local = make_server(tmp_path, jars)
    local.prepare()
    local.set_initial_password(password)
    auth_ini = (local.home / "data" / "dbms" / "auth.ini").read_text()
    assert stored_password_matches(auth_ini, password)
    assert not stored_password_matches(auth_ini, password + "x")
    # the argfile that carried it to the admin tool (instead of its command line) is gone
    assert not list((local.home / "run").iterdir())


def test_short_password_is_refused_before_java_runs(tmp_path, jars):
    with pytest.raises(runtime.ServerError, match="at least 8 characters"):
        make_server(tmp_path, jars).set_initial_password("short")


def test_a_server_that_dies_at_start_reports_its_log(tmp_path, jars):
    local = make_server(tmp_path, jars, heap_max="1x")  # the JVM rejects -Xmx1x at once
    (local.home / "data" / "databases" / "system").mkdir(parents=True)  # skip the password step
    with pytest.raises(runtime.ServerError, match=r"(?s)exited with code \d+.*Invalid maximum heap size"):
        local.start("long-enough-password", timeout=60)
    assert local.pid() is None


def test_a_start_timeout_stops_the_half_started_server(tmp_path, jars):
    local = make_server(tmp_path, jars)
    (local.home / "data" / "databases" / "system").mkdir(parents=True)  # skip the password step
    with pytest.raises(runtime.ServerError, match="did not answer .* within 0 s"):
        local.start("long-enough-password", timeout=0.3)
    assert local.pid() is None
    assert not local.pid_file.exists()


def test_throwaway_instances_share_jars_but_not_data(graph, neo4j_connection, jars):
    from customsnet.graph.connection import Graph

    with runtime.throwaway_instance() as other:
        assert other.server.lib == jars and other.resolution.cached
        assert other.uri != neo4j_connection.uri
        with Graph(other.uri, "neo4j", other.password) as other_graph:
            other_graph.write("CREATE (:IsolationProbe {run: 'other'})")
            assert other_graph.read("MATCH (n:IsolationProbe) RETURN count(n) AS n") == [{"n": 1}]
        assert graph.read("MATCH (n:IsolationProbe) RETURN count(n) AS n") == [{"n": 0}]
        home, pid = other.server.home, other.start.pid
    assert not home.exists()
    assert not process_alive(pid)


def test_a_port_taken_after_the_check_is_reported_as_in_use(tmp_path, jars, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        local = runtime.LocalServer(
            tmp_path / "home",
            jars,
            sock.getsockname()[1],
            runtime.free_port(),
            heap_initial="256m",
            heap_max="512m",
            pagecache="64m",
        )
        monkeypatch.setattr(local_module, "port_is_free", lambda port, host="127.0.0.1": True)  # lose the race
        with pytest.raises(runtime.ServerError, match=r"(?s)could not bind .*already in use.*PortBindException"):
            local.start("long-enough-password", timeout=120)
    assert local.pid() is None
