"""Where the app keeps state between runs. ``NEWSMAP_HOME`` overrides the base (tests use it)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"
DATA_DIR = Path(__file__).resolve().parent / "data"  # curated, shipped data files


def home() -> Path:
    base = os.environ.get("NEWSMAP_HOME")
    path = Path(base) if base else Path(platformdirs.user_data_dir("news-event-map"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    path = home() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_articles_dir() -> Path:
    """Articles the user uploaded or pasted in the dashboard; kept across restarts."""
    path = home() / "articles"
    path.mkdir(parents=True, exist_ok=True)
    return path
