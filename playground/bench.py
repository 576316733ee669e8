"""Benchmark: every speed figure of the project, measured side by side in one run.

    python -m playground.bench [--seconds 3] [--repeats 3] [--device auto] [--json]

Cases:
- toy GAN: a plainly written PyTorch loop vs the project's Trainer (same config), on ``--threads`` threads (default 1,
  as the pages run each trainer) and with a thread per core;
- the Trainer inside the UI's background worker (in a child process, as the pages run it), with a 5 Hz page
  refresh reading frames in the server vs without; and with the trainer in a thread of the server instead;
- 16 seeds as one vectorised sweep vs 16 separate trainers stepped in a Python loop;
- MNIST MLP GAN and DCGAN: real images per second seen by D;
- latent explorer: time from a slider change to the new digit's PNG (median, p95 over 60 changes);
- lecture load: 20 workers in one server sharing the trainer slots vs one worker alone.
Compared cases alternate (A, B, A, B, …) and report medians, so a noisy shared machine affects both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import torch
from torch import nn

from playground.engines import fast_engine
from playground.gan.data import make_dataset
from playground.gan.device import pick_device
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer

REFERENCE = (
    "ring8, 2-128-128-2 G, 2-128-128-1 D, ReLU, batch 256, Adam 1e-3 β(0.5, 0.9), non-saturating, k = 1, "
    "G on a fresh noise minibatch (Algorithm 1)"
)


def naive_loop(device: torch.device, seconds: float) -> float:
    """The textbook loop (as in pytorch/examples dcgan, with Algorithm 1's fresh noise for G), written plainly;
    returns steps/s."""
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
        g_loss = bce(D(G(torch.randn(256, 2, device=device))), ones)  # a fresh minibatch of noise
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        d_loss.item(), g_loss.item()  # a plain loop logs every step
        steps += 1
    return steps / (time.perf_counter() - start)


def trainer_loop(device: torch.device, seconds: float) -> float:
    """The project's Trainer on the same configuration, stepped in chunks as the UI worker does."""
    trainer = Trainer(make_dataset("ring8"), ModelConfig(), TrainConfig(), device=device, engine=fast_engine)
    trainer.step(20)  # warm-up, like the naive loop's first iterations
    first, start = trainer.step_count, time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.step(100, seconds=seconds - (time.perf_counter() - start))
    return (trainer.step_count - first) / (time.perf_counter() - start)


def worker_loop(device: torch.device, seconds: float, refresh: bool, process: bool = True) -> float:
    """Steps/s of the default toy run in the UI's worker, with or without a 5 Hz frame reader in this process.
    ``process``: the pages' mode, training in a child process (``playground.runtime.child``); else a thread."""
    from playground.runtime.worker import TrainingWorker
    from playground.views.figures import frame_at, make_view

    trainer = Trainer(make_dataset("ring8"), ModelConfig(), TrainConfig(), device=device, engine=fast_engine)
    view = make_view(trainer.data, trainer.model_cfg)
    worker = TrainingWorker(trainer, heartbeat_timeout=None, slots=None, process=process)
    worker.start()
    time.sleep(0.3)  # warm-up
    first, start = trainer.step_count, time.perf_counter()
    while time.perf_counter() - start < seconds:
        if refresh:
            frame_at(trainer, view)  # what the page's fragment computes on each redraw
        time.sleep(0.2)
    rate = (trainer.step_count - first) / (time.perf_counter() - start)
    worker.stop()
    return rate


def lecture_load(device: torch.device, seconds: float, sessions: int = 20) -> dict[str, float]:
    """Steps/s of ``sessions`` background workers in one server (the app's fair-share slots, one trainer per
    core, each in a child process as the pages run them; turns of 1 s so every session trains within the run)
    against one worker alone."""
    from playground.runtime.slots import TrainerSlots, default_trainer_limit
    from playground.runtime.worker import TrainingWorker

    def run(n: int, duration: float) -> list[float]:
        slots = TrainerSlots(default_trainer_limit(), turn_seconds=1.0)
        trainers = [
            Trainer(make_dataset("ring8"), ModelConfig(), TrainConfig(seed=i), device=device, engine=fast_engine)
            for i in range(n)
        ]
        workers = [TrainingWorker(t, heartbeat_timeout=None, slots=slots, process=True) for t in trainers]
        for worker in workers:
            worker.start()
        start = time.perf_counter()
        time.sleep(duration)
        counts = [t.step_count for t in trainers]
        elapsed = time.perf_counter() - start
        for worker in workers:
            worker.stop()
        return [c / elapsed for c in counts]

    alone = run(1, seconds)[0]
    many = run(sessions, max(3 * seconds, min(2 * sessions / default_trainer_limit(), 10 * seconds)))  # 2 rounds
    return {
        "lecture_one_alone_steps_per_s": alone,
        "lecture_sessions": sessions,
        "lecture_aggregate_steps_per_s": sum(many),
        "lecture_aggregate_vs_one_alone": sum(many) / alone,
        "lecture_slowest_session_steps_per_s": min(many),
        "lecture_fastest_session_steps_per_s": max(many),
    }


def sweep_loop(device: torch.device, seconds: float, vectorised: bool, seeds: int = 16) -> float:
    """Seed-steps/s (G steps summed over seeds) of the default toy config for ``seeds`` seeds."""
    from playground.sweep import make_sweep

    # vectorised: what the CLI and the lab build (on a multi-core CPU, one stacked group of seeds per core)
    sweep = make_sweep(make_dataset("ring8"), ModelConfig(), TrainConfig(), list(range(seeds)), str(device),
                       loop=not vectorised)  # fmt: skip
    sweep.step(2)
    first, start = sweep.step_count, time.perf_counter()
    while time.perf_counter() - start < seconds:
        sweep.step(5)
    return seeds * (sweep.step_count - first) / (time.perf_counter() - start)


def mnist_images_per_s(device: torch.device, seconds: float, model: str) -> float:
    """Real digits per second that D reads (k·batch per G step) with the MNIST page's defaults for the family
    (``mnist_presets.FAMILY_DEFAULTS``: the class-conditional DCGAN at batch 64, the WGAN-GP MLP at batch 32, k 2)."""
    from playground.digits.data import embedded_mnist
    from playground.digits.models import ImageSampler
    from playground.experiments.mnist.presets import FAMILY_DEFAULTS

    digits = embedded_mnist("train")
    model_cfg, cfg = FAMILY_DEFAULTS[model]
    data = ImageSampler(digits.images, device, digits.labels if getattr(model_cfg, "num_classes", 0) else None)
    trainer = Trainer(data, model_cfg, cfg, device=device, engine=fast_engine)
    trainer.step(3)
    first, start = trainer.step_count, time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.step(10, seconds=seconds - (time.perf_counter() - start))
    return (trainer.step_count - first) * cfg.batch_size * cfg.k / (time.perf_counter() - start)


def latent_latency_ms() -> tuple[float, float]:
    """(median, p95) ms from a slider change to the PNG of the shipped DCGAN's digit, 60 changes."""
    from pathlib import Path

    from playground.experiments.latent.tools import digit_png, latency_summary, slider_latency
    from playground.gan.checkpoints import read_checkpoint

    path = Path(__file__).resolve().parent.parent / "pretrained" / "dcgan_generator.safetensors"
    G, cfg, _ = read_checkpoint(path)
    with torch.no_grad():
        times = slider_latency(lambda z: digit_png(G, z), torch.zeros(cfg.latent_dim))
    return latency_summary(times)


def _alternate(repeats: int, a, b) -> tuple[float, float]:
    first, second = [], []
    for _ in range(repeats):
        first.append(a())
        second.append(b())
    return statistics.median(first), statistics.median(second)


def _all_cores(work):
    """``work()`` with torch using a thread on every usable core (then the thread count as it was)."""
    threads, cores = torch.get_num_threads(), len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    torch.set_num_threads(cores)
    try:
        return work()
    finally:
        torch.set_num_threads(threads)


def measure(device: torch.device, seconds: float, repeats: int) -> dict:
    n, t = _alternate(repeats, lambda: naive_loop(device, seconds), lambda: trainer_loop(device, seconds))
    # the same pair with a thread per core, as a lone user on the command line runs it (the naive loop's default)
    n_all, t_all = _all_cores(
        lambda: _alternate(repeats, lambda: naive_loop(device, seconds), lambda: trainer_loop(device, seconds))
    )
    bare, ui = _alternate(
        repeats, lambda: worker_loop(device, seconds, False), lambda: worker_loop(device, seconds, True)
    )
    thread_ui = statistics.median(worker_loop(device, seconds, True, process=False) for _ in range(repeats))
    # a sweep has the machine to itself (CLI, or the lab's one worker): both ways get every core's thread
    loop, vec = _all_cores(
        lambda: _alternate(
            repeats, lambda: sweep_loop(device, seconds, False), lambda: sweep_loop(device, seconds, True)
        )
    )
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    median_ms, p95_ms = latent_latency_ms()
    lecture = lecture_load(device, seconds)
    return {
        "toy_naive_steps_per_s": n,
        "toy_trainer_steps_per_s": t,
        "toy_trainer_vs_naive": t / n,
        "toy_all_cores_naive_steps_per_s": n_all,
        "toy_all_cores_trainer_steps_per_s": t_all,
        "toy_all_cores_trainer_vs_naive": t_all / n_all,
        "cores": cores,
        "toy_worker_steps_per_s": bare,
        "toy_worker_with_5hz_refresh_steps_per_s": ui,
        "toy_refresh_vs_headless": ui / bare,
        "toy_thread_worker_with_5hz_refresh_steps_per_s": thread_ui,
        "toy_thread_refresh_vs_headless": thread_ui / bare,
        "sweep16_loop_seed_steps_per_s": loop,
        "sweep16_vectorised_seed_steps_per_s": vec,
        "sweep16_vectorised_vs_loop": vec / loop,
        "mnist_mlp_images_per_s": mnist_images_per_s(device, seconds, "mlp"),
        "mnist_dcgan_images_per_s": mnist_images_per_s(device, seconds, "dcgan"),
        "latent_slider_to_png_ms_median": median_ms,
        "latent_slider_to_png_ms_p95": p95_ms,
        **lecture,
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
    rows = [
        ("toy: naive loop, steps/s", "toy_naive_steps_per_s"),
        ("toy: Trainer, steps/s", "toy_trainer_steps_per_s"),
        ("  ratio Trainer / naive", "toy_trainer_vs_naive"),
        ("toy, all cores: naive loop, steps/s", "toy_all_cores_naive_steps_per_s"),
        ("toy, all cores: Trainer, steps/s", "toy_all_cores_trainer_steps_per_s"),
        ("  ratio Trainer / naive", "toy_all_cores_trainer_vs_naive"),
        ("toy: worker, no page, steps/s", "toy_worker_steps_per_s"),
        ("toy: worker + 5 Hz frames, steps/s", "toy_worker_with_5hz_refresh_steps_per_s"),
        ("  ratio with page / without", "toy_refresh_vs_headless"),
        ("  same, trainer in a thread: ratio", "toy_thread_refresh_vs_headless"),
        ("16 seeds, all cores: loop, seed-st/s", "sweep16_loop_seed_steps_per_s"),
        ("16 seeds, all cores: vectorised", "sweep16_vectorised_seed_steps_per_s"),
        ("  ratio vectorised / loop", "sweep16_vectorised_vs_loop"),
        ("MNIST MLP (page default): real images/s", "mnist_mlp_images_per_s"),
        ("MNIST DCGAN (page default): images/s", "mnist_dcgan_images_per_s"),
        ("latent slider → PNG, ms median", "latent_slider_to_png_ms_median"),
        ("latent slider → PNG, ms p95", "latent_slider_to_png_ms_p95"),
        ("lecture: 1 session alone, steps/s", "lecture_one_alone_steps_per_s"),
        ("lecture: 20 sessions, total steps/s", "lecture_aggregate_steps_per_s"),
        ("  ratio 20 sessions / one alone", "lecture_aggregate_vs_one_alone"),
        ("  slowest session, steps/s", "lecture_slowest_session_steps_per_s"),
        ("  fastest session, steps/s", "lecture_fastest_session_steps_per_s"),
    ]
    for label, key in rows:
        print(f"{label:<38}{result[key]:>10.2f}")


if __name__ == "__main__":
    main()
