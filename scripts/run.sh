#!/usr/bin/env bash
# Sets up (if needed) and serves the dashboard at http://localhost:8501 on the seed articles.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
exec .venv/bin/python -m streamlit run dashboard.py \
  --server.port "${PORT:-8501}" --server.headless true --browser.gatherUsageStats false "$@"
