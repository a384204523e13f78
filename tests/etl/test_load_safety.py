"""Loads that cannot lose data they should keep (issue #14), through a real Neo4j.

Each test reproduces one attack class of the issue: rollbacks that delete another source's data,
concurrent loads, files of one kind replacing each other, killed loads leaving rows for good,
empty or cut-off files deleting a source, unbounded inputs, misleading messages; and a
fault-injection test that kills loads at random batches.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from rich.console import Console
from test_load import (
    counts,
    everything,
    kill_hard,
    observations,
    result_with,
    start_blocked_load,
)

from customsnet.cli import main
from customsnet.commands.load import summary_table
from customsnet.etl.countries import cached_resolver
from customsnet.etl.detect import read_source
from customsnet.etl.load import (
    TEST_BLOCK_ENV,
    LoadError,
    ShrinkError,
    load_result,
    unload_source,
)
from customsnet.etl.load_directory import load_directory, load_file
from customsnet.etl.lock import LoadLockedError
from customsnet.graph.connection import Graph
from customsnet.graph.schema import clear_database


def summary_text(outcomes) -> str:
    """The CLI's summary table as plain text."""
    console = Console(record=True, width=240)
    console.print(summary_table(outcomes))
    return console.export_text()


SHARED_CMAA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cmaa"
IGNORE = ("loaded_at", "load_id")  # what differs between a recovered graph and a clean load


def trade_frame(isos: list[str], year: int = 2000, scale: float = 1.0) -> pd.DataFrame:
    """One dyad-year per pair of ``isos`` (n(n-1)/2 rows)."""
    pairs = [(a, b) for a in isos for b in isos if a < b]
    return pd.DataFrame(
        [
            {"iso1": a, "iso2": b, "year": year, "value": scale * (i + 1), "flow1": None, "flow2": None, "row": i + 1}
            for i, (a, b) in enumerate(pairs)
        ]
    )


def shared_nodes(graph) -> dict:
    """The nodes no rollback may delete: the system, the built-in Source, the EU."""
    return {
        "system": graph.read("MATCH (s:System {name: 'interstate'}) RETURN count(s) AS n")[0]["n"],
        "builtin": graph.read("MATCH (s:Source {name: 'customsnet'}) RETURN count(s) AS n")[0]["n"],
        "eu": graph.read("MATCH (:Country {iso3: 'EU'})-[m:MEMBER_OF_SYSTEM]->() RETURN count(m) AS n")[0]["n"],
    }


