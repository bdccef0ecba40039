"""What a user waits for before anything is simulated: imports, and compiling the fast engine once.

A command imports what it uses when it uses it (`cxsim validate` needs no engine; a fast run no
SimPy, no scipy.stats, no charts, and no pandas, scipy.special or scipy.linalg: issue 16's start-up),
and the first fast run on a machine says that it compiles. The shortcuts that keep those imports
away are checked against what they replace: the same t quantiles, DataFrame, Parquet bytes and summary.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

import cxsim

from cxsim.cli import app
from cxsim.engines.fast import cache

from helpers import ROOT

TINY = ROOT / "tests" / "data" / "tinypop.yaml"


def _modules_after(*args: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``cxsim ARGS`` in-process."""
    script = ("import sys, cxsim.cli\n"
              f"sys.argv = ['cxsim', *{list(args)!r}]\n"
              "try:\n    cxsim.cli.app()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
              "print(','.join(sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.strip().splitlines()[-1].split(","))


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in ("numba", "pandas", "scipy.stats", "scipy.sparse", "simpy", "matplotlib", "jinja2", "joblib")
            if m in modules}


def test_importing_the_command_line_or_the_package_loads_no_numerics():
    """`cxsim --help`, `cxsim validate`, `import cxsim`: none of numpy, pandas, numba, scipy, pyarrow or
    the charts is imported until a command needs it (each costs 0.1–0.5 s of start-up)."""
    script = "import sys, cxsim, cxsim.cli\nprint(','.join(sys.modules))\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = {m.split(".")[0] for m in done.stdout.strip().split(",")}
    assert loaded & {"numpy", "pandas", "numba", "scipy", "pyarrow", "matplotlib", "simpy", "jinja2"} == set()


def test_validate_loads_no_engine():
    assert _heavy(_modules_after("validate", str(TINY))) == set()


def test_a_fast_run_loads_neither_the_reference_engine_nor_scipy_stats_nor_charts(tmp_path):
    modules = _modules_after("run", str(TINY), "--out", str(tmp_path / "out"), "-r", "2")
    assert _heavy(modules) == {"numba"}  # no scipy.sparse either: the lint's Erlang A needs none
    assert (tmp_path / "out" / "encounters.parquet").exists()


def test_a_fast_run_loads_no_pandas_no_scipy_special_or_linalg_and_none_of_numbas_implementations(tmp_path):
    """Issue 16 item 1: what a tiny run (two replications: t-intervals) imports. pandas (0.3 s: the
    metrics, summary and metrics.parquet are made with numpy and Arrow), scipy.special (0.2 s: the t
    quantile is its one C function), scipy.linalg (0.2 s: numba's BLAS check finds cython_blas loaded
    alone) and numba's implementations (0.2 s: loading compiled code from the cache needs none)."""
    for args in (["-r", "2"], ["-r", "2", "--no-tables"]):
        modules = _modules_after("run", str(TINY), "--out", str(tmp_path / "out"), "--force", *args)
        # numba.np.polynomial and numba.misc.cffiimpl come only with numba's implementations (the
        # rest of what the refresh installs is partly imported anyway, by the compiled code's environments)
        assert {"pandas", "scipy.special", "scipy.linalg", "scipy.stats", "numba.np.polynomial",
                "numba.misc.cffiimpl"} & modules == set(), args
        # nor the modules of numba's implementations that the compiled code's environments name
        # (cache._lean_unpickling: ~0.06 s)
        assert {"numba.np.arrayobj", "numba.cpython.unicode", "numba.np.random.generator_methods",
                "numba.np.linalg"} & modules == set(), args
        assert {"numba", "pyarrow", "scipy.linalg.cython_blas", "scipy.special._ufuncs_cxx"} <= modules


def test_the_t_quantile_is_scipys_to_the_bit():
    """stats.t_quantile calls the C function behind scipy.special.stdtrit; the intervals' bounds must not
    move by a bit (summary.json is compared byte for byte across versions)."""
    from scipy.special import ndtri, stdtrit

    from cxsim.stats import _t_ppf_alone, normal_quantile, t_quantile

    assert _t_ppf_alone() is not None  # the route without scipy.special works with the SciPy installed
    for df in [*range(1, 400), 1000, 10_000, 0.5, 2.5]:
        for p in (0.005, 0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975, 0.995):
            assert t_quantile(df, p) == float(stdtrit(df, p)), (df, p)
    assert normal_quantile((1.0 + 0.95) / 2) == float(ndtri(0.975))
    assert normal_quantile(0.9) == float(ndtri(0.9))


