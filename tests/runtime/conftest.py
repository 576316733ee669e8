import time

import pytest


@pytest.fixture
def wait_for():
    """``wait_for(condition, timeout)``: poll until ``condition()`` holds or ``timeout`` s pass; its last value."""

    def wait(condition, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.02)
        return condition()

    return wait
