"""The server's settings: one frozen dataclass, parsed once from the client's JSON.

Clients send ``initializationOptions`` and ``workspace/didChangeConfiguration`` settings in
camelCase, nested (``{"completion": {"enable": false}}``) or flat
(``{"completion.enable": false}``), optionally wrapped in a ``"codeqa"`` section. Handlers
never dig through raw dicts; they read a `Settings`. See docs/SETTINGS.md.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULT_SETTINGS",
    "SECTION",
    "Settings",
    "SettingsError",
    "parse_settings",
    "unknown_keys",
]

SECTION = "codeqa"
MAX_SUGGESTIONS = 20
MAX_DEBOUNCE_MS = 10_000


class SettingsError(ValueError):
    """One or more settings values are invalid; the message lists every problem by key."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob a client can turn. ``threshold=None`` means the model's calibrated one."""

    completion_enable: bool = True
    diagnostics_enable: bool = True
    suggestions: int = 5
    threshold: float | None = None
    debounce_ms: int = 200
    model_path: str | None = None
    inline_enable: bool = True  # ghost text (textDocument/inlineCompletion)
    inline_delay_ms: int = 200  # quiet time before an automatic ghost-text request runs
    inline_manual_only: bool = False  # answer only inline requests the user invoked


DEFAULT_SETTINGS = Settings()

# wire key (dotted, camelCase) → dataclass field
_KEYS: dict[str, str] = {
    "completion.enable": "completion_enable",
    "diagnostics.enable": "diagnostics_enable",
    "suggestions": "suggestions",
    "threshold": "threshold",
    "debounceMs": "debounce_ms",
    "modelPath": "model_path",
    "inline.enable": "inline_enable",
    "inline.delayMs": "inline_delay_ms",
    "inline.manualOnly": "inline_manual_only",
}


def _flatten(raw: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and dotted not in _KEYS:
            flat.update(_flatten(value, f"{dotted}."))
        else:
            flat[dotted] = value
    return flat


def _unwrap(raw: Any) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SettingsError(f"settings must be a JSON object, got {type(raw).__name__}")
    section = raw.get(SECTION)
    if isinstance(section, Mapping):
        return section
    return raw


def _check(key: str, value: Any) -> tuple[Any, str | None]:
    """Validate one value; returns (converted value, problem or None)."""
    if key in ("completion.enable", "diagnostics.enable", "inline.enable", "inline.manualOnly"):
        if isinstance(value, bool):
            return value, None
        return None, f"{key} must be true or false, got {value!r}"
    if key == "suggestions":
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_SUGGESTIONS:
            return value, None
        return None, f"suggestions must be an integer from 1 to {MAX_SUGGESTIONS}, got {value!r}"
    if key == "threshold":
        if value is None:
            return None, None
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and math.isfinite(value) and 0.0 <= value <= 1.0:
            return float(value), None
        return None, f"threshold must be a number from 0 to 1 or null, got {value!r}"
    if key in ("debounceMs", "inline.delayMs"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and math.isfinite(value) and 0 <= value <= MAX_DEBOUNCE_MS:
            return int(value), None
        return None, f"{key} must be a number from 0 to {MAX_DEBOUNCE_MS}, got {value!r}"
    if key == "modelPath":
        if value is None or value == "":
            return None, None
        if isinstance(value, str):
            return value, None
        return None, f"modelPath must be a string path or null, got {value!r}"
    raise AssertionError(key)


def parse_settings(raw: Any, base: Settings = DEFAULT_SETTINGS) -> Settings:
    """Apply the client's JSON on top of ``base``; keys absent from ``raw`` keep their value.

    Unknown keys are ignored (clients share the section with their own settings, such as
    ``trace.server``); invalid values raise `SettingsError` naming every bad key, and
    nothing is applied.
    """
    flat = _flatten(_unwrap(raw))
    changes: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in flat.items():
        field = _KEYS.get(key)
        if field is None:
            continue
        converted, problem = _check(key, value)
        if problem is not None:
            problems.append(problem)
        else:
            changes[field] = converted
    if problems:
        raise SettingsError("; ".join(problems))
    return dataclasses.replace(base, **changes)


def unknown_keys(raw: Any) -> list[str]:
    """Keys in ``raw`` this server does not read, for a log line about likely typos."""
    try:
        flat = _flatten(_unwrap(raw))
    except SettingsError:
        return []
    return sorted(key for key in flat if key not in _KEYS)
