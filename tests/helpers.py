"""Small helpers shared by the tests."""

import time

import pytest


def wait_until(predicate, timeout=20.0, message="condition", interval=0.1):
    """Poll predicate() until it is truthy and return its value; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"{message} not met within {timeout}s")


def log_in(page, base_url, username, password, *, english=True):
    """Log in through the login page (Chinese by default), then switch the UI to English."""
    page.goto(f"{base_url}/auth/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("button[type=submit].btn-primary").click()
    page.wait_for_url(f"{base_url}/")
    if english:
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
