import logging

from thidua.forked import ForkedCall

log = logging.getLogger("forkedtest.module")


def _add(a, b):
    log.warning("adding %d and %d", a, b)
    return a + b


def _fail():
    raise RuntimeError("no luck")


def test_the_value_and_the_childs_log_come_back_in_order(caplog):
    call = ForkedCall(_add, 2, 3, what="test: the adding process", log=log)
    assert call.result("adding here") == 5
    assert [r.getMessage() for r in caplog.records] == ["adding 2 and 3"]


def test_a_failure_is_reported_with_what_happens_next(caplog):
    assert ForkedCall(_fail, what="test: the failing process", log=log).result("doing it here") is None
    assert "test: the failing process failed (RuntimeError: no luck); doing it here" in caplog.text
