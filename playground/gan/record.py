"""What a training run leaves behind: its per-step numbers (``History``), stored weights (``Snapshot``) and the
product of one chunk of iterations (``Chunk``), which a child process sends back to the server's trainer."""

from __future__ import annotations

from dataclasses import dataclass

import torch

STAT_NAMES = ("d_loss", "g_loss", "value", "d_real", "d_fake", "grad_norm_d", "grad_norm_g")


class History:
    """Per-step numbers, bounded: when full, every second row is dropped so the whole run stays visible."""

    def __init__(self, max_len: int) -> None:
        self.max_len = max(max_len, 10)
        self.columns: dict[str, list[float]] = {name: [] for name in ("step", *STAT_NAMES, "steps_per_s")}

    def extend(self, rows: dict[str, list[float]]) -> None:
        for name, values in rows.items():
            self.columns[name].extend(values)
        if len(self.columns["step"]) > self.max_len:
            for name, values in self.columns.items():
                self.columns[name] = values[::2]

    def copy(self) -> dict[str, list[float]]:
        return {name: list(values) for name, values in self.columns.items()}

    def to_csv(self) -> str:
        """The table as CSV text, one row per recorded generator step."""
        lines = [",".join(self.columns)]
        lines += [",".join(f"{v:.6g}" for v in row) for row in zip(*self.columns.values())]
        return "\n".join(lines) + "\n"

    def __len__(self) -> int:
        return len(self.columns["step"])


@dataclass
class Snapshot:
    step: int
    generator: dict[str, torch.Tensor]  # CPU copies of state_dicts (G: its moving average)
    discriminator: dict[str, torch.Tensor]


@dataclass
class Chunk:
    """What one ``Trainer.run_chunk`` produced: per-step stats, timeline snapshots, the weights to publish."""

    step_count: int  # after the chunk
    steps: list[int]
    table: dict[str, list[float]]  # STAT_NAMES → one value per step
    rate: float  # steps/s within the chunk
    diverged: str | None
    snapshots: list[Snapshot]
    published: Snapshot | None  # None when the chunk diverged
