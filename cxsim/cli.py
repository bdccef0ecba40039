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
    simpy = "simpy"


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


@app.command()
def run(
    file: Path = typer.Argument(..., help="Scenario file."),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1, help="Default: the scenario's."),
    seed: Optional[int] = typer.Option(None, "--seed", "-s", min=0, help="Default: the scenario's."),
    output: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default results/<name>)."),
    engine: Engine = typer.Option(Engine.simpy, help="Simulation engine."),
    tables: bool = typer.Option(True, "--tables/--no-tables", help="Write the per-contact tables as Parquet."),
) -> None:
    """Run a scenario's replications, print the results table and write the output folder."""
    from .experiment.runner import run as run_scenario
    from .terminal import channel_table, results_table

    scenario = _load(file)
    n = replications or scenario.replications
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeRemainingColumn(), console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task(f"{scenario.name}: runs", total=n * len(scenario.policies))
        results = run_scenario(scenario, replications=n, seed=seed, engine=engine.value, keep_tables=tables,
                               on_replication=lambda _policy, _rep: progress.advance(task))
    folder = results.write(output or Path("results") / scenario.name)
    out.print(results_table(results))
    per_channel = channel_table(results)
    if per_channel is not None:
        out.print(per_channel)
    out.print(f"wrote {folder}/ (summary.json, metrics and tables as Parquet)", highlight=False)


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
