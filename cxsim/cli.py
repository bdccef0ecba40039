"""The ``cxsim`` command: run, validate, schema, erlang.

Bad input never shows a traceback: scenario problems are printed one per line as
``FILE:LINE:COL: field.path: message`` on stderr, with exit status 2, and nothing is written.
"""

from __future__ import annotations

import json
import sys
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

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Simulate service processes: efficiency-driven versus encounter-focused.")
out = Console()
err = Console(stderr=True)

EXIT_BAD_INPUT = 2


class Engine(str, Enum):
    simpy = "simpy"  # the readable reference
    fast = "fast"    # the same model compiled with numba, for sweeps


def _fail(problems: list[str]) -> None:
    for line in problems:
        typer.echo(line, err=True)  # one problem per line, never wrapped: editors jump to FILE:LINE:COL
    raise typer.Exit(EXIT_BAD_INPUT)


def _load(path: Path) -> Scenario:
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        _fail([str(p) for p in exc.problems])
        raise  # unreachable; keeps type checkers content


def _version(value: bool) -> None:
    if value:
        out.print(f"cxsim {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Show the version and exit.")) -> None:
    """cxsim: what happens to customers, staff and the business when a process is run for
    internal efficiency instead of for the encounter."""


@app.command()
def validate(files: list[Path] = typer.Argument(..., help="Scenario files to check.")) -> None:
    """Check scenario files and report every problem at once (exit status 2 if any)."""
    problems: list[str] = []
    for f in files:
        try:
            load_scenario(f)
            out.print(f"{f}: ok", highlight=False)
        except ScenarioError as exc:
            problems.extend(str(p) for p in exc.problems)
    if problems:
        _fail(problems)


