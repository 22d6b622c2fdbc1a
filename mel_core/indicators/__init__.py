"""Indicator values: targets as points or ranges, direction, cumulative and per-period series."""