def _rows() -> list[dict]:
    """Metric rows as runs finish them: out of order, a metric some runs lack, ints and floats."""
    rows = []
    for rep in (2, 0, 1):
        for policy in ("later", "base"):
            row = {"point": 0, "policy": policy, "replication": rep, "warmup": 0.0, "p_wait": 0.1 * rep + 0.01,
                   "contacts_handled": float(10 + rep)}
            if policy == "base" or rep:
                row["fcr"] = 0.5 + rep / 7
            if rep == 1:
                row["late_metric"] = 3.0
            rows.append(row)
    return rows


@pytest.mark.parametrize("axis", [None, [1, 2], [0.5, 1.5], [1, 2.5], ["a", "b"], [True, False]])
def test_metric_rows_give_pandas_frame_and_its_parquet_bytes(tmp_path, axis):
    """MetricRows.frame() is the DataFrame the runner used to sort; write_parquet the bytes of its
    to_parquet(index=False) (pyarrow alone for ints, floats with gaps and text; pandas otherwise)."""
    import pandas as pd

    from cxsim.experiment.runner import MetricRows

    rows = _rows()
    if axis is not None:  # a sweep: a lever's value per point
        rows = [{**r, "point": point, "lever": value} for point, value in enumerate(axis) for r in rows]
    order = {"base": 0, "later": 1}
    reference = pd.DataFrame(rows).sort_values(
        ["point", "policy", "replication"], key=lambda c: c.map(order) if c.name == "policy" else c,
        kind="stable").reset_index(drop=True)
    ordered = MetricRows.ordered(rows, ["base", "later"])
    pd.testing.assert_frame_equal(ordered.frame(), reference)
    ordered.write_parquet(tmp_path / "mine.parquet")
    reference.to_parquet(tmp_path / "pandas.parquet", index=False)
    assert (tmp_path / "mine.parquet").read_bytes() == (tmp_path / "pandas.parquet").read_bytes()


def test_the_summary_from_rows_is_the_summary_from_the_dataframe():
    """The summary's intervals and paired differences, computed from the rows, equal the ones the
    DataFrame gives (the previous implementation, kept here as the oracle)."""
    import numpy as np

    from cxsim.metric_registry import BINARY
    from cxsim.stats import describe, paired_difference, paired_proportion_difference, proportion

    results = cxsim.run(ROOT / "tests" / "data" / "warmup_pair.yaml", replications=3)  # two policies
    assert len(results.policies) == 2
    frame = results.metrics
    names = results.metric_names()
    block = results.summary()
    for policy in results.policies:
        rows = frame[frame["policy"] == policy]
        expected = {m: (proportion if m in BINARY else describe)(rows[m]) for m in names if rows[m].notna().any()}
        assert block["policies"][policy]["metrics"] == expected
    base = frame[frame["policy"] == results.policies[0]].set_index("replication")
    for other in results.policies[1:]:
        a = frame[frame["policy"] == other].set_index("replication")
        expected = {m: (paired_proportion_difference if m in BINARY else paired_difference)(a[m], base[m])
                    for m in names if a[m].notna().any() and base[m].notna().any()}
        assert block["differences"][f"{other}-{results.policies[0]}"] == expected
    assert np.isfinite(frame[names].to_numpy(dtype=float)).any()


