"""Data sets of the labs: shipped (Hitters), simulated (movies, NYC 311) and downloaded (TLC).

Submodules load lazily so that ``import nnlabs.data`` stays cheap: ``hitters``, ``movies``,
``nyc311``, ``taxi`` and ``download`` (fetching files from official sources, with progress
and resumption checks).
"""

from __future__ import annotations
