"""Sorting and filtering runs, and the errors of a bad sort key or filter."""

from __future__ import annotations

import pytest

from workbench.models.runs import QueryError, RunRecord, filter_runs, parse_filter, sort_runs


def _runs() -> list[RunRecord]:
    return [
        RunRecord("jobs/a", "/w/jobs/a", status="finished", learning_rate=0.1, val_accuracy=0.8,
                  optimizer="adam", design="LeNet"),
        RunRecord("jobs/b", "/w/jobs/b", status="failed", learning_rate=0.001, design="cifarnet"),
        RunRecord("jobs/c", "/w/jobs/c", status="finished", learning_rate=0.01, val_accuracy=0.95,
                  optimizer="momentum", design="lenet"),
        RunRecord("jobs/d", "/w/jobs/d", status="running", learning_rate=None, design=None),
    ]  # fmt: skip


def _names(runs):
    return [r.run[-1] for r in runs]


@pytest.mark.parametrize(
    "filters, expected",
    [
        (["status=finished"], "ac"),
        (["status==FINISHED"], "ac"),
        (["status!=finished"], "bd"),
        (["status=done"], "ac"),
        (["optimizer=ADAM"], "a"),
        (["status~fin"], "ac"),
        (["lr<0.01"], "b"),
        (["lr<=0.01"], "bc"),
        (["learning_rate>0.005", "status=finished"], "ac"),
        (["lr >= 0.1"], "a"),
        (["acc>0.9"], "c"),
        (["design~lenet"], "ac"),
        (["design<m"], "abc"),  # text compares as text, any case: LeNet < m
        (["val_accuracy="], "bd"),  # without a validation accuracy
        (["val_accuracy!="], "ac"),
        ([], "abcd"),
    ],
)
def test_filters(filters, expected):
    assert "".join(_names(filter_runs(_runs(), filters))) == expected


@pytest.mark.parametrize(
    "key, expected",
    [
        ("lr", "bcad"),
        ("-lr", "acbd"),
        ("-acc", "cabd"),  # runs without a value last, in either direction
        ("acc", "acbd"),
        ("design", "bacd"),  # any case: cifarnet, LeNet, lenet
        ("-status", "dacb"),
    ],
)
def test_sort(key, expected):
    assert "".join(_names(sort_runs(_runs(), key))) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("lr", r"filter: must be FIELD OP VALUE with OP one of <= >= != = < > ~ .*got 'lr'"),
        ("learnin_rate<0.1", r"filter 'learnin_rate<0.1': field must be one of .* got "
                             r"'learnin_rate'. Did you mean 'learning_rate'\?"),
        ("lr<fast", r"filter 'lr<fast': learning_rate is a number, so the value must be a "
                    r"number, got 'fast'"),
        ("lr<", r"filter 'lr<': a value must follow '<'"),
        ("lr<nan", r"filter 'lr<nan': learning_rate is a number, so the value must be a "
                   r"finite number, got 'nan'"),
        ("duration>1e999", r"filter 'duration>1e999': duration_s is a number, so the value "
                           r"must be a finite number, got '1e999'"),
        (5, r"filter: must be a str 'FIELD OP VALUE', got 5"),
        ("status=runing", r"filter 'status=runing': status must be one of new, starting, "
                          r"running, finished, failed, stopped, got 'runing'. Did you mean "
                          r"'running'\?"),
        ("optimizer!=lbfgs", r"optimizer must be one of sgd, momentum, adam, rmsprop, got "
                             r"'lbfgs'"),
    ],
)  # fmt: skip
def test_bad_filters_say_what_was_wrong(text, message):
    with pytest.raises(QueryError, match=message):
        parse_filter(text)


def test_bad_sort_keys_say_what_was_wrong():
    with pytest.raises(QueryError, match=r"sort '-acuracy': field must be one of .*Did you mean"):
        sort_runs(_runs(), "-acuracy")
    with pytest.raises(QueryError, match=r"sort: must be a field name, .* got '-'"):
        sort_runs(_runs(), "-")


def test_a_parsed_filter_keeps_its_text_and_number():
    parsed = parse_filter(" wd > 1e-4 ")
    assert (parsed.field, parsed.op, parsed.value) == ("weight_decay", ">", 1e-4)
