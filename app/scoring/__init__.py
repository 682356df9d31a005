"""Pure scoring: an instrument version + submitted answers (+ the cycle's depth) in, a typed result out.

No database, no web, no templates: this package imports only the standard library, Pydantic and
``app.instruments`` (schema and id mapping). Every result carries ``ENGINE_VERSION``.
"""

from app.scoring.compare import Comparison, DomainChange, ItemChange, compare
from app.scoring.engine import (
    DONT_KNOW,
    ENGINE_VERSION,
    NOT_APPLICABLE,
    AnswerIn,
    ResponseIn,
    asked_items,
    level_id,
    score_assessment,
    shown,
    visible_groups,
)
from app.scoring.models import AssessmentResult, DomainResult, GroupDomain, GroupResult, ItemResult, Opportunity, Overall

__all__ = [
    "DONT_KNOW", "ENGINE_VERSION", "NOT_APPLICABLE", "AnswerIn", "AssessmentResult", "Comparison", "DomainChange", "DomainResult",
    "GroupDomain", "GroupResult", "ItemChange", "ItemResult", "Opportunity", "Overall", "ResponseIn", "asked_items", "compare",
    "level_id", "score_assessment", "shown", "visible_groups",
]
