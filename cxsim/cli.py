"""The ``cxsim`` command: run, compare, staff, compile, validate, schema, plot, report, erlang, calibrate, export-log.

Bad input never shows a traceback: scenario problems are printed one per line as
``FILE:LINE:COL: field.path: message`` on stderr, with exit status 2, and nothing is written.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time

# One OpenBLAS thread (numpy's and SciPy's own copies), unless the user chose otherwise: set before
# numpy loads, which is when OpenBLAS starts its threads. Each library started a thread per core that
# waits for work, ~0.2 s of CPU of every command's start-up; cxsim's matrices are small (OpenBLAS
# uses one thread for them anyway) and its runs take the cores themselves (--threads).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from . import __version__
from .scenario import ScenarioError, load_scenario
from .scenario.schema import Scenario
from .scenario.units import parse_duration, parse_rate

def _metavar(self, ctx=None):  # noqa: ARG001 - typer's signature
    """Help shows what to type (``N``, ``DIR``, ``PATH=V1,V2``), not Python types (``<int range>``, ``<bool>``)."""
    if self.metavar is not None:
        return self.metavar
    if getattr(self, "is_flag", False) or getattr(self, "count", False):
        return None
    return (self.name or "").upper()


typer.core.TyperOption.display_type_rich = _metavar
typer.core.TyperArgument.display_type_rich = lambda self, ctx=None: None
typer.core.TyperArgument._usage_display_name = lambda self: (self.metavar or self.name.upper()) + (
    "..." if self.nargs != 1 else "")


class _OneLineErrors(typer.Typer):
    """The command-line boundary: a file-system or resource error becomes one line and exit 2, never a traceback.

    The garbage collector is off while a command starts: its imports (numba, pandas, pydantic, scipy)
    create about a million long-lived objects and no garbage worth collecting, and the collections
    over them cost ~0.3 s of CPU, 15 % of a small run. Simulations turn it back on for their runs,
    with the imported objects frozen (:func:`cxsim.experiment.runner._collecting`). At the end
    everything is frozen, so that the interpreter's own collections at exit skip it too.
    """

    def __call__(self, *args, **kwargs):
        collecting = gc.isenabled()
        gc.disable()
        try:
            return super().__call__(*args, **kwargs)
        except OSError as exc:
            typer.echo(_os_problem(exc), err=True)
        except RecursionError:
            typer.echo("cxsim: input nested too deeply", err=True)
        except MemoryError:
            typer.echo("cxsim: out of memory (a smaller run, or --no-tables, needs less)", err=True)
        finally:
            # The process ends here: frozen, the objects are not scanned again by the interpreter's
            # collections at exit (0.3–0.4 s of CPU over the imports' million objects, measured).
            gc.freeze()
            if collecting:
                gc.enable()
        sys.exit(EXIT_BAD_INPUT)


app = _OneLineErrors(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                     help="Simulate service processes: efficiency-driven versus encounter-focused.")
out = Console()
err = Console(stderr=True)

EXIT_BAD_INPUT = 2


class Engine(str, Enum):
    fast = "fast"    # the model compiled with numba: the default
    simpy = "simpy"  # the same model as readable SimPy processes: the reference


_ENGINE_HELP = "Simulation engine: fast (compiled with numba) or simpy (the readable reference); same results."


def _compiled(engine: Engine) -> None:
    """Compile the fast engine before the first run that needs it, saying so: it takes a minute, once."""
    if engine is not Engine.fast:
        return
    from .engines.fast import is_compiled, warm

    if is_compiled():
        return
    err.print("compiling the fast engine: once per installation, about a minute "
              "(`cxsim compile` does it ahead of time) …", highlight=False, soft_wrap=True)
    started = time.perf_counter()
    warm()
    err.print(f"compiled the fast engine in {time.perf_counter() - started:.0f} s", highlight=False, soft_wrap=True)


def _fail(problems: list[str]) -> None:
    for line in problems:
        typer.echo(line, err=True)  # one problem per line, never wrapped: editors jump to FILE:LINE:COL
    raise typer.Exit(EXIT_BAD_INPUT)


_LOADED: dict[tuple, Scenario] = {}


def _load(path: Path, allow_outside: bool = False) -> Scenario:
    """Load a scenario once per command (``run`` asks twice: is it a sweep, then to run it)."""
    try:
        stat = path.stat()
        key = (str(path.resolve()), allow_outside, stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = None  # the loader says what is wrong with the path
    if key in _LOADED:
        return _LOADED[key]
    try:
        scenario = load_scenario(path, allow_outside=allow_outside)
        if key is not None:
            _LOADED[key] = scenario
        return scenario
    except ScenarioError as exc:
        _fail([str(p) for p in exc.problems])
        raise  # unreachable; keeps type checkers content


def _os_problem(exc: OSError) -> str:
    """One line for a file-system error: the file, and what the system said (never a traceback)."""
    name = exc.filename if exc.filename is not None else "cxsim"
    return f"{name}: {exc.strerror or exc.__class__.__name__}"


def _warn(path: Path, scenario: Scenario, allow_outside: bool = False) -> None:
    """Print the scenario's lint warnings (valid, but probably not what was meant) on stderr."""
    from .scenario.lint import lint, warnings_for

    if not lint(scenario):  # nothing to say: the file is not read again for the warnings' positions
        return
    for line in warnings_for(path, scenario, allow_outside):
        typer.echo(line, err=True)


