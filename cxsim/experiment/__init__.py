"""Experiments: replications, seeds and common random numbers, and writing results."""
