"""``Evaluations._save_aggregates`` (services/store/eventstore.py) is the library's
``Application.save`` without its runtime protocol checks. It stays right only while the
library's ``save`` does what it did when it was written: this pins the two library functions
it follows, so an ``eventsourcing`` upgrade that changes them fails here, by name, instead of
saving differently without a word."""

from __future__ import annotations

import hashlib
import inspect

from eventsourcing.application import Application, ProcessingEvent

# sha256 of the source of Application.save + ProcessingEvent.collect_events (eventsourcing 9.5.6).
FOLLOWED = "826586ab244e6ee29740749ac3880430d4e2aba62e7891fe433608f1ad8f1895"


def test_the_save_we_follow_is_the_librarys_save_as_it_was_read() -> None:
    source = inspect.getsource(Application.save) + inspect.getsource(
        ProcessingEvent.collect_events)
    assert hashlib.sha256(source.encode()).hexdigest() == FOLLOWED, (
        "eventsourcing's Application.save or ProcessingEvent.collect_events changed: read "
        "them again, bring Evaluations._save_aggregates in line, then update FOLLOWED")