@app.command()
def schema(output: Optional[Path] = typer.Option(None, "--out", "-o", help="Write here instead of stdout.")) -> None:
    """Write the JSON Schema of scenario files (for editor completion and checks)."""
    text = json.dumps(Scenario.model_json_schema(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}")


def _experiment(file: Path, replications, seed, output, engine: "Engine", tables: bool, jobs: int,
                scheduler, sets, precision, max_replications: int, fresh: bool, policies=None):
    """Load, run (resumably) and write one experiment; the shared body of run and compare."""
    from .experiment.runner import cache_folder, run as run_scenario
    from .scenario import ScenarioError

    scenario = _load(file)
    folder = output or Path("results") / scenario.name
    try:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TimeRemainingColumn(), console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task(f"{scenario.name}: runs", total=None)
            results = run_scenario(
                scenario, replications=replications, seed=seed, engine=engine.value, keep_tables=tables,
                policies=policies, jobs=jobs, scheduler=scheduler, sets=sets, precision=precision,
                max_replications=max_replications, cache=cache_folder(folder), fresh=fresh,
                on_run=lambda done, total: progress.update(task, completed=done, total=total))
    except ScenarioError as exc:
        _fail([str(p) for p in exc.problems])
    except KeyboardInterrupt:
        typer.echo(f"interrupted: finished runs are kept in {cache_folder(folder)}; "
                   "run the same command again to complete the rest", err=True)
        raise typer.Exit(130) from None
    written = results.write(folder)
    import shutil
    shutil.rmtree(cache_folder(folder), ignore_errors=True)
    return results, written


_JOBS = typer.Option(1, "--jobs", "-j", min=1, help="Local worker processes.")
_SCHEDULER = typer.Option(None, "--scheduler", help="Run on a Dask cluster: tcp://HOST:PORT.")
_SET = typer.Option(None, "--set", help="Sweep a lever: dotted.path=v1,v2,... (repeatable).")
_PRECISION = typer.Option(None, "--precision", min=0.0,
                          help="Add replications until every headline metric's 95 % half-width is below this "
                               "fraction of its mean (e.g. 0.05).")
_MAX_REPS = typer.Option(200, "--max-replications", min=1, help="Cap for --precision.")
_FRESH = typer.Option(False, "--fresh", help="Discard finished runs of an interrupted earlier run.")


@app.command()
def run(
    file: Path = typer.Argument(..., help="Scenario file."),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1, help="Default: the scenario's."),
    seed: Optional[int] = typer.Option(None, "--seed", "-s", min=0, help="Default: the scenario's."),
    output: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default results/<name>)."),
    engine: Engine = typer.Option(Engine.simpy, help="Simulation engine: simpy (the reference) or fast (compiled, same results)."),
    tables: Optional[bool] = typer.Option(None, "--tables/--no-tables",
                                          help="Write per-contact tables (default: yes, except for sweeps)."),
    jobs: int = _JOBS, scheduler: Optional[str] = _SCHEDULER, sets: Optional[list[str]] = _SET,
    precision: Optional[float] = _PRECISION, max_replications: int = _MAX_REPS, fresh: bool = _FRESH,
) -> None:
    """Run a scenario (every policy, every sweep point), print the results and write the output folder."""
    from .terminal import channel_table, results_table, sweep_table

    sweeping = bool(sets) or bool(_load(file).sweep)
    results, folder = _experiment(file, replications, seed, output, engine, (not sweeping) if tables is None else tables,
                                  jobs, scheduler, sets, precision, max_replications, fresh)
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
    file: Path = typer.Argument(..., help="Scenario file with two or more policies."),
    policies: Optional[str] = typer.Option(None, "--policies", help="Comma-separated; the first is the reference."),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1),
    seed: Optional[int] = typer.Option(None, "--seed", "-s", min=0),
    output: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default results/<name>)."),
    engine: Engine = typer.Option(Engine.simpy, help="Simulation engine: simpy (the reference) or fast (compiled, same results)."),
    jobs: int = _JOBS, scheduler: Optional[str] = _SCHEDULER,
    precision: Optional[float] = _PRECISION, max_replications: int = _MAX_REPS, fresh: bool = _FRESH,
) -> None:
    """Compare policies on the same customers: both views side by side, paired differences, plain sentences."""
    from .terminal import decision_table, findings

    names = [p.strip() for p in policies.split(",")] if policies else None
    if names is not None and len(names) < 2 or names is None and len(_load(file).policies) < 2:
        _fail([f"{file}: compare needs at least two policies (list them under 'policies:' or pass --policies a,b)"])
    results, folder = _experiment(file, replications, seed, output, engine, False, jobs, scheduler, None, precision,
                                  max_replications, fresh, policies=names)
    out.print(decision_table(results))
    for sentence in findings(results):
        out.print(f"• {sentence}", highlight=False)
    out.print(f"wrote {folder}/", highlight=False)


@app.command()
def staff(
    file: Path = typer.Argument(..., help="Scenario file."),
    team: str = typer.Option(..., "--team", help="The team whose head count is searched."),
    target: str = typer.Option(..., "--target", help="e.g. 'service_level>=0.8', 'nps_true>=20', "
                                                     "'contacts_per_need<=1.6'."),
    policies: Optional[str] = typer.Option(None, "--policies", help="Comma-separated (default: all)."),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1),
    low: Optional[int] = typer.Option(None, "--min", min=0, help="Smallest head count to try (default: the "
                                                                   "offered load of a single-team scenario, else 1)."),
    high: int = typer.Option(1000, "--max", min=1, help="Largest head count to try."),
    jobs: int = _JOBS,
    engine: Engine = typer.Option(Engine.simpy, help="Simulation engine: simpy (the reference) or fast (compiled, same results)."),
) -> None:
    """Find the smallest head count of a team that meets a target, per policy, with its interval."""
    from .experiment.runner import run as run_scenario
    from .experiment.staffing import parse_target, smallest_team
    from .scenario import ScenarioError
    from .scenario.schema import distribution_mean

    scenario = _load(file)
    if team not in scenario.teams:
        _fail([f"{file}: no team {team!r} (teams: {', '.join(scenario.teams)})"])
    try:
        goal = parse_target(target)
    except ValueError as exc:
        _fail([f"cxsim staff: {exc}"])
    names = [p.strip() for p in policies.split(",")] if policies else list(scenario.policies)
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
                            engine=engine.value)

    try:
        for policy in names:
            answer = smallest_team(scenario, team, goal, policy, n, one, low, high)
            if answer.agents is None:
                table.add_row(policy, f"> {high}", "not met", "")
                continue
            cell = lambda s: "" if s is None or s["ci_low"] is None else \
                f"{s['mean']:.4g} [{s['ci_low']:.4g}, {s['ci_high']:.4g}]"  # noqa: E731
            table.add_row(policy, str(answer.agents), cell(answer.at), cell(answer.below))
    except ScenarioError as exc:
        _fail([str(p) for p in exc.problems])
    except ValueError as exc:
        _fail([f"cxsim staff: {exc}"])
    out.print(table)