def test_the_first_fast_run_says_it_is_compiling(tmp_path, monkeypatch):
    """Without the stamp of a compiled engine, the run compiles first and says how long it took; then it
    stamps, and the next run says nothing (here numba's cache is warm, so "compiling" only loads it)."""
    monkeypatch.setattr(cache, "COMPILED", tmp_path / "compiled.sha1")
    runner = CliRunner()
    first = runner.invoke(app, ["run", str(TINY), "--out", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    assert "compiling the fast engine" in first.stderr and "compiled the fast engine in" in first.stderr
    assert cache.is_compiled()
    second = runner.invoke(app, ["run", str(TINY), "--out", str(tmp_path / "b")])
    assert second.exit_code == 0 and "compil" not in second.stderr
    assert "engine fast" in second.stdout  # the default engine
    compiled = runner.invoke(app, ["compile"])
    assert compiled.exit_code == 0 and "the fast engine is compiled" in compiled.stdout


def test_the_python_api_defaults_to_the_fast_engine_with_the_reference_one_argument_away():
    import cxsim

    fast = cxsim.run(TINY, replications=1, keep_tables=False)
    reference = cxsim.run(TINY, replications=1, keep_tables=False, engine="simpy")
    assert fast.summary()["engine"] == "fast" and reference.summary()["engine"] == "simpy"
    assert fast.metrics.equals(reference.metrics)  # the same run, number for number


def _fresh_process(script: str) -> str:
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_the_fast_engine_and_its_tables_are_written_without_pandas(tmp_path):
    """Issue 16 item 2: records go from the engine's arrays to Arrow and Parquet in whole columns; pandas
    (0.3 s to import) is not even loaded on that path. Read back, the file holds the run's records."""
    script = ("import sys, json\n"
              "from cxsim.scenario import load_scenario\nfrom cxsim.compiled import compile_scenario\n"
              "from cxsim.engines.fast import simulate\nfrom cxsim.tables import run_tables, write_parquet\n"
              f"p = compile_scenario(load_scenario({str(TINY)!r}))\n"
              "record = simulate(p, 1, 0)\ntables = run_tables(record, p)\n"
              f"write_parquet(__import__('pathlib').Path({str(tmp_path / 'e.parquet')!r}), 'encounters', "
              "[('baseline', 0, tables['encounters'])])\n"
              "print(json.dumps({'pandas': 'pandas' in sys.modules, 'rows': len(record.encounter_rows)}))\n")
    import json

    import pyarrow.parquet as pq

    seen = json.loads(_fresh_process(script))
    assert seen["pandas"] is False
    written = pq.read_table(tmp_path / "e.parquet")
    assert written.num_rows == seen["rows"] > 0
    assert set(written.column("policy").to_pylist()) == {"baseline"}


def test_a_run_loads_one_compiled_engine_entry_point_from_the_cache(tmp_path):
    """Each compiled function loaded from numba's cache costs start-up (the engine's library is ~10 MB):
    a run with tables loads the engine's one entry point and the tables' tally, nothing else; a
    summary-only run the engine alone."""
    script = ("import sys, json\nfrom numba.core import caching\nloaded = []\n"
              "original = caching.Cache._load_overload\n"
              "def load(self, sig, ctx):\n    loaded.append(self._py_func.__name__)\n"
              "    return original(self, sig, ctx)\n"
              "caching.Cache._load_overload = load\nimport cxsim\n"
              f"cxsim.run({str(TINY)!r}, replications=1, keep_tables={{}})\nprint(json.dumps(loaded))\n")
    import json

    _fresh_process(script.format(True))  # on a cold cache this compiles (and tries to load every callee)
    assert json.loads(_fresh_process(script.format(True))) == ["_enter", "add_tables"]
    assert json.loads(_fresh_process(script.format(False))) == ["_enter"]


def test_plans_default_to_the_fast_engine_like_run():
    """Issue 16 item 3: `make_plan` and `points_plan` default to the fast engine, as `cxsim.run` and the CLI do."""
    from cxsim.experiment.plan import make_plan, points_plan
    from cxsim.scenario import load_scenario

    scenario = load_scenario(TINY)
    assert make_plan(scenario).engine == "fast"
    assert points_plan(scenario, [{}], ["baseline"]).engine == "fast"
    assert make_plan(scenario, engine="simpy").engine == "simpy"


def test_the_command_line_starts_without_full_collections_and_runs_with_the_collector_on(tmp_path):
    """A command starts with the garbage collector off (its imports leave nothing to collect; the three
    full collections over them cost ~0.2 s), the runs collect their own garbage with the imports frozen,
    and the command ends with everything frozen (the interpreter's collections at exit cost 0.3 s more)."""
    script = ("import gc, sys, json\nfull = []\nduring = []\nstarted = []\n"
              "gc.callbacks.append(lambda phase, info: started and phase == 'start' and info['generation'] == 2 "
              "and full.append(1))\n"
              "import cxsim.experiment.runner as runner\noriginal = runner._execute\n"
              "def execute(*a, **k):\n    during.append((gc.isenabled(), gc.get_freeze_count() > 50_000))\n"
              "    return original(*a, **k)\n"
              "runner._execute = execute\nimport cxsim.cli\n"
              f"sys.argv = ['cxsim', 'run', {str(TINY)!r}, '--out', {str(tmp_path / 'out')!r}, '-r', '1']\n"
              "started.append(1)\n"  # from here on, as the `cxsim` command (its runner already imported here)
              "try:\n    cxsim.cli.app()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
              "print(json.dumps({'full': len(full), 'during': during, 'after': gc.isenabled(),\n"
              "                  'frozen_at_exit': gc.get_freeze_count() > 50_000}))\n")
    import json

    seen = json.loads(_fresh_process(script))
    assert seen == {"full": 0, "during": [[True, True]], "after": True, "frozen_at_exit": True}


def test_the_lag_is_skipped_without_pandas_only_when_it_is_sure_to_be_empty():
    """lag.measurable is a sound shortcut: whenever employee_customer_lag finds a lag, measurable says
    so. Random daily tables: lengths around the lag window, signals with gaps (NaN), weeks without
    journeys; both answers are compared on each."""
    import numpy as np
    import pandas as pd

    from cxsim.lag import employee_customer_lag, measurable

    rng = np.random.default_rng(16)
    found = skipped = 0
    for _ in range(150):
        days = int(rng.integers(5, 60))
        runs = []
        for rep in range(int(rng.integers(1, 3))):
            ended = rng.poisson(rng.choice([0.05, 0.5, 3.0]), days).astype(np.int64)
            promoters = rng.binomial(ended, 0.4)
            run = {"day": np.arange(days), "start": np.arange(days) * 1440.0, "journeys_ended": ended,
                   "promoters": promoters, "detractors": rng.binomial(ended - promoters, 0.5),
                   "wellbeing": rng.random(days), "strain": np.where(rng.random() < 0.5, 0.0, rng.random(days))}
            for signal in ("wellbeing", "strain"):
                run[signal][rng.random(days) < rng.choice([0.0, 0.1, 0.5])] = np.nan
            runs.append({"policy": "baseline", "replication": rep, **run})
        warmup = float(rng.choice([0.0, 3 * 1440.0]))
        daily = pd.concat([pd.DataFrame(r) for r in runs], ignore_index=True)
        lag = employee_customer_lag(daily, warmup)
        sure_empty = not measurable([{k: np.asarray(v) for k, v in r.items() if k != "policy"} for r in runs], warmup)
        assert not (lag and sure_empty)
        found += bool(lag)
        skipped += sure_empty
    assert found > 20 and skipped > 20, (found, skipped)  # both kinds of table were drawn


def test_the_lean_load_from_numbas_cache_gives_the_same_output_folder(tmp_path):
    """cache.load_without_registries and _lean_unpickling skip work only a compile needs (numba's
    implementations, the engine's bitcode, its environments' module globals): a run that loads the
    engine numba's own way (CXSIM_NUMBA_FULL_LOAD=1) writes the same files, byte for byte."""
    import os

    folders = {}
    for name, extra in (("lean", {}), ("full", {"CXSIM_NUMBA_FULL_LOAD": "1"})):
        folders[name] = tmp_path / name
        done = subprocess.run([sys.executable, "-m", "cxsim.cli", "run", str(TINY), "-r", "2", "--out",
                               str(folders[name])], cwd=ROOT, capture_output=True, text=True, timeout=300,
                              env={**os.environ, **extra})
        assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in folders["lean"].iterdir())
    assert files == sorted(p.name for p in folders["full"].iterdir()) and "encounters.parquet" in files
    for file in files:
        assert (folders["lean"] / file).read_bytes() == (folders["full"] / file).read_bytes(), file


def _python(script: str, cwd, **env: str) -> str:
    """Run ``script`` in a fresh interpreter (this cxsim on its path) and return its last line of output."""
    import os

    environ = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    environ.update(PYTHONPATH=str(ROOT), **env)
    done = subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env=environ)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_the_command_line_starts_openblas_on_one_thread_unless_told_otherwise(tmp_path):
    """numpy's and SciPy's OpenBLAS start a thread per core when they load (~0.2 s of CPU of a tiny run);
    the command line asks for one, as the user's own OPENBLAS_NUM_THREADS may say otherwise."""
    script = ("import cxsim.cli, numpy, scipy.linalg, threadpoolctl\n"
              "print(sorted({p['num_threads'] for p in threadpoolctl.threadpool_info() if p['internal_api'] == 'openblas'}))")
    assert _python(script, tmp_path) == "[1]"
    assert _python(script, tmp_path, OPENBLAS_NUM_THREADS="2") == "[2]"
    # the package alone (a user's notebook) leaves OpenBLAS as it is
    assert _python("import os, cxsim; print(os.environ.get('OPENBLAS_NUM_THREADS'))", tmp_path) == "None"


def test_the_fast_engine_imports_numba_without_pyyaml_unless_there_is_a_numba_config_file(tmp_path):
    """numba imports PyYAML only to read ``.numba_config.yaml`` in the current folder: without one, the
    engine imports numba without it (~0.02 s); with one, numba reads it as before."""
    script = ("import sys, cxsim.engines.fast, numba.core.config as c\n"
              "print('yaml' in sys.modules, c.COLOR_SCHEME)")
    assert _python(script, tmp_path) == "False no_color"
    (tmp_path / ".numba_config.yaml").write_text("color_scheme: light_bg\n")
    assert _python(script, tmp_path) == "True light_bg"
    assert _python("import cxsim.engines.fast, yaml; print(yaml.safe_load('a: 1'))", ROOT) == "{'a': 1}"