def _version(value: bool) -> None:
    if value:
        out.print(f"cxsim {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Show the version and exit.")) -> None:
    """cxsim: what happens to customers, staff and the business when a process is run for
    internal efficiency instead of for the encounter."""
    _LOADED.clear()  # scenarios are remembered for one command only


_ALLOW_OUTSIDE = typer.Option(False, "--allow-outside",
                              help="Let extends: read base files outside the scenario's folder and the current folder.")


@app.command()
def validate(files: list[Path] = typer.Argument(..., metavar="FILE", help="Scenario files to check."),
             allow_outside: bool = _ALLOW_OUTSIDE) -> None:
    """Check scenario files and report every problem at once (exit status 2 if any)."""
    problems: list[str] = []
    for f in files:
        try:
            scenario = load_scenario(f, allow_outside=allow_outside)
            out.print(f"{f}: ok", highlight=False, soft_wrap=True)  # a path is never wrapped
            _warn(f, scenario, allow_outside)
        except ScenarioError as exc:
            problems.extend(str(p) for p in exc.problems)
    if problems:
        _fail(problems)


@app.command()
def schema(output: Optional[Path] = typer.Option(None, "--out", "-o", metavar="FILE", help="Write here instead of stdout.")) -> None:
    """Write the JSON Schema of scenario files (for editor completion and checks)."""
    from .scenario.schema import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail([_os_problem(exc)])
        err.print(f"wrote {output}")


def _experiment(file: Path, replications, seed, output, engine: "Engine", tables: bool, jobs: int,
                scheduler, sets, precision, max_replications: int, fresh: bool, kind: str, force: bool,
                insist: bool, allow_outside: bool, policies=None, threads: Optional[int] = None):
    """Load, run (resumably) and write one experiment; the shared body of run and compare.

    The output folder is checked before anything runs (cxsim replaces only its own results folder of
    the same kind), and locked from the first run to the last file written.
    """
    import shutil

    from .experiment.output import OutputRefused, check_target, default_folder

    scenario = _load(file, allow_outside)
    folder = output or default_folder(scenario.name, kind)
    try:
        check_target(folder, kind, force)  # before the engines are even imported: refusing is instant
    except OutputRefused as exc:
        _fail([str(exc)])
    _compiled(engine)
    from .experiment.runner import cache_folder, run as run_scenario
    from .experiment.size import TooBig
    from .experiment.store import Busy, hold

    from .terminal import PlainProgress

    plain = None if err.is_terminal else PlainProgress(scenario.name, lambda line: typer.echo(line, err=True))
    try:
        with hold(cache_folder(folder), shown=str(folder)):
            with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                          TextColumn("{task.completed}/{task.total}"), TimeRemainingColumn(), console=err,
                          transient=True, disable=not err.is_terminal) as progress:
                task = progress.add_task(f"{scenario.name}: runs", total=None)
                results = run_scenario(
                    scenario, replications=replications, seed=seed, engine=engine.value, keep_tables=tables,
                    policies=policies, jobs=jobs, scheduler=scheduler, sets=sets, precision=precision,
                    max_replications=max_replications, cache=cache_folder(folder), fresh=fresh, insist=insist,
                    threads=threads, out=folder, on_run=lambda done, total: (progress.update(task, completed=done, total=total),
                                                plain(done, total) if plain else None))
            written = results.write(folder, kind=kind, force=force)
            shutil.rmtree(cache_folder(folder), ignore_errors=True)
    except TooBig as exc:
        _fail([f"{file}: {exc.reason}"])
    except ScenarioError as exc:
        _fail([str(p) for p in exc.problems])
    except (OutputRefused, Busy) as exc:
        _fail([str(exc)])
    except OSError as exc:
        _fail([_os_problem(exc)])
    except OverflowError:
        _fail([f"{file}: cannot run this scenario: a value is too large to compute with (OverflowError)"])
    except MemoryError:
        _fail([f"{file}: cannot run this scenario: out of memory (fewer replications or --no-tables need less)"])
    except KeyboardInterrupt:
        typer.echo(f"interrupted: finished runs are kept in {cache_folder(folder)}; "
                   "run the same command again to complete the rest", err=True)
        raise typer.Exit(130) from None
    # Lint warnings last, beside the results they qualify: a refused or failed run says one line only.
    _warn(file, scenario, allow_outside)
    return results, written


