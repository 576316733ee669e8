"""Command line: train a GAN headless and write config, history, metrics, weights and samples.

python -m playground.train --dataset ring8 --steps 5000 --seed 0 --out runs/ring8
python -m playground.train --dataset mnist --model dcgan --seconds 60 --out runs/mnist
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from playground.digits.models import DCGANConfig, ImageSampler, MnistMLPConfig
from playground.engines import fast_engine
from playground.experiments.mnist.presets import FAMILY_DEFAULTS
from playground.experiments.toy.presets import DEFAULT_PRESET, PRESETS
from playground.experiments.toy.settings import TOY, model_config, train_config
from playground.gan.checkpoints import save_checkpoint
from playground.gan.data import DATASETS, DataError, make_dataset
from playground.gan.device import pick_device
from playground.gan.metrics import evaluate
from playground.gan.models import ModelConfig
from playground.gan.remedies import REMEDIES, apply_remedies
from playground.gan.trainer import TrainConfig, Trainer
from playground.settings import add_flags

# flags shared with the toy page, declared once in playground/experiments/toy/settings.py
SHARED_FLAGS = ("loss", "optimizer", "seed", "batch_size", "k", "reuse_fakes", "lr_d", "lr_g", "hidden", "depth",
                "activation", "latent_dim", "pack")  # fmt: skip
N_SAMPLES = 2500  # the VEEGAN/PacGAN protocol's sample count
MNIST_SAMPLES = 1000  # digits judged by the classifier (as in the MNIST acceptance figures)
MNIST_STEPS = 2000  # about a minute of the default DCGAN on 2 CPU cores


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports bad flags in one line (exit 2), like every other input error here."""

    def error(self, message: str) -> None:  # type: ignore[override]
        fail(message)


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    default = PRESETS[DEFAULT_PRESET]  # the app's starting configuration
    m, t = default.model, default.train
    p = OneLineParser(prog="python -m playground.train", description=__doc__.split("\n")[0])
    p.add_argument("--preset", choices=list(PRESETS), help="start from a named setup; other flags override it")
    p.add_argument("--remedy", action="append", default=[], metavar="NAME[=VALUE]",
                   help=f"mode-collapse remedy, repeatable: {', '.join(REMEDIES)}")  # fmt: skip
    p.add_argument("--dataset", default=default.dataset,
                   help=f"{', '.join(DATASETS)}, mnist, or a path to points.csv")  # fmt: skip
    p.add_argument(
        "--model",
        choices=list(FAMILY_DEFAULTS),
        default="dcgan",
        help="MNIST only: the network family; its defaults (loss, k, rates, …) apply unless overridden",
    )
    p.add_argument(
        "--conditional",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="MNIST DCGAN: tell G and D each digit's class (default on for dcgan)",
    )
    p.add_argument(
        "--augment-shift",
        type=int,
        default=t.augment_shift,
        help="MNIST: D sees images shifted by up to ± this many pixels; 0 = off",
    )
    p.add_argument(
        "--mnist-root",
        default="data",
        help="folder for torchvision's MNIST (downloaded there if possible, else the embedded digits)",
    )
    p.add_argument("--no-download", action="store_true", help="MNIST: use --mnist-root as is, never download")
    add_flags(p, TOY, SHARED_FLAGS)  # the toy page's settings: one declaration, one default each
    p.add_argument("--steps", type=int, default=default.steps, help="generator steps (each with k D steps)")
    p.add_argument("--seconds", type=float, default=None, help="stop after this many seconds")
    p.add_argument("--gp-weight", type=float, default=t.gp_weight, help="WGAN-GP λ")
    p.add_argument("--ema-decay", type=float, default=t.ema_decay, help="moving average of G for samples; 0 = off")
    p.add_argument("--prior", default=m.prior, choices=["normal", "uniform"])
    p.add_argument("--beta1", type=float, default=t.beta1, help="Adam β₁")
    p.add_argument("--beta2", type=float, default=t.beta2, help="Adam β₂")
    p.add_argument("--momentum", type=float, default=t.momentum, help="SGD momentum")
    p.add_argument("--mbstd-group", type=int, default=m.mbstd_group, help="minibatch-stddev group; 0 = off")
    p.add_argument("--unroll-steps", type=int, default=t.unroll_steps, help="unrolled-GAN D steps; 0 = off")
    p.add_argument("--instance-noise", type=float, default=t.instance_noise, help="σ₀ of annealed input noise")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    p.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest for tiny nets)")
    p.add_argument("--out", required=True, help="output directory")
    return p


def configs_from(args: argparse.Namespace) -> tuple[ModelConfig | DCGANConfig | MnistMLPConfig, TrainConfig]:
    try:
        values = vars(args)
        train = replace(train_config(values), gp_weight=args.gp_weight, ema_decay=args.ema_decay, beta1=args.beta1,
                        beta2=args.beta2, momentum=args.momentum, unroll_steps=args.unroll_steps,
                        instance_noise=args.instance_noise, augment_shift=args.augment_shift)  # fmt: skip
        if args.dataset == "mnist":
            return mnist_model(args), train
        if args.conditional is not None or args.augment_shift:
            fail("--conditional and --augment-shift are for --dataset mnist")
        model = replace(model_config(values), prior=args.prior, mbstd_group=args.mbstd_group)
        model, train = apply_remedies(model, train, args.remedy)
    except ValueError as exc:
        fail(str(exc))
    return model, train


