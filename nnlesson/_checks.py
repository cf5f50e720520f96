"""Small input checks shared by the package, so every bad input gets the same kind of
clear ``ValueError``: what was wrong, and what is allowed."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def lookup(name: str, table: Mapping[str, T], what: str, aliases: Mapping[str, str] | None = None) -> T:
    """Find ``name`` (case-insensitive, ``-`` or space read as ``_``) in a registry.

    An unknown name raises ``ValueError`` listing the valid ones.
    """
    if not isinstance(name, str):
        raise ValueError(f"{what} must be given by name (a string), got {type(name).__name__}")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if aliases and key in aliases:
        key = aliases[key]
    if key not in table:
        valid = sorted(table)
        if aliases:
            valid += [f"{alias} (= {target})" for alias, target in sorted(aliases.items())]
        raise ValueError(f"unknown {what} {name!r}; valid names are: {', '.join(valid)}")
    return table[key]


def as_rng(rng) -> np.random.Generator:
    """``None`` (fresh entropy), an ``int`` seed, or a ``numpy.random.Generator``."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"a seed must be a whole number >= 0, got {rng}")
        return np.random.default_rng(rng)
    raise ValueError(f"rng/seed must be None, an int or a numpy.random.Generator, got {type(rng).__name__}")


def positive_number(value, name: str) -> float:
    """``value`` as a float; it must be finite and > 0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return number


def positive_int(value, name: str) -> int:
    """``value`` as an int; it must be a whole number >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)


def finite_array(value, name: str) -> np.ndarray:
    """``value`` as a float64 array with no NaN or infinity in it."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {type(value).__name__}") from None
    if not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); clean the data first")
    return array
