"""Security tests: the browser fixtures and the real ``serve`` process of the browser tests."""

from tests.e2e.conftest import board_page, chromium  # noqa: F401
