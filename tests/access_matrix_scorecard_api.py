"""Access rules of the scorecard API (/api/v1/scorecards/... and friends); merged into
tests/access_matrix.MATRIX. Target kinds: see SCORECARD_TARGETS in tests/access_matrix.py."""

SCORECARD_API = {}