_JOBS = typer.Option(1, "--jobs", "-j", min=1, metavar="N", help="Local worker processes.")
_THREADS = typer.Option(None, "--threads", min=1, metavar="N",
                        help="Threads for the fast engine's runs in this process (default: every core; the "
                             "results are the same for any N). Local worker processes (--jobs N) use one each.")
_SCHEDULER = typer.Option(None, "--scheduler", metavar="URL", help="Run on a Dask cluster: tcp://HOST:PORT.")
_SET = typer.Option(None, "--set", metavar="PATH=V1,V2", help="Sweep a lever: dotted.path=v1,v2,... (repeatable).")
_PRECISION = typer.Option(None, "--precision", min=0.0, metavar="SHARE",
                          help="Add replications until every headline metric's 95 % half-width is below this "
                               "fraction of its mean (e.g. 0.05).")
_MAX_REPS = typer.Option(200, "--max-replications", min=1, metavar="N", help="Cap for --precision.")
_FRESH = typer.Option(False, "--fresh", help="Discard finished runs of an interrupted earlier run.")
_FORCE = typer.Option(False, "--force", help="Replace a cxsim results folder of another kind (run, compare, sweep).")
_INSIST = typer.Option(False, "--insist", help="Run even if the pre-run estimate says it needs more than a day "
                                               "or more memory than the machine has.")


@app.command()
def run(
    file: Path = typer.Argument(..., metavar="FILE", help="Scenario file."),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1, metavar="N", help="Replications (default: the scenario's)."),
    seed: Optional[int] = typer.Option(None, "--seed", "-s", min=0, metavar="SEED", help="Random seed (default: the scenario's)."),
    output: Optional[Path] = typer.Option(None, "--out", "-o", metavar="DIR", help="Output folder (default results/<name>, "
                                                                                    "results/<name>-sweep for a sweep)."),
    engine: Engine = typer.Option(Engine.fast, metavar="fast|simpy", help=_ENGINE_HELP),
    tables: Optional[bool] = typer.Option(None, "--tables/--no-tables",
                                          help="Write per-contact tables (default: yes, except for sweeps)."),
    jobs: int = _JOBS, scheduler: Optional[str] = _SCHEDULER, sets: Optional[list[str]] = _SET,
    precision: Optional[float] = _PRECISION, max_replications: int = _MAX_REPS, fresh: bool = _FRESH,
    force: bool = _FORCE, insist: bool = _INSIST, allow_outside: bool = _ALLOW_OUTSIDE,
    threads: Optional[int] = _THREADS,
) -> None:
    """Run a scenario (every policy, every sweep point), print the results and write the output folder."""
    from .terminal import channel_table, results_table, sweep_table

    sweeping = bool(sets) or bool(_load(file, allow_outside).sweep)
    results, folder = _experiment(file, replications, seed, output, engine, (not sweeping) if tables is None else tables,
                                  jobs, scheduler, sets, precision, max_replications, fresh,
                                  "sweep" if sweeping else "run", force, insist, allow_outside, threads=threads)
    if results.is_sweep:
        out.print(sweep_table(results))
        out.print(f"wrote {folder}/ (summary.json per point, runs.parquet: one row per run)", highlight=False)
        return
    out.print(results_table(results))
    per_channel = channel_table(results)
    if per_channel is not None:
        out.print(per_channel)
    out.print(f"wrote {folder}/ (summary.json, metrics and tables as Parquet)", highlight=False)


