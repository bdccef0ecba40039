"""The SimPy reference engine: readable processes, the model as the specification reads."""

from .model import Model, simulate

__all__ = ["Model", "simulate"]
