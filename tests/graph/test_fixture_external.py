"""With NEO4J_URI set, the fixtures use that server and start nothing (checked in a nested pytest run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_neo4j_uri_makes_the_fixtures_use_that_server(neo4j_connection, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(
        NEO4J_URI=neo4j_connection.uri, NEO4J_USER=neo4j_connection.user, NEO4J_PASSWORD=neo4j_connection.password
    )
    # a private cache: if the nested run started a local server, its jars/home would show up here
    env["CUSTOMSNET_CACHE_DIR"] = str(tmp_path / "cache")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(TESTS / "graph" / "test_fixture.py"),
            "-p",
            "no:cacheprovider",
            "-k",
            "not shared_dir",
        ],
        env=env,
        cwd=TESTS.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert f"neo4j: external server {neo4j_connection.uri} (NEO4J_URI)" in done.stdout
    assert f"at {neo4j_connection.uri} (external {neo4j_connection.uri})" in done.stdout
    assert "2 passed" in done.stdout
    assert "Neo4j started in" not in done.stdout
    assert not (tmp_path / "cache").exists()