def mnist_model(args: argparse.Namespace) -> DCGANConfig | MnistMLPConfig:
    if args.remedy:
        fail("--remedy is for the 2-D datasets; for MNIST choose --loss (e.g. wgan-gp)")
    if args.model == "mlp":
        if args.conditional:
            fail("--conditional needs --model dcgan")
        return MnistMLPConfig(latent_dim=args.latent_dim, prior=args.prior)
    return DCGANConfig(latent_dim=args.latent_dim, prior=args.prior, num_classes=10 if args.conditional else 0)


def mnist_sampler(args: argparse.Namespace, model_cfg, device) -> ImageSampler:
    """Full MNIST via torchvision when it is under (or can be downloaded to) --mnist-root, else the embedded digits."""
    from playground.digits.data import load_mnist

    data = load_mnist(args.mnist_root or None, download=not args.no_download)
    if data.notice:
        print(f"note: {data.notice}", file=sys.stderr)
    labels = data.labels if getattr(model_cfg, "num_classes", 0) else None
    return ImageSampler(data.images, pick_device(device), labels)


@torch.no_grad()
def evaluate_digits(trainer: Trainer, samples: torch.Tensor) -> dict:
    """The shipped classifier's report on the samples and, beside it, on as many real training digits (floor)."""
    from playground.digits.classifier import load_classifier
    from playground.digits.data import load_mnist
    from playground.digits.metrics import digit_report, real_floor, reference_stats

    classifier = load_classifier()
    ref = reference_stats(load_mnist(split="heldout").images, classifier)
    report = digit_report(samples.cpu(), classifier, ref)
    floor = real_floor(trainer.data.images.cpu(), classifier, ref, n=len(samples))
    return {"step": trainer.step_count, **report, "real_floor": floor,
            "note": "classifier-FID/IS: the shipped MNIST classifier's features, not Inception"}  # fmt: skip


def write_outputs(out: Path, trainer: Trainer, dataset: str, metrics: dict, samples: np.ndarray) -> None:
    out.mkdir(parents=True, exist_ok=True)
    config = {"dataset": dataset, "model": trainer.model_cfg.to_dict(), "train": trainer.cfg.to_dict(),
              "device": str(trainer.device), "steps": trainer.step_count}  # fmt: skip
    (out / "config.json").write_text(json.dumps(config, indent=2))
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    (out / "history.csv").write_text(trainer.history.to_csv())
    save_checkpoint(out / "generator.safetensors", trainer.G_ema, "generator", trainer.model_cfg, trainer.step_count)
    save_checkpoint(
        out / "discriminator.safetensors", trainer.D, "discriminator", trainer.model_cfg, trainer.step_count
    )
    np.save(out / "samples.npy", samples)


def run(args: argparse.Namespace) -> dict:
    torch.set_num_threads(max(args.threads, 1))
    if args.steps < 1:
        fail("--steps must be at least 1")
    model_cfg, train_cfg = configs_from(args)
    try:
        data = mnist_sampler(args, model_cfg, args.device) if args.dataset == "mnist" else make_dataset(args.dataset)
        trainer = Trainer(data, model_cfg, train_cfg, device=args.device, engine=fast_engine)
    except (DataError, ValueError) as exc:
        fail(str(exc))
    start = time.perf_counter()
    with tqdm(total=args.steps, unit="step", file=sys.stderr, disable=None) as bar:
        while trainer.step_count < args.steps and not trainer.diverged:
            left = None if args.seconds is None else args.seconds - (time.perf_counter() - start)
            if left is not None and left <= 0:
                break
            bar.update(trainer.step(min(200, args.steps - trainer.step_count), seconds=left))
    diverged = trainer.diverged
    if diverged:
        trainer.restore()  # report and save the last good weights, not NaNs
        print(
            f"warning: stopped at step {trainer.step_count}: {diverged}; kept step {trainer.published.step}",
            file=sys.stderr,
        )
    seconds = time.perf_counter() - start
    if args.dataset == "mnist":  # [N, 28, 28] in [0, 1]; a conditional G draws every digit equally often
        images = trainer.sample(MNIST_SAMPLES, labels=torch.arange(MNIST_SAMPLES) % 10 if trainer.classes else None)
        metrics = evaluate_digits(trainer, images)
        samples = ((images[:, 0] + 1) / 2).clamp(0, 1)
    else:
        metrics = evaluate(trainer, N_SAMPLES)
        samples = trainer.sample(N_SAMPLES)  # [N, data_dim]
    metrics.update(seconds=seconds, steps_per_s=trainer.step_count / seconds, diverged=diverged)
    write_outputs(Path(args.out), trainer, args.dataset, metrics, samples.cpu().numpy().astype(np.float32))
    return metrics


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse twice: a --preset first becomes the defaults, so explicit flags still override it."""
    parser = build_parser()
    first = parser.parse_args(argv)
    if first.dataset == "mnist":
        if first.preset:
            fail("--preset is for the 2-D datasets; for MNIST choose --model")
        m, t = FAMILY_DEFAULTS[first.model]
        flags = {**m.to_dict(), **t.to_dict()}
        parser.set_defaults(steps=MNIST_STEPS, conditional=bool(flags.pop("num_classes", 0)),
                            **{k: v for k, v in flags.items() if hasattr(first, k)})  # fmt: skip
    elif first.preset:
        preset = PRESETS[first.preset]
        flags = {**preset.model.to_dict(), **preset.train.to_dict()}
        parser.set_defaults(dataset=preset.dataset, steps=preset.steps,
                            **{k: v for k, v in flags.items() if hasattr(first, k)})  # fmt: skip
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    metrics = run(parse_args(argv))
    summary = {k: v for k, v in metrics.items() if not isinstance(v, list)}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
