"""The run-status notice every training page shows: blown up (advice + resume), stopped, crashed, or nothing."""

from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from playground.runtime.controller import Status


class StubRun:
    """What status_notice reads of a RunController: its view, and resume()."""

    def __init__(self, status: Status, diverged: str | None = None, stop_reason: str | None = None):
        self.state = SimpleNamespace(status=status, step=1234, diverged=diverged, stop_reason=stop_reason)
        self.resumed = 0

    def view(self):
        return self.state

    def resume(self):
        self.resumed += 1
        self.state = SimpleNamespace(status=Status.IDLE, step=1200, diverged=None, stop_reason=None)


def page():
    import streamlit as st

    from webui import controls

    controls.status_notice(st.session_state["run"], "Try a lower learning rate (e.g. ÷3).")


def notice(run: StubRun) -> AppTest:
    at = AppTest.from_function(page, default_timeout=30)
    at.session_state["run"] = run
    return at.run()


def test_a_blown_up_run_says_when_and_why_with_the_pages_advice_and_resumes_on_request():
    run = StubRun(Status.DIVERGED, diverged="D loss is NaN")
    at = notice(run)
    assert [e.value for e in at.error] == [
        "**Training blew up at step 1,234: D loss is NaN.** Try a lower learning rate (e.g. ÷3)."
    ]
    at.button[0].click().run()
    assert run.resumed == 1 and not at.error and not at.button and not at.exception


def test_a_stopped_run_says_train_continues_and_a_crashed_one_says_reset():
    at = notice(StubRun(Status.STOPPED, stop_reason="session closed"))
    assert [i.value for i in at.info] == ["Training was stopped (session closed). Press Train to continue."]
    at = notice(StubRun(Status.CRASHED, stop_reason="crashed (see server log)"))
    assert [e.value for e in at.error] == ["Training crashed (see the server log). Press Reset to start again."]


@pytest.mark.parametrize("status", [Status.IDLE, Status.TRAINING, Status.QUEUED, Status.FINISHED])
def test_a_healthy_run_shows_no_notice(status):
    at = notice(StubRun(status))
    assert not at.error and not at.info and not at.button
