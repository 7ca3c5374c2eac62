"""Settings: nested and flat camelCase keys, the "codeqa" section, defaults, validation."""

from __future__ import annotations

import pytest

from codeqa_lsp.settings import (
    DEFAULT_SETTINGS,
    Settings,
    SettingsError,
    parse_settings,
    unknown_keys,
)


def test_defaults_when_nothing_is_sent() -> None:
    assert parse_settings(None) == DEFAULT_SETTINGS
    assert parse_settings({}) == Settings(
        completion_enable=True,
        diagnostics_enable=True,
        suggestions=5,
        threshold=None,
        debounce_ms=200,
        model_path=None,
        inline_enable=True,
        inline_delay_ms=200,
        inline_manual_only=False,
    )


def test_nested_and_flat_keys_mean_the_same() -> None:
    nested = {
        "completion": {"enable": False},
        "diagnostics": {"enable": False},
        "suggestions": 3,
        "threshold": 0.4,
        "debounceMs": 50,
        "modelPath": "/tmp/bundle",
        "inline": {"enable": False, "delayMs": 75, "manualOnly": True},
    }
    flat = {
        "completion.enable": False,
        "diagnostics.enable": False,
        "suggestions": 3,
        "threshold": 0.4,
        "debounceMs": 50,
        "modelPath": "/tmp/bundle",
        "inline.enable": False,
        "inline.delayMs": 75,
        "inline.manualOnly": True,
    }
    expected = Settings(False, False, 3, 0.4, 50, "/tmp/bundle", False, 75, True)
    assert parse_settings(nested) == expected
    assert parse_settings(flat) == expected
    assert parse_settings({"codeqa": nested}) == expected


def test_absent_keys_keep_the_base_values() -> None:
    base = Settings(suggestions=7, debounce_ms=10)
    updated = parse_settings({"threshold": 0.9}, base)
    assert updated == Settings(suggestions=7, debounce_ms=10, threshold=0.9)


def test_null_threshold_and_empty_model_path_mean_default() -> None:
    base = Settings(threshold=0.3, model_path="x")
    assert parse_settings({"threshold": None, "modelPath": ""}, base) == DEFAULT_SETTINGS


def test_integer_threshold_and_float_debounce_are_converted() -> None:
    parsed = parse_settings({"threshold": 1, "debounceMs": 99.6})
    assert parsed.threshold == 1.0 and isinstance(parsed.threshold, float)
    assert parsed.debounce_ms == 99


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ({"suggestions": 0}, "suggestions"),
        ({"suggestions": 21}, "suggestions"),
        ({"suggestions": True}, "suggestions"),
        ({"suggestions": "5"}, "suggestions"),
        ({"threshold": 1.5}, "threshold"),
        ({"threshold": float("nan")}, "threshold"),
        ({"threshold": "high"}, "threshold"),
        ({"debounceMs": -1}, "debounceMs"),
        ({"debounceMs": 60_000}, "debounceMs"),
        ({"completion": {"enable": "yes"}}, "completion.enable"),
        ({"diagnostics.enable": 1}, "diagnostics.enable"),
        ({"modelPath": 3}, "modelPath"),
        ({"inline": {"enable": "on"}}, "inline.enable"),
        ({"inline.manualOnly": 0}, "inline.manualOnly"),
        ({"inline": {"delayMs": -5}}, "inline.delayMs"),
        ({"inline.delayMs": 10_001}, "inline.delayMs"),
    ],
)
def test_invalid_values_name_their_key(raw: dict, needle: str) -> None:
    with pytest.raises(SettingsError, match=needle):
        parse_settings(raw)


def test_every_problem_is_reported_and_nothing_applied() -> None:
    base = Settings(suggestions=4)
    with pytest.raises(SettingsError) as info:
        parse_settings({"suggestions": 0, "threshold": 2, "debounceMs": 5}, base)
    assert "suggestions" in str(info.value) and "threshold" in str(info.value)
    assert base.debounce_ms == 200  # frozen base untouched


def test_non_object_settings_are_rejected() -> None:
    with pytest.raises(SettingsError, match="JSON object"):
        parse_settings([1, 2])


def test_unknown_keys_are_ignored_but_listed() -> None:
    raw = {"codeqa": {"trace": {"server": "verbose"}, "treshold": 0.3, "suggestions": 2}}
    assert parse_settings(raw).suggestions == 2
    assert unknown_keys(raw) == ["trace.server", "treshold"]