@app.command()
def plot(
    results: Path = typer.Argument(..., help="A results folder of run, compare or a sweep."),
    chart: str = typer.Option("all", "--chart", "-c", help="understanding_gap, policy_comparison, failure_demand, "
                                                          "over_time, erosion, journeys, sweep, or all (comma-separated)."),
    formats: str = typer.Option("svg,png,pdf", "--format", "-f", help="Comma-separated: svg, png, pdf."),
    output: Optional[Path] = typer.Option(None, "--out", "-o", help="Folder for the charts (default RESULTS/charts)."),
) -> None:
    """Slide-ready charts (16:9, large type, editable SVG text) whose titles state what the data says."""
    from .charts.commands import plot as draw
    from .charts.load import ChartUnavailable

    try:
        files = draw(results, chart, formats, output)
    except (ChartUnavailable, ValueError, FileNotFoundError, NotADirectoryError) as exc:
        _fail([f"cxsim plot: {exc}"])
        return
    for f in files:
        out.print(f"wrote {f}", highlight=False)


@app.command()
def report(
    results: Path = typer.Argument(..., help="A results folder of run, compare or a sweep."),
    output: Optional[Path] = typer.Option(None, "--out", "-o", help="HTML file (default RESULTS/report.html)."),
) -> None:
    """One self-contained HTML page: charts, the summary table, the scenario as run, version and seed."""
    from .charts.commands import report as write_report
    from .charts.load import ChartUnavailable

    try:
        page = write_report(results, output)
    except (ChartUnavailable, ValueError, FileNotFoundError, NotADirectoryError) as exc:
        _fail([f"cxsim report: {exc}"])
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
) -> None:
    """Explain a difference between two policies: which lever makes it, which assumption could flip it, and where."""
    import shutil

    from .explain import explain as run_explanation
    from .explain import output as explain_output
    from .explain.tables import decomposition_table, indices_table, oat_table
    from .explain.verdict import conclusions
    from .metrics import ORDER

    scenario = _load(file)
    methods = [m.strip() for m in method.split(",") if m.strip()]
    names = [p.strip() for p in policies.split(",")] if policies else None
    metrics = [m.strip() for m in metric.split(",")] if metric else None
    bad = [m for m in metrics or [] if m.split(".")[0] not in ORDER]
    if bad:
        _fail([f"cxsim explain: unknown metric {', '.join(map(repr, bad))} (metrics: {', '.join(ORDER)})"])
    folder = output or explain_output.default_folder(scenario.name)
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
                scheduler, lambda m: explain_output.cache_folder(folder, m), fresh, on_run)
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
    written = explain_output.write(result, folder)
    for m in methods:
        shutil.rmtree(explain_output.cache_folder(folder, m), ignore_errors=True)
    out.print(f"wrote {written}/ (explain.json, charts/)", highlight=False)


@app.command()
def erlang(
    rate: str = typer.Option(..., help="Arrival rate, e.g. '360 /30min' or '12 /min'."),
    aht: str = typer.Option(..., help="Mean handling time, e.g. '240 s'."),
    agents: int = typer.Option(..., min=1, help="Number of agents."),
    patience: Optional[str] = typer.Option(None, help="Mean patience (exponential): gives Erlang A."),
    target: str = typer.Option("20 s", help="Service-level target time."),
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


if __name__ == "__main__":  # pragma: no cover
    app()
