"""Access rules of the appraisal API (/api/v1/appraisal-...); merged into
tests/access_matrix.MATRIX. Target kinds "form" (self/peer/sub/other) and "period" come
from tests/world.add_appraisal."""

APPRAISAL_API = {}
