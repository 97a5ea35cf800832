"""Shared fixtures for the emcore tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import emcore  # noqa: E402


@pytest.fixture
def coin_data():
    return emcore.datasets.seed_coins()


@pytest.fixture
def coin_model():
    return emcore.CoinMixture()