# ------------------------------------------------------------------ 3. isolation and the lock
def test_cleaning_up_a_killed_load_keeps_countries_another_source_uses(empty, neo4j_connection, tmp_path, rejects_dir):
    isos = [f"K{i:02d}" for i in range(30)]
    trade = result_with({"trade": trade_frame(isos)}, sha="1" * 64, file="trade_k.csv")
    kill_hard(start_blocked_load(neo4j_connection, trade, tmp_path, rejects_dir, after_batch=3))
    # the killed trade load created the K countries; V-Dem-like facts now hang off them
    obs = result_with(
        {"observations": observations({(iso, 1990): 0.5 for iso in isos})}, sha="2" * 64, file="obs_k.csv"
    )
    report = load_result(empty, obs, rejects_dir=rejects_dir)
    assert any("took over the lock" in note for note in report.notes)  # the dead child's lock
    assert load_result(empty, trade, rejects_dir=rejects_dir).previous == "recovered"

    attached = empty.read("MATCH (:Country)-[:HAS_OBSERVATION]->(o:Observation) RETURN count(o) AS n")[0]["n"]
    assert attached == len(isos)
    assert shared_nodes(empty) == {"system": 1, "builtin": 1, "eu": 1}
    assert counts(empty)["[:TRADE]"] == len(trade.frames["trade"])

    # a failed load (rolled back) of a trade file on the same countries: the observations stay
    bad = trade_frame(isos, year=2001)
    bad["value"] = bad["value"].astype(object)
    bad.at[len(bad) - 1, "value"] = [1, "x"]  # the server refuses a mixed list: the last batch fails
    before = everything(empty)
    with pytest.raises(LoadError, match="rolled back"):
        load_result(
            empty,
            result_with({"trade": bad}, sha="3" * 64, file="trade_k2.csv"),
            rejects_dir=rejects_dir,
            batch_size=50,
        )
    assert everything(empty) == before


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_a_second_load_is_refused_while_one_runs_and_ctrl_c_rolls_back(empty, neo4j_connection, tmp_path, rejects_dir):
    load_result(
        empty,
        result_with({"observations": observations({("FRA", 1990): 0.9, ("DEU", 1990): 0.8})}, file="other.csv"),
        rejects_dir=rejects_dir,
    )
    before = everything(empty)
    data = tmp_path / "cow_trade_ndy_fixture.csv"
    rows = [f"{a},{b},2000,{a + b}.5,1" for a in (2, 20, 200, 220, 255) for b in (2, 20, 200, 220, 255) if a < b]
    data.write_text('"ccode1","ccode2","year","flow1","flow2"\n' + "\n".join(rows) + "\n", encoding="utf-8")
    env = {
        **os.environ,
        TEST_BLOCK_ENV: "2",
        "NEO4J_URI": neo4j_connection.uri,
        "NEO4J_USER": neo4j_connection.user,
        "NEO4J_PASSWORD": neo4j_connection.password,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    cli = "import sys; from customsnet.cli import main; main()"
    child = subprocess.Popen(
        [sys.executable, "-c", cli, "--quiet", "load", "trade", str(data), "--rejects-dir", str(rejects_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        # a shell that starts jobs in the background (nohup, `&` without job control) ignores SIGINT,
        # and the child would inherit that and never see the Ctrl-C below; give it the default back
        preexec_fn=_default_sigint,
    )
    seen = []
    for line in child.stdout:  # type: ignore[union-attr]
        seen.append(line)
        if line.startswith("blocked after batch 2"):
            break
    else:
        pytest.fail(f"the CLI load ended (exit {child.wait()}) before blocking: {''.join(seen)}")
    assert empty.read("MATCH ()-[t:TRADE]->() RETURN count(t) AS n")[0]["n"] == len(rows)  # written, not finished

    with pytest.raises(LoadLockedError, match=rf"load of cow_trade:cow_trade_ndy_fixture .*pid {child.pid}"):
        load_result(
            empty,
            result_with({"observations": observations({("ITA", 1990): 0.7})}, file="third.csv"),
            rejects_dir=rejects_dir,
        )
    child.send_signal(signal.SIGINT)  # Ctrl-C
    try:
        output, _ = child.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        child.kill()
        pytest.fail(f"the CLI load did not stop within 120 s of Ctrl-C: {''.join(seen)}")
    assert child.returncode == 130, output
    assert "interrupted (Ctrl-C); rolled back" in output and "protocol" not in output.lower(), output
    assert everything(empty) == before  # the trade facts gone, the other source exactly as it was
    assert empty.read("MATCH (l:LoadLock) RETURN count(l) AS n")[0]["n"] == 0


# ------------------------------------------------------------------ 4 and #10.6: agreements across files
SEED = """country_a,country_b,year_signed,date_signed,date_in_force,date_kind,source_url,evidence
CAN,USA,1984,1984-06-20,1985-01-08,signed+in_force,https://a.example/1,seed
JPN,DEU,,,,exists_only,https://a.example/2,seed
ZAF,IND,,,2005-03-01,in_force_only,https://a.example/3,seed
KOR,NLD,,,,exists_only,https://a.example/4,seed
"""
PUBLIC = """country_a,country_b,year_signed,date_signed,date_in_force,date_kind,source_url,evidence
CAN,USA,1984,1984-06-20,1985-01-08,signed+in_force,https://b.example/1,public
DEU,JPN,2014,2014-11-19,2014-12-19,signed+in_force,https://b.example/2,public (dated)
IND,ZAF,,,2005-03-01,in_force_only,https://b.example/3,public
KOR,NLD,,,,exists_only,https://b.example/4,public
TKM,UZB,1996,,,signed,https://b.example/5,public
TKM,UZB,2015,,,signed,https://b.example/6,public
"""


def agreements(graph) -> dict[str, dict]:
    rows = graph.read(
        "MATCH (a:Agreement) OPTIONAL MATCH (a)-[c:FROM_SOURCE]->(s:Source) "
        "WITH a, collect(s.name) AS claims RETURN a.id AS id, a.pair AS pair, a.signed AS signed, "
        "a.source AS source, claims ORDER BY id"
    )
    return {row["id"]: {**row, "claims": sorted(row["claims"])} for row in rows}


def load_csv(graph, path: Path, rejects: Path, **options):
    result = read_source("cmaa", path, cached_resolver())
    return load_result(graph, result, rejects_dir=rejects, **options)


def test_a_second_cmaa_file_names_the_same_agreements_and_cannot_delete_the_firsts(empty, tmp_path, rejects_dir):
    seed, public = tmp_path / "cmaa_seed.csv", tmp_path / "cmaa_public.csv"
    seed.write_text(SEED, encoding="utf-8")
    public.write_text(PUBLIC, encoding="utf-8")
    load_csv(empty, seed, rejects_dir)
    report = load_csv(empty, public, rejects_dir)
    assert (
        "4 agreement(s) already in the graph (1 of them dated differently there): this file's claims join those "
        "nodes" in report.notes
    )
    found = agreements(empty)
    assert len(found) == 6  # one node per real agreement: 4 named by both files, UZB-TKM twice (1996, 2015)
    both = {"cmaa:cmaa_public", "cmaa:cmaa_seed"}
    assert sorted(a["pair"] for a in found.values() if set(a["claims"]) == both) == [
        "CAN-USA",
        "DEU-JPN",
        "IND-ZAF",
        "KOR-NLD",
    ]
    deu_jpn = next(a for a in found.values() if a["pair"] == "DEU-JPN")
    assert deu_jpn["signed"].to_native() == dt.date(2014, 11, 19) and deu_jpn["source"] == "cmaa:cmaa_public"
    tie = empty.read(
        "MATCH (:Country {iso3: 'DEU'})-[t:CMAA]->(:Country {iso3: 'JPN'}) RETURN t.since AS since, "
        "t.sources AS sources"
    )
    assert tie == [{"since": 2014, "sources": sorted(both)}]  # one tie, dated by the dated claim
    assert counts(empty)["[:CMAA]"] == 6

    # a much shorter version of the second file: only the first file's agreements are left
    public.write_text("\n".join(PUBLIC.splitlines()[:2]) + "\n", encoding="utf-8")
    with pytest.raises(ShrinkError):
        load_csv(empty, public, rejects_dir)
    load_csv(empty, public, rejects_dir, allow_shrink=True)
    found = agreements(empty)
    assert sorted(a["pair"] for a in found.values()) == ["CAN-USA", "DEU-JPN", "IND-ZAF", "KOR-NLD"]
    assert all("cmaa:cmaa_seed" in a["claims"] for a in found.values())
    deu_jpn = next(a for a in found.values() if a["pair"] == "DEU-JPN")
    assert deu_jpn["signed"] is None and deu_jpn["claims"] == ["cmaa:cmaa_seed"]  # back to the seed's word
    assert counts(empty)["[:CMAA]"] == 4
    # and loading the seed again finds the graph exact
    assert load_csv(empty, seed, rejects_dir).previous == "same"

    # unloading the seed leaves what the public file still names, and nothing else of the seed
    kept = {a["pair"] for a in agreements(empty).values() if "cmaa:cmaa_public" in a["claims"]}
    deleted = unload_source(empty, "cmaa:cmaa_seed")
    assert deleted == {"FROM_SOURCE": 4}
    assert {a["pair"] for a in agreements(empty).values()} == kept == {"CAN-USA"}
    assert counts(empty)["[:CMAA]"] == 1 and shared_nodes(empty) == {"system": 1, "builtin": 1, "eu": 1}
    assert empty.read("MATCH (s:Source {name: 'cmaa:cmaa_seed'}) RETURN count(s) AS n") == [{"n": 0}]


@pytest.mark.skipif(not (SHARED_CMAA / "cmaa_public_sources.csv").is_file(), reason="../shared/data/cmaa absent")
@pytest.mark.parametrize("order", [("seed", "public"), ("public", "seed")])
def test_the_shared_seed_and_public_lists_give_one_agreement_node_each(empty, rejects_dir, order):
    files = {"seed": SHARED_CMAA / "cmaa_seed_public_sources.csv", "public": SHARED_CMAA / "cmaa_public_sources.csv"}
    reports = {name: load_csv(empty, files[name], rejects_dir) for name in order}
    found = agreements(empty)
    public_rows = reports["public"].rows_loaded
    print(
        f"order {order}: {len(found)} Agreement nodes; seed {reports['seed'].rows_loaded} agreements, "
        f"public {public_rows}; notes {reports[order[1]].notes}"
    )
    seed_name, public_name = "cmaa:cmaa_seed_public_sources", "cmaa:cmaa_public_sources"
    named_by_seed = [a for a in found.values() if seed_name in a["claims"]]
    assert len(found) == public_rows  # the public list is a superset: no node of the seed's alone
    assert len(named_by_seed) == reports["seed"].rows_loaded
    assert all(public_name in a["claims"] for a in named_by_seed)
    assert counts(empty)["[:CMAA]"] == len(found)  # one tie per bilateral agreement


# ------------------------------------------------------------------ 5. killed loads leave nothing for good
def test_kill_9_during_a_changed_file_then_reloading_the_original_leaves_no_stale_rows(
    empty, neo4j_connection, tmp_path, rejects_dir
):
    isos = [f"T{i:02d}" for i in range(30)]
    original = result_with({"trade": trade_frame(isos)}, sha="1" * 64, file="cow_trade.csv")
    changed_frame = pd.concat([trade_frame(isos, scale=2.0), trade_frame(isos, year=2001)], ignore_index=True)
    changed = result_with({"trade": changed_frame}, sha="2" * 64, file="cow_trade.csv")
    load_result(empty, original, rejects_dir=rejects_dir)
    clean = everything(empty, ignore=IGNORE)

    kill_hard(start_blocked_load(neo4j_connection, changed, tmp_path, rejects_dir, after_batch=3))
    mixed = empty.read("MATCH ()-[t:TRADE]->() RETURN t.version AS v, count(*) AS n ORDER BY v")
    assert {row["v"] for row in mixed} == {"1" * 16, "2" * 16}  # killed midway: both versions in the graph

    report = load_result(empty, original, rejects_dir=rejects_dir)
    assert report.previous == "recovered" and report.stale_deleted > 0  # not "same file"
    assert everything(empty, ignore=IGNORE) == clean


# ------------------------------------------------------------------ 6. empty or cut-off files
VDEM_HEADER = '"country_name","country_text_id","country_id","year","v2x_polyarchy","v2x_civlib","v2x_corr"\n'


def vdem_rows(n: int) -> str:
    return "".join(f'"France","FRA",76,{1980 + i},0.904,0.9,0.1\n' for i in range(n))


def test_header_only_truncated_and_much_smaller_files_are_refused(empty, cli_env, tmp_path, rejects_dir):
    path = tmp_path / "vdemlite_x.csv"
    path.write_text(VDEM_HEADER + vdem_rows(20), encoding="utf-8")
    cli = ["--quiet", "load", "vdem", str(path), "--rejects-dir", str(rejects_dir)]
    assert CliRunner().invoke(main, cli).exit_code == 0
    before = everything(empty)

    attempts = {
        "header only": (VDEM_HEADER, "no data rows to load"),
        "cut inside the last field": (VDEM_HEADER + vdem_rows(20)[:-4], "last line has no line end"),
        "cut inside a quoted field": (VDEM_HEADER + vdem_rows(19) + '"Fra', "truncated file"),
        "far fewer rows": (VDEM_HEADER + vdem_rows(12), "12 rows where the version in the graph has 20"),
    }
    for what, (text, message) in attempts.items():
        path.write_text(text, encoding="utf-8")
        outcome = CliRunner().invoke(main, cli)
        assert outcome.exit_code == 1, (what, outcome.output)
        assert message in " ".join(outcome.output.split()) and "vdemlite_x.csv" in outcome.output, (
            what,
            outcome.output,
        )
        assert everything(empty) == before, what
    stored = empty.read("MATCH (o:Observation {variable: 'polyarchy'}) RETURN collect(DISTINCT o.value) AS v")
    assert stored == [{"v": [0.904]}]

    path.write_text(VDEM_HEADER + vdem_rows(12), encoding="utf-8")
    assert CliRunner().invoke(main, [*cli, "--allow-shrink"]).exit_code == 0
    assert counts(empty)[":Observation"] == 12 * 3


# ------------------------------------------------------------------ 8. bounded work
def test_an_oversized_file_is_refused_by_name_while_load_all_loads_the_rest(empty, tmp_path, rejects_dir):
    data = tmp_path / "data"
    (data / "vdem").mkdir(parents=True)
    (data / "vdem" / "vdemlite_small.csv").write_text(VDEM_HEADER + vdem_rows(5), encoding="utf-8")
    huge = data / "vdem" / "vdemlite_huge.csv"
    with open(huge, "wb") as handle:  # sparse: 3 GiB on paper, a few bytes on disk
        handle.write(VDEM_HEADER.encode() + vdem_rows(1).encode())
        handle.truncate(3 << 30)
    started = time.monotonic()
    outcomes = load_directory(empty, data, rejects_dir=rejects_dir)
    seconds = time.monotonic() - started
    by_name = {o.file.path.name: o for o in outcomes}
    assert by_name["vdemlite_small.csv"].report is not None
    error = by_name["vdemlite_huge.csv"].error
    assert error and "vdemlite_huge.csv" in error and "3.00 GiB is over the 1.00 GiB limit" in error
    assert counts(empty)[":Observation"] == 15
    assert seconds < 60, "the huge file must be refused before it is read"
    print(f"sparse 3 GiB file refused in a load all of {seconds:.1f} s")


# ------------------------------------------------------------------ 10. messages
class DyingGraph(Graph):
    """A connection whose server 'goes away' after some batches: it is closed under the load."""

    def __init__(self, *args, die_after: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.die_after = die_after
        self.batches = 0

    def write_batches(self, query, rows, batch_size=5000, progress=None, **params):
        def counting(n: int) -> None:
            self.batches += 1
            if progress:
                progress(n)
            if self.batches == self.die_after:
                self.close()  # the driver is closed: the server is gone mid-load

        return super().write_batches(query, rows, batch_size=batch_size, progress=counting, **params)


def test_a_load_cut_off_from_the_server_says_part_of_it_may_remain(empty, neo4j_connection, tmp_path, rejects_dir):
    other = result_with({"observations": observations({("FRA", 1950): 0.3, ("USA", 1950): 0.7})}, file="other.csv")
    load_result(empty, other, rejects_dir=rejects_dir)
    other_before = empty.read("MATCH (o:Observation {source: 'test:other'}) RETURN properties(o) AS o ORDER BY o.key")
    path = tmp_path / "vdemlite_dying.csv"
    path.write_text(VDEM_HEADER + vdem_rows(30), encoding="utf-8")
    resolver = cached_resolver()
    with DyingGraph(neo4j_connection.uri, neo4j_connection.user, neo4j_connection.password, die_after=2) as dying:
        outcome = load_file(dying, "vdem", path, resolver, rejects_dir=rejects_dir)
    assert outcome.partial and "so did its rollback" in outcome.error and "the next load of" in outcome.error
    assert empty.read("MATCH (o:Observation) RETURN count(o) AS n")[0]["n"] > 0  # part of it is there
    text = summary_text([outcome])
    assert "part of it may remain" in text and "nothing written" not in text
    # the next load of the source cleans up and converges
    report = load_file(empty, "vdem", path, resolver, rejects_dir=rejects_dir).report
    assert report is not None and report.previous == "recovered"
    assert counts(empty)[":Observation"] == 90 + 2
    assert (
        empty.read("MATCH (o:Observation {source: 'test:other'}) RETURN properties(o) AS o ORDER BY o.key")
        == other_before
    )  # the failed rollback and the clean-up left the other source alone


# ------------------------------------------------------------------ fault injection
@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_killing_a_load_at_a_random_batch_then_reloading_equals_a_clean_load(
    empty, neo4j_connection, tmp_path, rejects_dir, seed
):
    isos = [f"F{i:02d}" for i in range(25)]
    other = result_with(
        {"observations": observations({(iso, 1990): 0.1 for iso in isos})}, sha="a" * 64, file="obs_f.csv"
    )
    v1 = result_with({"trade": trade_frame(isos)}, sha="1" * 64, file="trade_f.csv")
    v2 = result_with(
        {"trade": pd.concat([trade_frame(isos[:20], scale=3.0), trade_frame(isos, year=2001)], ignore_index=True)},
        sha="2" * 64,
        file="trade_f.csv",
    )
    for result in (other, v1, v2):
        load_result(empty, result, rejects_dir=rejects_dir)
    clean = everything(empty, ignore=IGNORE)
    clear_database(empty)

    for result in (other, v1):
        load_result(empty, result, rejects_dir=rejects_dir)
    batches = 1 + -(-len(v2.frames["trade"]) // 100)  # referenced countries + trade batches of 100
    kill_at = random.Random(seed).randint(1, batches - 1)
    kill_hard(start_blocked_load(neo4j_connection, v2, tmp_path, rejects_dir, after_batch=kill_at))
    report = load_result(empty, v2, rejects_dir=rejects_dir)
    print(
        f"seed {seed}: killed after batch {kill_at} of {batches}; reload {report.previous}, "
        f"{report.stale_deleted} stale facts deleted"
    )
    assert report.previous == "recovered"
    assert everything(empty, ignore=IGNORE) == clean