@app.command()
def compare(
    file: Path = typer.Argument(..., metavar="FILE", help="Scenario file with two or more policies."),
    policies: Optional[str] = typer.Option(None, "--policies", metavar="A,B", help="Policies to compare, comma-separated; the first is the reference (default: the scenario's)."),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1, metavar="N",
                                               help="Replications (default: the scenario's)."),
    seed: Optional[int] = typer.Option(None, "--seed", "-s", min=0, metavar="SEED",
                                       help="Random seed (default: the scenario's)."),
    output: Optional[Path] = typer.Option(None, "--out", "-o", metavar="DIR", help="Output folder (default results/<name>-compare)."),
    engine: Engine = typer.Option(Engine.fast, metavar="fast|simpy", help=_ENGINE_HELP),
    jobs: int = _JOBS, scheduler: Optional[str] = _SCHEDULER,
    precision: Optional[float] = _PRECISION, max_replications: int = _MAX_REPS, fresh: bool = _FRESH,
    force: bool = _FORCE, insist: bool = _INSIST, allow_outside: bool = _ALLOW_OUTSIDE,
    threads: Optional[int] = _THREADS,
) -> None:
    """Compare policies on the same customers: both views side by side, paired differences, plain sentences."""
    from .terminal import decision_table, findings

    names = [p.strip() for p in policies.split(",")] if policies else None
    if names is not None and len(names) < 2 or names is None and len(_load(file, allow_outside).policies) < 2:
        _fail([f"{file}: compare needs at least two policies (list them under 'policies:' or pass --policies a,b)"])
    results, folder = _experiment(file, replications, seed, output, engine, False, jobs, scheduler, None, precision,
                                  max_replications, fresh, "compare", force, insist, allow_outside, policies=names,
                                  threads=threads)
    out.print(decision_table(results))
    for sentence in findings(results):
        out.print(f"• {sentence}", highlight=False)
    out.print(f"wrote {folder}/", highlight=False)


@app.command()
def staff(
    file: Path = typer.Argument(..., metavar="FILE", help="Scenario file."),
    team: Optional[str] = typer.Option(None, "--team", metavar="TEAM", help="The team whose head count is searched "
                                       "(without --team and --target: the rota of the teams staffed by rule)."),
    target: Optional[str] = typer.Option(None, "--target", metavar="METRIC>=VALUE", help="e.g. 'service_level>=0.8', "
                                         "'nps_true>=20', 'contacts_per_need<=1.6'."),
    policies: Optional[str] = typer.Option(None, "--policies", metavar="A,B", help="Policies to size, comma-separated (default: all)."),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1, metavar="N",
                                               help="Replications per head count (default: the scenario's)."),
    low: Optional[int] = typer.Option(None, "--min", min=0, metavar="N", help="Smallest head count to try (default: the "
                                                                   "offered load of a single-team scenario, else 1)."),
    high: int = typer.Option(1000, "--max", min=1, metavar="N", help="Largest head count to try."),
    jobs: int = _JOBS, threads: Optional[int] = _THREADS,
    engine: Engine = typer.Option(Engine.fast, metavar="fast|simpy", help=_ENGINE_HELP),
    insist: bool = _INSIST, allow_outside: bool = _ALLOW_OUTSIDE,
) -> None:
    """Find the smallest head count of a team that meets a target, per policy, with its interval; or, without
    --team and --target, print each policy's requirement per hour and rota for the teams staffed by rule."""
    from .experiment.runner import run as run_scenario
    from .experiment.size import TooBig
    from .experiment.staffing import parse_target, smallest_team
    from .scenario import ScenarioError
    from .scenario.schema import distribution_mean

    scenario = _load(file, allow_outside)
    if team is None and target is None:
        _staff_by_rule(file, scenario, policies)
        return
    if team is None or target is None:
        _fail(["cxsim staff: give both --team and --target to search a head count, or neither to print the rota"])
    if team not in scenario.teams:
        _fail([f"{file}: no team {team!r} (teams: {', '.join(scenario.teams)})"])
    if scenario.teams[team].staffing is not None:
        _fail([f"{file}: team {team!r} is staffed by rule: `cxsim staff {file}` prints its rota; to search a head "
               "count, give the team `agents` instead of `staffing`"])
    try:
        goal = parse_target(target)
    except ValueError as exc:
        _fail([f"cxsim staff: {exc}"])
    names = [p.strip() for p in policies.split(",")] if policies else list(scenario.policies)
    _compiled(engine)
    if low is None:
        low = 1
        if len(scenario.teams) == 1 and scenario.demand.open is not None:
            work = sum(n.share * distribution_mean(n.work_time) for n in scenario.needs.values())
            low = max(1, int(scenario.demand.open.rate * work / sum(n.share for n in scenario.needs.values())))
    n = replications or scenario.replications
    table = Table(title=f"{scenario.name}: smallest {team} head count with {goal} (mean over {n} replications)",
                  title_justify="left")
    for column in ("policy", "agents", f"{goal.metric} at that head count", "one fewer"):
        table.add_column(column, justify="right" if column != "policy" else "left")

    def one(s, policy, reps):
        return run_scenario(s, replications=reps, policies=[policy], keep_tables=False, jobs=jobs,
                            engine=engine.value, insist=insist, threads=threads)

    try:
        for policy in names:
            answer = smallest_team(scenario, team, goal, policy, n, one, low, high)
            cell = lambda s: "" if s is None or s["mean"] is None or s["mean"] != s["mean"] else \
                f"{s['mean']:.4g}" if s["ci_low"] is None else \
                f"{s['mean']:.4g} [{s['ci_low']:.4g}, {s['ci_high']:.4g}]"  # noqa: E731
            if answer.agents is None:
                reached = cell(answer.at)
                table.add_row(policy, "not met", f"{reached} with {high} (raise --max)" if reached else
                              f"not met up to {high} agents (raise --max)", "")
                continue
            table.add_row(policy, str(answer.agents), cell(answer.at), cell(answer.below))
    except TooBig as exc:
        _fail([f"{file}: {exc.reason}"])
    except ScenarioError as exc:
        _fail([str(p) for p in exc.problems])
    except ValueError as exc:
        _fail([f"cxsim staff: {exc}"])
    out.print(table)


