"""What `codeqa-train mine` writes (schemas in docs/DESIGN.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class GenPair:
    """An intent → code pair for the generator. `weight` is the re-sampling weight toward
    Stack Overflow–like intents (mean 1 over the file); `resampled` how often Xu et al.'s
    re-sample drew this row (apidocs rows only, else 0)."""

    intent: str
    snippet: str
    source: str
    weight: float = 1.0
    resampled: int = 0

    def with_weight(self, weight: float) -> GenPair:
        return replace(self, weight=weight)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["weight"] = round(self.weight, 4)
        return data


@dataclass(frozen=True)
class FuncPair:
    """First docstring sentence → function body (≤ 30 lines) for the matcher."""

    intent: str
    code: str
    package: str
    module: str
    qualname: str
    path: str | None = None
    signature: str = ""

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class DocEntry:
    """One API entry: public dotted path, kind, parameter list, first doc sentence, source."""

    path: str
    kind: str
    signature: str | None
    doc: str
    source: str

    def to_json(self) -> dict[str, object]:
        return asdict(self)
