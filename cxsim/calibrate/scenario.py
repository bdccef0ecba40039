"""Write a calibration as a scenario file, every number with its interval and fit as a comment.

What a log cannot give — behavioural parameters — is listed as comments marked *(not from data)*,
with the defaults the scenario keeps; the mechanisms that use them are off, so the scenario
reproduces the log's current state. ruamel.yaml keeps the comments where they belong, and the
file is written atomically.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..kernels.resolution import QUALITY_GAP, QUALITY_LEVEL
from ..scenario.mechanisms import Erosion, Experience, Loyalty, Wellbeing
from ..scenario.schema import Scenario
from .fit import Calibration, hourly_load
from .intervals import Estimate

NOT_FROM_DATA = "*(not from data)*"
#: A channel without agent ids gets a team sized to its busiest hour at this occupancy.
SIZING_OCCUPANCY = 0.85


def _num(x: float) -> float:
    return float(f"{x:.4g}")


def _minutes(x: float) -> str:
    return f"{_num(x):g} min"


def _note(e: Estimate) -> str:
    unit = f" {e.unit}" if e.unit else ""
    return f"{e.interval()}{unit}; {e.fit}; n = {e.n:,}"


def _flow(values) -> CommentedSeq:
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def _distribution(mean: float, dist: str = "exponential", cv: float | None = None,
                  values: list[float] | None = None) -> CommentedMap:
    d = CommentedMap(dist=dist)
    if dist == "empirical":
        d["values"] = _flow(values)
    else:
        d["mean"] = _minutes(mean)
    if cv is not None:
        d["cv"] = _num(cv)
    d.fa.set_flow_style()
    return d


def build(cal: Calibration, name: str) -> CommentedMap:
    """The scenario as a commented YAML mapping."""
    days = int(round((cal.end - cal.start) / 1440))
    doc = CommentedMap()
    doc["name"] = name
    doc["description"] = f"Calibrated from {Path(cal.log.source).name}: {len(cal.contacts):,} contacts over {days} days"
    doc["seed"] = 2026
    doc["replications"] = 5
    doc["horizon"] = f"{days} d"
    doc["clock"] = cal.clock
    doc.yaml_add_eol_comment("delays below were measured in wall-clock time, as the log records them"
                             if cal.clock == "wall" else "delays below were converted from the log's wall-clock "
                             "time to minutes along its demand profile", "clock")

    dem = CommentedMap()
    dem["open"] = CommentedMap(rate=f"{_num(cal.rate.value):g} /h")
    dem["open"].yaml_add_eol_comment(_note(cal.rate), "rate")
    dem["hourly_profile"] = _flow([_num(e.value) for e in cal.hourly])
    dem.yaml_add_eol_comment("needs per hour of day (mean 1); intervals in the calibration report", "hourly_profile")
    dem["weekly_profile"] = _flow([_num(e.value) for e in cal.weekly])
    dem.yaml_add_eol_comment("Monday first (mean 1)", "weekly_profile")
    mix = CommentedMap()
    for e in cal.channel_mix:
        key = e.path.rsplit(".", 1)[1]
        mix[key] = _num(e.value)
        mix.yaml_add_eol_comment(_note(e), key)
    dem["channel_mix"] = mix
    doc["demand"] = dem

    needs = CommentedMap()
    resolution = {e.path.split(".")[1]: e for e in cal.resolution}
    for e in cal.need_mix:
        need = e.path.rsplit(".", 1)[1]
        entry = CommentedMap(share=_num(e.value))
        entry.yaml_add_eol_comment(_note(e), "share")
        w = cal.work.get(need)
        if w is not None:
            entry["work_time"] = _distribution(w.mean.value, w.dist, w.cv.value if w.cv else None, w.values)
            cv_note = f"; cv {w.cv.interval()}" if w.cv else ""
            entry.yaml_add_eol_comment(f"mean {_note(w.mean)}{cv_note}", "work_time")
        else:
            entry["work_time"] = _distribution(1.0)
            entry.yaml_add_eol_comment(f"never answered in the log {NOT_FROM_DATA}", "work_time")
        if need in resolution and not math.isnan(resolution[need].value):
            entry["resolution"] = max(0.0, min(1.0, _num(resolution[need].value)))
            entry.yaml_add_eol_comment(_note(resolution[need]), "resolution")
        needs[need] = entry
    doc["needs"] = needs

    channels = CommentedMap()
    for channel, kind in cal.kinds.items():
        ch = CommentedMap(kind=kind)
        if channel in cal.patience:
            e = cal.patience[channel]
            ch["patience"] = _distribution(e.value)
            ch.yaml_add_eol_comment(f"censored MLE; {_note(e)}", "patience")
        elif kind in ("phone", "chat"):
            ch["abandons"] = False
            ch.yaml_add_eol_comment("nobody abandoned in the log", "abandons")
        if channel in cal.retrial:
            prob, delay = cal.retrial[channel]
            retrial = CommentedMap(probability=_num(prob.value), delay=_distribution(delay.value))
            retrial.yaml_add_eol_comment(_note(prob), "probability")
            retrial.yaml_add_eol_comment(_note(delay), "delay")
            ch["retrial"] = retrial
        if channel in cal.p_self:
            ch["p_self"] = _num(cal.p_self[channel].value)
            ch.yaml_add_eol_comment(_note(cal.p_self[channel]), "p_self")
        channels[channel] = ch
    doc["channels"] = channels

    returns = CommentedMap()
    if math.isfinite(cal.return_delay.value):
        returns["delay"] = _distribution(cal.return_delay.value)
        returns.yaml_add_eol_comment(f"from the end of the answered contact; {_note(cal.return_delay)}", "delay")
    returns["give_up"] = cal.give_up
    returns.yaml_add_eol_comment(f"{NOT_FROM_DATA}: a log cannot tell a silent give-up from a solved need", "give_up")
    if cal.switch:
        switch = CommentedMap()
        for e in cal.switch:
            _, _, src, dst = e.path.split(".")
            switch.setdefault(src, CommentedMap())[dst] = _num(e.value)
            switch[src].yaml_add_eol_comment(_note(e), dst)
        returns["switch"] = switch
    doc["returns"] = returns
    doc.yaml_set_comment_before_after_key("returns", before=f"first-contact resolution in the log: "
                                          f"{_num(cal.fcr.value):g}, {_note(cal.fcr)}")
    doc["teams"] = _teams(cal)
    doc["mechanisms"] = "off"
    doc.yaml_set_comment_before_after_key("mechanisms", before="\n".join(_not_from_data(cal)))
    doc["policies"] = _flow(["baseline"])
    return doc


def _teams(cal: Calibration) -> CommentedMap:
    teams = CommentedMap()
    covered = set()
    for t in cal.teams:
        team = CommentedMap(agents=t.agents, channels=_flow(list(t.channels)))
        team.yaml_add_eol_comment(f"distinct agent ids; busiest hour {t.per_hour.max():.1f} answering", "agents")
        if t.start_hour is not None:
            team["shift"] = CommentedMap(start=f"{t.start_hour} h", length=f"{t.hours} h", days=_flow(list(t.days)))
            team["shift"].fa.set_flow_style()
            inside = f"{t.covered:.0%}".replace("%", " %")
            team.yaml_add_eol_comment(f"hours answered; {inside} of its contacts inside", "shift")
        teams[t.name] = team
        by_hour = " ".join(f"{x:.1f}" for x in t.per_hour.reshape(7, 24).max(axis=0))
        heads = f"head count per hour of day, busiest weekday (distinct agents answering): {by_hour}"
        teams.yaml_set_comment_before_after_key(t.name, before=heads, indent=2)
        covered |= set(t.channels)
    for channel, kind in cal.kinds.items():
        if kind == "self_service" or channel in covered:
            continue
        peak = float(hourly_load(cal, channel).max())
        team = CommentedMap(agents=max(1, math.ceil(peak / SIZING_OCCUPANCY)), channels=_flow([channel]))
        occupancy = f"{SIZING_OCCUPANCY:.0%}".replace("%", " %")
        team.yaml_add_eol_comment(f"no agent ids: sized to the busiest hour at {occupancy} occupancy "
                                  f"{NOT_FROM_DATA}", "agents")
        teams[channel] = team
    return teams


def _not_from_data(cal: Calibration) -> list[str]:
    """Comment lines: the behavioural parameters a log cannot give, with the defaults kept."""
    def flat(model) -> str:
        return ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in model.model_dump().items()
                         if v is not None)
    quality = ", ".join(f"{g:+.0%} → {q:g}" for g, q in zip(QUALITY_GAP, QUALITY_LEVEL))
    lines = [f"What a log cannot give {NOT_FROM_DATA}: behavioural parameters. The mechanisms that use them",
             "are off, so this scenario reproduces the log's current state; switch them on to ask what would",
             "change, knowing these values are cxsim's defaults, not your centre's:",
             f"  quality table (time given vs needed → resolution): {quality} {NOT_FROM_DATA}",
             f"  experience coefficients: {flat(Experience())} {NOT_FROM_DATA}",
             f"  erosion of standards (times in minutes): {flat(Erosion())} {NOT_FROM_DATA}",
             f"  strain and wellbeing (times in minutes): {flat(Wellbeing())} {NOT_FROM_DATA}",
             f"  loyalty: {flat(Loyalty())} {NOT_FROM_DATA}"]
    for e in cal.surveys:
        lines.append(f"  from the log, for comparison with nps_measured: {e.path.split('.')[1]} {_num(e.value):g}, "
                     f"{e.interval()}; {e.fit}")
    return lines


def dump(doc: CommentedMap) -> str:
    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    return buffer.getvalue()


def write_atomically(path: Path, text: str) -> None:
    """The file appears complete or not at all (a user's earlier file is only replaced whole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise



def validate(text: str, name: str) -> Scenario:
    """The written text as a scenario, checked as `cxsim validate` would (a calibration bug must
    never leave the user a file that does not load)."""
    from ..scenario.schema import cross_check

    scenario = Scenario.model_validate(YAML(typ="safe").load(text))
    problems = cross_check(scenario)
    if problems:
        raise ValueError(f"{name}: the calibrated scenario does not validate: {problems[0][1]}")
    return scenario
