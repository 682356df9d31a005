"""The current results' summaries of a cycle, decoded once per process (a stored result never changes)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessments.models import Assessment, Result


def cycle_summaries(db: Session, cycle_id: int, key: Any, organization_id: int | None = None) -> dict[int, dict[str, Any]]:
    """The current results' summaries of a cycle's assessments (of one organization's, when given), by `key` (the
    assessment's id or its organization's).

    A stored result never changes (a recomputation adds a row), so its summary is decoded once per process and kept
    (`_summaries`): the comparison page of 500 partners then reads ids, not 1,000 JSON documents. Joined in the query:
    a list of 500 ids to compile and send cost more than the summaries themselves. The dicts returned are shared:
    read them, never change them."""
    current = (select(key, Result.id, Result.computed_at).join(Assessment, Assessment.id == Result.assessment_id)
               .where(Assessment.cycle_id == cycle_id, Result.is_current.is_(True)))
    if organization_id is not None:  # one partner's trend reads its own results, not its whole partnership's
        current = current.where(Assessment.organization_id == organization_id)
    rows = db.execute(current).all()
    found = _summaries.get_many([(rid, at) for _, rid, at in rows])
    if len(found) < len(rows):  # a result computed since (or a cold start): the cycle's summaries read again, once
        fresh = db.execute(current.add_columns(Result.summary)).all()
        _summaries.put_many({(rid, at): summary or {} for _, rid, at, summary in fresh})
        return {k: summary or {} for k, _, _, summary in fresh}
    return {k: found[(rid, at)] for k, rid, at in rows}


class SummaryCache:
    """Decoded summaries by (result id, computed at), the least recently used dropped beyond `size` (a decoded summary
    takes about 5 KB: 5,000 of them, five comparisons of 500 partners with their baselines, about 25 MB at most)."""

    def __init__(self, size: int = 5_000):
        self.size = size
        self._items: OrderedDict[tuple[int, dt.datetime], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: list[tuple[int, dt.datetime]]) -> dict[tuple[int, dt.datetime], dict[str, Any]]:
        with self._lock:
            found = {k: self._items[k] for k in keys if k in self._items}
            for k in found:
                self._items.move_to_end(k)
            return found

    def put_many(self, items: dict[tuple[int, dt.datetime], dict[str, Any]]) -> None:
        with self._lock:
            self._items.update(items)
            for k in items:
                self._items.move_to_end(k)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_summaries = SummaryCache()
