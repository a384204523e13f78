"""Runtime preconditions and safety nets: Java/Maven checks, the jar folder, the password file,
docker-compose.yml, and throwaway servers dying with the process that started them."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from customsnet.config import NEO4J_VERSION, Settings
from customsnet.graph import runtime
from customsnet.graph.runtime.processes import process_alive

REPO_ROOT = Path(__file__).resolve().parents[2]


def fake_executable(folder: Path, name: str, script: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(0o755)
    return path


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment', 17),
        ('java version "1.8.0_392"', 8),
        ('openjdk version "21" 2023-09-19', 21),
    ],
)
def test_java_major_version_reads_old_and_new_schemes(output, major):
    assert runtime.java_major_version(output) == major


def test_java_major_version_refuses_unreadable_output():
    with pytest.raises(runtime.ServerError, match="cannot read a Java version"):
        runtime.java_major_version("command not found")


def test_find_java_refuses_java_8(tmp_path, monkeypatch):
    fake_executable(tmp_path / "jdk8" / "bin", "java", "echo 'java version \"1.8.0_392\"' >&2")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk8"))
    with pytest.raises(runtime.ServerError, match="is Java 8; Neo4j 5.26 needs Java 17 or 21"):
        runtime.find_java()


def test_find_java_without_any_java_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(runtime.ServerError, match="Java 17 or 21 is needed"):
        runtime.find_java()


def test_resolve_jars_without_maven_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(runtime.ServerError, match=r"Maven \(`mvn`\) is needed"):
        runtime.resolve_jars(tmp_path / "lib", NEO4J_VERSION)


def test_resolve_jars_never_deletes_an_unfinished_folder(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "precious.jar").write_bytes(b"not ours")
    with pytest.raises(runtime.ServerError, match="no .complete marker"):
        runtime.resolve_jars(lib, NEO4J_VERSION)
    assert (lib / "precious.jar").read_bytes() == b"not ours"


def test_resolve_jars_refuses_jars_of_another_version(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / runtime.COMPLETE_MARKER).write_text(json.dumps({"version": "5.26.0"}))
    with pytest.raises(runtime.ServerError, match=f"Neo4j 5.26.0, not {NEO4J_VERSION}"):
        runtime.resolve_jars(lib, NEO4J_VERSION)


def test_resolve_jars_reuses_a_complete_folder_without_maven(tmp_path, monkeypatch):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "a.jar").write_bytes(b"x" * 10)
    (lib / runtime.COMPLETE_MARKER).write_text(json.dumps({"version": NEO4J_VERSION}))
    monkeypatch.setenv("PATH", str(tmp_path))  # no mvn: it must not be needed
    resolution = runtime.resolve_jars(lib, NEO4J_VERSION)
    assert (resolution.cached, resolution.jar_count, resolution.total_bytes) == (True, 1, 10)


def test_first_start_stores_a_given_password_privately(tmp_path):
    settings = Settings(password="given-password-1", cache=tmp_path)
    assert runtime.managed_password(settings, create=True) == "given-password-1"
    path = runtime.password_file(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # later runs without NEO4J_PASSWORD still find it
    assert runtime.managed_password(Settings(cache=tmp_path)) == "given-password-1"


def test_first_start_generates_a_password_when_none_is_given(tmp_path):
    assert runtime.managed_password(Settings(cache=tmp_path)) is None
    generated = runtime.managed_password(Settings(cache=tmp_path), create=True)
    assert generated and len(generated) >= 8
    assert runtime.managed_password(Settings(cache=tmp_path), create=True) == generated


def test_compose_file_binds_loopback_and_holds_no_password():
    text = (REPO_ROOT / "docker-compose.yml").read_text()
    neo4j = yaml.safe_load(text)["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:${CUSTOMSNET_NEO4J_VERSION:-" + NEO4J_VERSION + "}-community"
    assert all(port.startswith("127.0.0.1:") for port in neo4j["ports"])
    assert neo4j["environment"]["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD:?")
    assert "healthcheck" in neo4j


def test_compose_file_confines_load_csv_unless_opted_in():
    environment = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())["services"]["neo4j"]["environment"]
    assert environment["NEO4J_server_directories_import"] == "/var/lib/neo4j/import"
    assert environment["NEO4J_dbms_security_allow__csv__import__from__file__urls"] == (
        "${CUSTOMSNET_NEO4J_ALLOW_FILE_LOAD:-false}"
    )
    # "-" not ":-": an empty value (the URL opt-in) must stay empty, not fall back to blocking all
    assert (
        environment["NEO4J_internal_dbms_cypher__ip__blocklist"] == "${CUSTOMSNET_NEO4J_URL_BLOCKLIST-0.0.0.0/0,::/0}"
    )
    from customsnet.graph.runtime.docker import compose_env

    default = compose_env(Settings())
    assert default["CUSTOMSNET_NEO4J_ALLOW_FILE_LOAD"] == "false"
    assert default["CUSTOMSNET_NEO4J_URL_BLOCKLIST"] == "0.0.0.0/0,::/0"
    opted_in = compose_env(Settings(allow_file_load=True, allow_url_load=True))
    assert opted_in["CUSTOMSNET_NEO4J_ALLOW_FILE_LOAD"] == "true" and opted_in["CUSTOMSNET_NEO4J_URL_BLOCKLIST"] == ""


@pytest.mark.slow
def test_throwaway_server_dies_with_the_process_that_started_it(tmp_path):
    settings = Settings.from_env()
    lib = runtime.local_lib(settings)
    runtime.resolve_jars(lib, settings.neo4j_version)
    home = tmp_path / "home"
    starter = textwrap.dedent(
        """
        import sys, time
        from pathlib import Path
        from customsnet.graph import runtime
        local = runtime.LocalServer(Path(sys.argv[1]), Path(sys.argv[2]), runtime.free_port(), runtime.free_port(),
                                   heap_initial="256m", pagecache="128m", die_with_parent=True)
        local.start(sys.argv[3], timeout=180)
        print("ready", flush=True)
        time.sleep(600)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", starter, str(home), str(lib), "throwaway-" + os.urandom(6).hex()],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
        pid = int((home / "run" / "customsnet.pid").read_text())
        assert process_alive(pid)
    finally:
        process.kill()  # like a CI timeout: no finalizer runs
        process.wait()
    deadline = time.monotonic() + 60
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not process_alive(pid), f"Neo4j (pid {pid}) outlived the process that started it"


@pytest.mark.slow
def test_db_scratch_runs_a_command_against_a_throwaway_server_and_removes_it(tmp_path):
    probe = textwrap.dedent(
        """
        import os, sys
        from customsnet.graph.connection import Graph
        with Graph.connect() as graph:
            graph.write("CREATE (:ScratchProbe)")
            info = graph.server_info()
        print(os.environ["NEO4J_URI"], info["version"], info["edition"], flush=True)
        sys.exit(3)
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    temp = tmp_path / "temp"  # the throwaway home is made here, so we can see it is gone
    temp.mkdir()
    env["TMPDIR"] = str(temp)
    done = subprocess.run(
        [sys.executable, "-m", "customsnet.cli", "db", "scratch", "--", sys.executable, "-c", probe],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr  # the command's own exit code
    uri, version, edition = done.stdout.split()
    assert version.startswith("5.26.") and edition == "community"
    assert runtime.port_is_free(int(uri.rsplit(":", 1)[1])), "the throwaway server still listens"
    assert list(temp.iterdir()) == [], "the throwaway home was not deleted"
