"""The assessments' operations, each taking a Session, in one import for their callers: the code lives in one file per
job (``cycles``: cycles and their dates; ``answers``: responses and saving answers; ``submission``: submitting, the
anonymity rules, results). Scores are never computed here by hand, and callers decide who may do what through
``app.access`` before they call in.
"""

from __future__ import annotations

from app.assessments.answers import (  # noqa: F401
    ACTIVITY_RESOLUTION,
    MAX_TEXT,
    AnswerInput,
    answers_of,
    asked_question,
    ensure_writable,
    find_response,
    get_or_start_response,
    new_pseudonym,
    response_counts,
    restart_response,
    save_answer,
    set_respondent_profile,
    validate_answer,
)
from app.assessments.cycles import (  # noqa: F401
    add_partners,
    assessment_is_open,
    close_cycle,
    create_cycle,
    cycle_is_open,
    cycle_problems,
    cycle_state,
    extend,
    instrument_of,
    reopen_cycle,
    update_cycle,
)
from app.assessments.submission import (  # noqa: F401
    assessments_with_results,
    check_anonymity,
    compute_result,
    counted_responses,
    current_result,
    lock_assessment,
    recompute_results,
    reopen_assessment,
    result_history,
    scoring_inputs,
    store_result,
    submit_assessment,
    submit_response,
    summarize,
    withdraw_small_results,
)
