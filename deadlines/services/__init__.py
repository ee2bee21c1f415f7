"""Deadline services (see recompute.py)."""

from .recompute import *  # noqa: F403
from .recompute import PROCESS  # noqa: F401
