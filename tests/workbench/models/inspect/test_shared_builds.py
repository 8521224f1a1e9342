"""Builds shared between sessions: keyed on the design's content and mode, bounded, one
build per key however many threads ask at once."""

from __future__ import annotations

import threading

import pytest

from workbench.models.inspect.shared_builds import MAX_SHARED_BUILDS, SharedBuilds, design_key


def test_design_key_follows_content_not_identity_or_order():
    design = {"name": "m", "input": {"shape": [4], "dtype": "float32"}, "blocks": []}
    reordered = {"blocks": [], "input": {"dtype": "float32", "shape": [4]}, "name": "m"}
    assert design_key(design, is_training=False) == design_key(reordered, is_training=False)
    renamed = {**design, "name": "n"}
    assert design_key(renamed, is_training=False) != design_key(design, is_training=False)
    assert design_key(design, is_training=True) != design_key(design, is_training=False)


def test_design_key_refuses_what_is_not_json_data():
    with pytest.raises(TypeError, match=r"design_key: `design` must be plain JSON data.*object"):
        design_key({"blocks": [object()]}, is_training=False)


def test_a_key_is_built_once_and_the_same_build_given_again():
    builds = SharedBuilds(max_entries=2)
    first = builds.get("a", lambda: ["built"])
    assert builds.get("a", lambda: ["other"]) is first
    assert builds.builds == 1


def test_fresh_builds_again_and_replaces_what_was_kept():
    builds = SharedBuilds(max_entries=2)
    first = builds.get("a", lambda: [1])
    second = builds.get("a", lambda: [2], fresh=True)
    assert second == [2] and second is not first
    assert builds.get("a", lambda: [3]) is second and builds.builds == 2


def test_the_least_recently_used_build_goes_first():
    builds = SharedBuilds(max_entries=2)
    builds.get("a", list)
    builds.get("b", list)
    builds.get("a", list)  # Used again: "b" is now the oldest.
    builds.get("c", list)
    assert builds.keys() == ["a", "c"] and len(builds) == 2
    builds.get("b", list)
    assert builds.keys() == ["c", "b"] and builds.builds == 4


def test_the_default_bound_holds_the_app_to_a_few_builds():
    builds = SharedBuilds()
    for index in range(MAX_SHARED_BUILDS + 3):
        builds.get(str(index), list)
    assert len(builds) == MAX_SHARED_BUILDS == 4


def test_a_failed_build_is_not_kept_and_its_error_reaches_the_caller():
    builds = SharedBuilds(max_entries=2)

    def fail():
        raise ValueError("no such layer")

    with pytest.raises(ValueError, match="no such layer"):
        builds.get("a", fail)
    assert len(builds) == 0
    assert builds.get("a", lambda: [1]) == [1] and builds.builds == 2


@pytest.mark.parametrize("bad", [0, -1, 2.0, True, "4"])
def test_max_entries_must_be_a_positive_int(bad):
    with pytest.raises(ValueError, match=r"`max_entries` must be an int >= 1, got"):
        SharedBuilds(max_entries=bad)


def test_threads_asking_for_one_key_at_once_share_one_build():
    builds = SharedBuilds(max_entries=2)
    started, release = threading.Event(), threading.Event()

    def slow_build():
        started.set()
        release.wait(30)  # Held until every thread has asked.
        return ["built"]

    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(builds.get("a", slow_build)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    assert started.wait(30)
    release.set()
    for thread in threads:
        thread.join(30)
    assert len(results) == 8 and all(r is results[0] for r in results)
    assert builds.builds == 1


def test_threads_waiting_on_a_failing_build_all_get_its_error():
    builds = SharedBuilds(max_entries=2)
    release = threading.Event()

    def failing():
        release.wait(30)
        raise RuntimeError("broken design")

    errors: list[str] = []

    def ask():
        try:
            builds.get("a", failing)
        except RuntimeError as err:
            errors.append(str(err))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(30)
    assert len(errors) == 4 and set(errors) == {"broken design"}
    assert len(builds) == 0