def _staff_by_rule(file: Path, scenario: Scenario, policies: Optional[str]) -> None:
    """The requirement per hour and the rota of every team staffed by rule, per policy (cxsim/staffing)."""
    from .staffing.report import print_plans

    if not any(t.staffing is not None for t in scenario.teams.values()):
        _fail([f"{file}: no team is staffed by rule (teams.NAME.staffing); to search a head count give --team "
               "and --target"])
    names = [p.strip() for p in policies.split(",")] if policies else list(scenario.policies)
    unknown = [n for n in names if n not in scenario.policies]
    if unknown:
        _fail([f"cxsim staff: no policy {unknown[0]!r} in {file} (policies: {', '.join(scenario.policies)})"])
    print_plans(out, scenario, names)


@app.command(name="compile")
def compile_engine() -> None:
    """Compile the fast engine now (numba caches it beside the package), so that no run waits for it."""
    _compiled(Engine.fast)
    out.print("the fast engine is compiled: runs load it from numba's cache", highlight=False)


def _unreadable(folder: Path, exc: Exception) -> str:
    """One line for a results folder the charts cannot use, naming the folder (and saying if it is not cxsim's)."""
    from .charts.load import ChartUnavailable
    from .experiment.output import MARKER, marker_kind

    text = " ".join(str(exc).splitlines()) or exc.__class__.__name__
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc.__class__.__name__}"
    if isinstance(exc, (ChartUnavailable, OSError)):  # these messages already name the folder or file
        return text
    whose = "" if marker_kind(folder) is not None else f" (not written by cxsim: no {MARKER})"
    return f"{folder}: not a results folder cxsim can read{whose}: {exc.__class__.__name__}: {text}"


