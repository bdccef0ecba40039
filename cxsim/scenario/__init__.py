"""Scenario files: schema (pydantic), loading (ruamel.yaml, extends, positions) and units."""

from .loading import Located, ScenarioError, load_scenario
from .schema import Scenario, cross_check
from .units import parse_duration, parse_rate

__all__ = ["Located", "Scenario", "ScenarioError", "cross_check", "load_scenario", "parse_duration", "parse_rate"]
