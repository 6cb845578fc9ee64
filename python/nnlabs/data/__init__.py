"""Data sets of the labs: shipped (Hitters), simulated (movies, NYC 311) and downloaded (TLC).

Submodules load lazily so that ``import nnlabs.data`` stays cheap.
"""

from __future__ import annotations