@app.command()
def plot(
    results: Path = typer.Argument(..., metavar="RESULTS", help="A results folder of run, compare or a sweep."),
    chart: str = typer.Option("all", "--chart", "-c", metavar="NAMES", help="understanding_gap, policy_comparison, failure_demand, "
                                                          "over_time, erosion, journeys, lag, measurement, sweep, or all (comma-separated)."),
    formats: str = typer.Option("svg,png,pdf", "--format", "-f", metavar="FORMATS", help="Comma-separated: svg, png, pdf."),
    output: Optional[Path] = typer.Option(None, "--out", "-o", metavar="DIR", help="Folder for the charts (default RESULTS/charts)."),
    metric: Optional[str] = typer.Option(None, "--metric", "-m", metavar="METRIC", help="The sweep chart's metric, e.g. nps_true, "
                                                                     "cost_per_solved_need (default service_level)."),
) -> None:
    """Slide-ready charts (16:9, large type, editable SVG text) whose titles state what the data says."""
    from .charts.commands import plot as draw
    from .charts.load import ChartUnavailable

    skipped: list[tuple[str, str]] = []
    try:
        files = draw(results, chart, formats, output, metric=metric, skipped=skipped)
    except (ChartUnavailable, ValueError, FileNotFoundError, NotADirectoryError) as exc:
        _fail([f"cxsim plot: {_unreadable(results, exc)}"])
        return
    except (KeyError, TypeError, IndexError, AttributeError, OSError) as exc:  # a folder of the wrong shape
        _fail([f"cxsim plot: {_unreadable(results, exc)}"])
        return
    for f in files:
        out.print(f"wrote {f}", highlight=False)
    for name, reason in skipped:
        typer.echo(f"skipped {name}: {reason}", err=True)


@app.command()
def report(
    results: Path = typer.Argument(..., metavar="RESULTS", help="A results folder of run, compare or a sweep."),
    output: Optional[Path] = typer.Option(None, "--out", "-o", metavar="FILE", help="HTML file (default RESULTS/report.html)."),
) -> None:
    """One self-contained HTML page: charts, the summary table, the scenario as run, version and seed."""
    from .charts.commands import report as write_report
    from .charts.load import ChartUnavailable

    try:
        page = write_report(results, output)
    except (ChartUnavailable, ValueError, FileNotFoundError, NotADirectoryError) as exc:
        _fail([f"cxsim report: {_unreadable(results, exc)}"])
        return
    except (KeyError, TypeError, IndexError, AttributeError, OSError) as exc:  # a folder of the wrong shape
        _fail([f"cxsim report: {_unreadable(results, exc)}"])
        return
    out.print(f"wrote {page}", highlight=False)


