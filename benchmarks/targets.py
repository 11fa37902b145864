"""One benchmark target and how a run did against it, as the one line a benchmark prints:

    target: p99 < 5 ms at 2,000/s offered: MET | figure: median p99 1.5 ms | baseline: echo ...

`benchmarks.run_all` reads these lines back into the table of docs/benchmarks-latest.md, so a
benchmark prints each target through `TargetResult.line()` and nothing else starts "target: ".
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "target: "
SEPARATOR = " | "
VERDICTS = ("MET", "MISSED")


@dataclass(frozen=True)
class TargetResult:
    target: str  # what is promised, e.g. "p99 < 5 ms at 2,000/s offered"
    figure: str  # what this run measured against it
    baseline: str  # what the figure is compared with or measured from ("-": nothing)
    met: bool

    @property
    def verdict(self) -> str:
        return VERDICTS[0] if self.met else VERDICTS[1]

    def line(self) -> str:
        parts = [
            f"{self.target}: {self.verdict}",
            f"figure: {self.figure}",
            f"baseline: {self.baseline}",
        ]
        return PREFIX + SEPARATOR.join(part.replace(SEPARATOR, " / ") for part in parts)

    @classmethod
    def parse(cls, line: str) -> TargetResult | None:
        """The result a `line()` printed; None for any other line."""
        if not line.startswith(PREFIX):
            return None
        head, *fields = line.removeprefix(PREFIX).split(SEPARATOR)
        target, _, verdict = head.rpartition(": ")
        if verdict not in VERDICTS or not target:
            return None
        named = dict(field.partition(": ")[::2] for field in fields)
        return cls(target, named.get("figure", "-"), named.get("baseline", "-"), verdict == "MET")
