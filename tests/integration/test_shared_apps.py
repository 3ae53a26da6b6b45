"""The test suite's shared apps: a test that adds to a borrowed app without asking for an app
of its own fails, and the app it changed is never lent again."""

import pytest
from _pytest.outcomes import Failed
from apps import SharedApps


def test_a_test_that_adds_a_route_to_a_shared_app_fails_and_the_app_is_retired(
        sqlite_template, tmp_path):
    apps = SharedApps(sqlite_template, tmp_path)
    try:
        lending = apps.sqlite()
        changed = next(lending)
        changed.add_url_rule("/added-by-a-test", "added_by_a_test", lambda: "")
        with pytest.raises(Failed, match="added_by_a_test.*fresh_app"):
            next(lending)
        lending = apps.sqlite()
        lent = next(lending)
        assert lent is not changed and "added_by_a_test" not in lent.view_functions
        with pytest.raises(StopIteration):
            next(lending)
    finally:
        apps.close()
