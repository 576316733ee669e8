"""Benchmark: the project's Trainer against a plainly written PyTorch GAN loop, in one run.

    python -m playground.bench [--seconds 3] [--repeats 3] [--device auto] [--json]

Cases alternate (A, B, A, B, …) and report medians, so a noisy shared machine affects both alike.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import torch
from torch import nn

from playground.data import make_dataset
from playground.device import pick_device
from playground.models import ModelConfig
from playground.training import TrainConfig, Trainer

REFERENCE = "ring8, 2-128-128-2 G, 2-128-128-1 D, ReLU, batch 256, Adam 1e-3 β(0.5, 0.9), non-saturating, k = 1"


def naive_loop(device: torch.device, seconds: float) -> float:
    """The textbook loop (as in pytorch/examples dcgan), written plainly; returns steps/s."""
    torch.manual_seed(0)
    data = make_dataset("ring8")
    gen = torch.Generator(device=device).manual_seed(0)
    G = nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2)).to(device)
    D = nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1)).to(device)
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.9))
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.9))
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(256, 1, device=device), torch.zeros(256, 1, device=device)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        real = data.sample(256, gen, device)
        fake = G(torch.randn(256, 2, device=device))
        d_loss = bce(D(real), ones) + bce(D(fake.detach()), zeros)
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = bce(D(fake), ones)
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        d_loss.item(), g_loss.item()  # a plain loop logs every step
        steps += 1
    return steps / (time.perf_counter() - start)


def trainer_loop(device: torch.device, seconds: float) -> float:
    """The project's Trainer on the same configuration, stepped in chunks as the UI worker does."""
    trainer = Trainer(make_dataset("ring8"), ModelConfig(), TrainConfig(), device=device)
    trainer.step(20)  # warm-up, like the naive loop's first iterations
    first, start = trainer.step_count, time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.step(100, seconds=seconds - (time.perf_counter() - start))
    return (trainer.step_count - first) / (time.perf_counter() - start)


def measure(device: torch.device, seconds: float, repeats: int) -> dict:
    naive, ours = [], []
    for _ in range(repeats):
        naive.append(naive_loop(device, seconds))
        ours.append(trainer_loop(device, seconds))
    n, t = statistics.median(naive), statistics.median(ours)
    return {
        "toy_naive_steps_per_s": n,
        "toy_trainer_steps_per_s": t,
        "toy_trainer_vs_naive": t / n,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m playground.bench", description=__doc__.split("\n")[0])
    p.add_argument("--seconds", type=float, default=3.0, help="seconds per case and repeat")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--device", default="auto")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    result = {
        "device": str(device),
        "device_name": torch.cuda.get_device_name() if device.type == "cuda" else platform.processor() or "cpu",
        "torch": torch.__version__,
        "threads": args.threads,
        "reference": REFERENCE,
        **measure(device, args.seconds, args.repeats),
    }
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"device {result['device']} ({result['device_name']}), torch {result['torch']}, threads {args.threads}")
    print(f"config: {REFERENCE}")
    print(f"{'case':<28}{'steps/s':>10}")
    print(f"{'naive loop':<28}{result['toy_naive_steps_per_s']:>10.1f}")
    print(f"{'Trainer':<28}{result['toy_trainer_steps_per_s']:>10.1f}")
    print(f"ratio Trainer / naive: {result['toy_trainer_vs_naive']:.2f}×")


if __name__ == "__main__":
    main()