@app.command()
def explain(
    file: Path = typer.Argument(..., help="Scenario file with two policies (and an 'uncertain:' block for sensitivity)."),
    method: str = typer.Option("decompose,oat", "--method", "-m",
                               help="Comma-separated: decompose (Shapley over levers), oat (one at a time), "
                                    "morris, sobol."),
    policies: Optional[str] = typer.Option(None, "--policies", help="A,B: explain B − A (default: the first two)."),
    metric: Optional[str] = typer.Option(None, "--metric", help="Comma-separated metrics (default: nps_true, "
                                                                 "cost_per_solved_need, contacts_per_need)."),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1,
                                               help="Per coalition or design point (default: the scenario's)."),
    levels: int = typer.Option(5, "--levels", min=2, help="oat: values per range, ends included."),
    trajectories: int = typer.Option(10, "--trajectories", min=2, help="morris: trajectories r."),
    samples: int = typer.Option(64, "--samples", min=2, help="sobol: base sample N (a power of two)."),
    permutations: Optional[int] = typer.Option(None, "--permutations", min=2,
                                               help="decompose: sample this many lever orders instead of every "
                                                    "coalition (the default above 7 levers)."),
    seed: Optional[int] = typer.Option(None, "--seed", "-s", min=0),
    output: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default results/<name>-explain)."),
    engine: Engine = typer.Option(Engine.fast, help="Simulation engine (fast by default: many runs)."),
    jobs: int = _JOBS, scheduler: Optional[str] = _SCHEDULER, fresh: bool = _FRESH,
    threads: Optional[int] = _THREADS,
) -> None:
    """Explain a difference between two policies: which lever makes it, which assumption could flip it, and where."""
    import shutil

    try:
        from .explain import explain as run_explanation
        from .explain import output as explain_output
        from .explain.tables import decomposition_table, indices_table, oat_table
        from .explain.verdict import conclusions
    except ImportError as exc:  # SALib and scikit-learn are an extra, not every install has them
        _fail([f"cxsim explain needs {exc.name or 'its extra packages'}: pip install -e '.[explain]' "
               "(or pip install 'cxsim[explain]')"])
        return
    from .metrics import ORDER

    scenario = _load(file)
    methods = [m.strip() for m in method.split(",") if m.strip()]
    names = [p.strip() for p in policies.split(",")] if policies else None
    metrics = [m.strip() for m in metric.split(",")] if metric else None
    bad = [m for m in metrics or [] if m.split(".")[0] not in ORDER]
    if bad:
        _fail([f"cxsim explain: unknown metric {', '.join(map(repr, bad))} (metrics: {', '.join(ORDER)})"])
    folder = output or explain_output.default_folder(scenario.name)
    from .experiment.output import OutputRefused, check_target

    try:
        check_target(folder, "explain")  # cxsim replaces only its own explanation folder, checked before any run
    except OutputRefused as exc:
        _fail([str(exc)])
    try:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TimeRemainingColumn(), console=err, transient=True, disable=not err.is_terminal) as progress:
            bars: dict[str, object] = {}

            def on_run(name: str, done: int, total: int) -> None:
                if name not in bars:
                    bars[name] = progress.add_task(f"{scenario.name}: {name}", total=total)
                progress.update(bars[name], completed=done, total=total)

            result = run_explanation(
                scenario, methods, names, metrics, replications,
                {"oat": levels, "morris": trajectories, "sobol": samples}, permutations, seed, engine.value, jobs,
                scheduler, lambda m: explain_output.cache_folder(folder, m), fresh, on_run, threads)
    except ScenarioError as exc:
        _fail([str(p) for p in exc.problems])
        return
    except ValueError as exc:
        _fail([f"cxsim explain: {exc}"])
        return
    except KeyboardInterrupt:
        typer.echo(f"interrupted: finished runs are kept beside {folder}; run the same command again to complete "
                   "the rest", err=True)
        raise typer.Exit(130) from None
    shown = [decomposition_table(result["decomposition"])] if "decomposition" in result else []
    shown += [oat_table(s, m) if name == "oat" else indices_table(s, m)
              for name, s in result.get("sensitivity", {}).items() for m in s["metrics"]]
    for head, table in shown:
        out.print(head, highlight=False)
        out.print(table)
    for sentence in conclusions(result):
        out.print(f"• {sentence}", highlight=False)
    try:
        written = explain_output.write(result, folder)
    except OutputRefused as exc:
        _fail([str(exc)])
    for m in methods:
        shutil.rmtree(explain_output.cache_folder(folder, m), ignore_errors=True)
    out.print(f"wrote {written}/ (explain.json, charts/)", highlight=False)


@app.command()
def erlang(
    rate: str = typer.Option(..., metavar="RATE", help="Arrival rate, e.g. '360 /30min' or '12 /min'."),
    aht: str = typer.Option(..., metavar="DURATION", help="Mean handling time, e.g. '240 s'."),
    agents: int = typer.Option(..., min=1, metavar="N", help="Number of agents."),
    patience: Optional[str] = typer.Option(None, metavar="DURATION", help="Mean patience (exponential): gives Erlang A."),
    target: str = typer.Option("20 s", metavar="DURATION", help="Service-level target time."),
) -> None:
    """Analytic queue results: Erlang C (M/M/c), or Erlang A (M/M/c+M) when --patience is given."""
    from .queueing import erlang_a, erlang_b, erlang_c

    try:
        lam, mean_service, t = parse_rate(rate), parse_duration(aht), parse_duration(target)
        if patience is None:
            res = erlang_c(lam, mean_service, agents, target=t)
            title, rows = "Erlang C (M/M/c)", [("P(wait)", res.p_wait), ("mean wait", res.mean_wait)]
        else:
            res = erlang_a(lam, mean_service, agents, parse_duration(patience), target=t)
            title = "Erlang A (M/M/c+M, exact birth–death chain)"
            rows = [("P(wait)", res.p_wait), ("P(abandon)", res.p_abandon), ("mean wait", res.mean_wait)]
    except ValueError as exc:
        _fail([f"cxsim erlang: {exc}"])
        return
    table = Table(title=title, title_justify="left")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("offered load", f"{lam * mean_service:.4g} Erlangs")
    for name, value in rows:
        shown = f"{value:.4f}" if name != "mean wait" else f"{value * 60:.2f} s  ({value:.4f} min)"
        table.add_row(name, shown)
    if res.service_level is not None:
        table.add_row(f"service level ({t * 60:g} s)", f"{res.service_level:.4f}")
    table.add_row("occupancy", f"{res.occupancy:.4f}")
    if patience is None:
        table.add_row("Erlang B blocking", f"{erlang_b(agents, lam * mean_service):.4f}")
    out.print(table)


