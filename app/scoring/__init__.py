"""Pure scoring: instrument + answers in, a typed result out (no database, no web)."""

from app.scoring.compare import Comparison, DomainChange, compare
from app.scoring.engine import ENGINE_VERSION, AnswerIn, ResponseIn, asked_items, score_assessment, shown
from app.scoring.models import AssessmentResult, DomainResult, GroupResult, ItemResult, Opportunity, Overall

__all__ = [
    "ENGINE_VERSION", "AnswerIn", "AssessmentResult", "Comparison", "DomainChange", "DomainResult", "GroupResult", "ItemResult",
    "Opportunity", "Overall", "ResponseIn", "asked_items", "compare", "score_assessment", "shown",
]