@app.command(name="calibrate")
def calibrate_command(
    log: Path = typer.Argument(..., help="Contact log: .csv, .parquet or .xlsx, one row per contact."),
    output: Path = typer.Option(..., "--out", "-o", help="Scenario file to write."),
    surveys: Optional[Path] = typer.Option(None, "--surveys", help="Survey answers: contact_id, survey_score."),
    columns: Optional[str] = typer.Option(None, "--columns", help="Your column names: OURS=THEIRS,... "
                                                                   "(e.g. timestamp=start_time,need_type=queue)."),
    window: str = typer.Option("7 d", "--window", help="The same customer and need type again within this is "
                                                      "the same need."),
    give_up: Optional[float] = typer.Option(None, "--give-up", min=0.0, max=0.99,
                                            help="Assumed share of unsolved needs given up in silence "
                                                 "(a log cannot show it; default the scenario default)."),
    clock: str = typer.Option("wall", "--clock", help="Fit customers' delays in this clock and write it: wall "
                                                      "(as the log measures them) or demand (along the demand "
                                                      "profile)."),
    check: bool = typer.Option(False, "--check", help="Simulate the fitted scenario and compare its KPIs with "
                                                      "the log's (and draw the comparison)."),
    replications: int = typer.Option(10, "--replications", "-r", min=2, help="Replications for --check."),
) -> None:
    """Estimate a scenario from a contact log, every number with its interval and fit; --check validates it."""
    from .calibrate import LogError, calibrate, read_log
    from .calibrate.fit import GIVE_UP
    from .calibrate.log import parse_mapping
    from .calibrate.report import calibration_table, check_table
    from .calibrate.scenario import build, dump, validate, write_atomically

    try:
        span = parse_duration(window)
        if clock not in ("wall", "demand"):
            raise ValueError(f"--clock is wall or demand, not {clock!r}")
        contacts = read_log(log, parse_mapping(columns), surveys)
        cal = calibrate(contacts, span, GIVE_UP if give_up is None else give_up, clock=clock)
        text = dump(build(cal, output.stem))
        scenario = validate(text, str(output))
    except LogError as exc:
        _fail(exc.problems)
        return
    except ValueError as exc:
        _fail([f"cxsim calibrate: {exc}"])
        return
    out.print(calibration_table(cal))
    write_atomically(output, text)
    out.print(f"wrote {output}", highlight=False)
    if check:
        from .calibrate.check import chart, compare, log_kpis, simulate

        days = int(round((cal.end - cal.start) / 1440))
        logged = log_kpis(cal.contacts, cal.kinds, cal.window, cal.end)
        rows = compare(logged, simulate(scenario, cal.kinds, cal.window, days, replications))
        out.print(check_table(rows, replications))
        for row in rows:
            if not row.inside:
                out.print(f"• {row.sentence()}", highlight=False)
        if all(row.inside for row in rows):
            out.print("• every KPI of the log lies inside the range the fitted scenario gives", highlight=False)
        picture = chart(rows, output.with_suffix(".check.png"))
        out.print(f"wrote {picture}", highlight=False)


@app.command(name="export-log")
def export_log_command(
    results: Path = typer.Argument(..., help="A results folder written with per-contact tables."),
    output: Path = typer.Option(..., "--out", "-o", help="Log file to write: .csv or .parquet."),
    policy: Optional[str] = typer.Option(None, "--policy", help="Default: the first policy."),
    replication: int = typer.Option(0, "--replication", min=0),
    until: Optional[str] = typer.Option(None, "--until", help="Log contacts arriving before this time "
                                                             "(e.g. '28 d'; default: the whole run)."),
) -> None:
    """Write a run's contacts as a contact log (the format cxsim calibrate reads)."""
    from .calibrate import LogError
    from .calibrate.export import export_log, read_results, write_log

    try:
        enc, jour = read_results(results, policy, replication)
        log = export_log(enc, jour, until=parse_duration(until) if until else float("inf"))
        write_log(log, output)
    except LogError as exc:
        _fail(exc.problems)
        return
    except ValueError as exc:
        _fail([f"cxsim export-log: {exc}"])
        return
    out.print(f"wrote {output} ({len(log):,} contacts)", highlight=False)


if __name__ == "__main__":  # pragma: no cover
    app()
