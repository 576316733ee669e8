"""One GAN iteration, Algorithm 1 of Goodfellow et al. 2014, written once with autograd: the reference step.

    for k steps:
        sample m noise samples z⁽¹⁾…z⁽ᵐ⁾ ~ p_z and m examples x⁽¹⁾…x⁽ᵐ⁾ ~ p_data
        (1) update D by ascending   ∇_θd (1/m) Σᵢ [log D(x⁽ⁱ⁾) + log(1 − D(G(z⁽ⁱ⁾)))]
    sample a fresh minibatch of m noise samples z⁽¹⁾…z⁽ᵐ⁾ ~ p_z
    (2) update G by descending  ∇_θg (1/m) Σᵢ log(1 − D(G(z⁽ⁱ⁾)))

Each formulation in ``playground.gan.losses`` replaces the two objectives (the default, "nonsat", has G descend
−log D(G(z)) instead). ``TrainConfig.reuse_fakes`` is the DCGAN-style shortcut: G's update reuses the last D update's
fakes instead of fresh noise (one G forward less). The speed engines (``playground.engines``) compute the same
numbers from the same random draws in the same order; tests/engines prove it. The Trainer owns everything these
functions read (networks, optimizers, the loss, the random stream ``gen``) and calls an engine's ``iterate``.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, NamedTuple, Protocol

import torch

from playground.gan.losses import gradient_penalty
from playground.gan.models import latent_labels

if TYPE_CHECKING:
    from playground.gan.trainer import TrainConfig, Trainer


class StepRecord(NamedTuple):
    """What one iteration keeps for its statistics (the Trainer computes them for a whole chunk at once)."""

    d_logits: torch.Tensor  # the last D update's logits on [real; fake]
    g_logits: torch.Tensor  # D's logits on the fakes in the G update
    penalty: torch.Tensor | None  # λ·gradient penalty in D's loss (WGAN-GP), else None
    norm_d: torch.Tensor  # ‖∇‖ over D's parameters in its last update
    norm_g: torch.Tensor  # and over G's


class Minibatch(NamedTuple):
    real: torch.Tensor  # [m, ...] examples from p_data
    fake: torch.Tensor  # [m, ...] G(z)
    real_labels: torch.Tensor | None  # classes, for a class-conditional model (else None)
    fake_labels: torch.Tensor | None


def generate(t: Trainer, m: int) -> tuple[torch.Tensor, torch.Tensor | None]:
    """m noise samples z ~ p_z through G: the fakes [m, ...] and the classes G was asked for (None if unconditional)."""
    z = t.latent(m)  # [m, latent_dim (+ classes)]
    return t.G(z), latent_labels(z, t.model_cfg)


def minibatch(t: Trainer, m: int, grad: bool = False) -> Minibatch:
    """m fakes (with their graph only if ``grad``), then m examples: the order of random draws every engine follows."""
    with torch.set_grad_enabled(grad):
        fake, fake_labels = generate(t, m)
    real, real_labels = t.real_batch(m)
    return Minibatch(real, fake, real_labels, fake_labels)


def judge(D: torch.nn.Module, x: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
    """D's logits; a class-conditional D also reads each sample's label."""
    return D(x) if labels is None else D(x, labels)


def grad_norm(opt: torch.optim.Optimizer) -> torch.Tensor:
    """‖∇‖ over the parameters an optimizer updates (its param list is cached: cheaper than .parameters())."""
    grads = [p.grad for group in opt.param_groups for p in group["params"] if p.grad is not None]
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


def d_update(
    t: Trainer, batch: Minibatch, sigma: float = 0.0, opt: torch.optim.Optimizer | None = None
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
    """(1) One D update: maximise log D(x) + log(1 − D(G(z))), i.e. minimise the loss's D objective
    (BCE: E[softplus(−a_real)] + E[softplus(a_fake)]), plus λ·E[(‖∇D(x̂)‖ − 1)²] for WGAN-GP.

    D sees both batches through the instance noise σ and the image shift; the fakes are detached, so G is left alone.
    ``opt``: an optimizer of D's own (default the trainer's). Returns (logits on [real; fake], λ·penalty or None, ‖∇‖).
    """
    opt = opt or t.opt_d
    real, fake = t.seen_by_d(batch.real, sigma), t.seen_by_d(batch.fake.detach(), sigma)
    labels = None if batch.fake_labels is None else torch.cat([batch.real_labels, batch.fake_labels])
    logits = judge(t.D, torch.cat([real, fake]), labels)  # [2m / pack, 1]: one pass over real and fake
    d_loss = t.loss.d(*logits.chunk(2))
    penalty = None
    if t.loss.penalty:  # x̂ on segments real–fake; a conditional critic judges x̂ with the real samples' classes
        critic = lambda x: judge(t.D, x, batch.real_labels)  # noqa: E731
        penalty = t.cfg.gp_weight * gradient_penalty(critic, real, fake, t.gen)
        d_loss = d_loss + penalty
    opt.zero_grad(set_to_none=True)
    d_loss.backward()
    norm = grad_norm(opt)
    opt.step()
    return logits.detach(), None if penalty is None else penalty.detach(), norm


def g_update(
    t: Trainer,
    fake: torch.Tensor,
    labels: torch.Tensor | None = None,
    sigma: float = 0.0,
    opt: torch.optim.Optimizer | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(2) One G update on fakes G(z) (with their graph): minimise the loss's G objective of D's verdict
    (non-saturating: −E[log D(G(z))] = E[softplus(−a_fake)]); the gradient flows through D into G.

    D's parameters are frozen meanwhile (no D gradients are needed). Returns (D's logits on the fakes, ‖∇_G‖).
    """
    opt = opt or t.opt_g
    t.D.requires_grad_(False)
    logits = judge(t.D, t.seen_by_d(fake, sigma), labels)  # [m / pack, 1]
    opt.zero_grad(set_to_none=True)
    t.loss.g(logits).backward()
    t.D.requires_grad_(True)
    norm = grad_norm(opt)
    opt.step()
    return logits.detach(), norm


def unrolled_g_update(
    t: Trainer, fake: torch.Tensor, labels: torch.Tensor | None = None, sigma: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """(2′) Unrolled GAN (Metz et al. 2017), first-order form: D takes K more updates on fresh minibatches, G is
    scored against that future D_K (so it avoids moves D would punish next), then D and its optimizer are rewound.

    G's gradient flows through D_K, not through the K updates themselves (which the paper also differentiates).
    """
    saved = copy.deepcopy(t.D.state_dict()), copy.deepcopy(t.opt_d.state_dict())
    for _ in range(t.cfg.unroll_steps):
        d_update(t, minibatch(t, t.cfg.batch_size), sigma)
    result = g_update(t, fake, labels, sigma)
    t.D.load_state_dict(saved[0])
    t.opt_d.load_state_dict(saved[1])
    return result


def iterate(t: Trainer) -> StepRecord:
    """One iteration of Algorithm 1: k D updates, then one G update on a fresh minibatch of m noise samples."""
    cfg, m, sigma = t.cfg, t.cfg.batch_size, t.noise_sigma()
    for i in range(cfg.k):
        batch = minibatch(t, m, grad=cfg.reuse_fakes and i == cfg.k - 1)  # reused fakes keep their graph for (2)
        d_logits, penalty, norm_d = d_update(t, batch, sigma)
    fake, labels = (batch.fake, batch.fake_labels) if cfg.reuse_fakes else generate(t, m)
    g_logits, norm_g = (unrolled_g_update if cfg.unroll_steps else g_update)(t, fake, labels, sigma)
    return StepRecord(d_logits, g_logits, penalty, norm_d, norm_g)


def train_d_only(t: Trainer, steps: int, opt: torch.optim.Optimizer | None = None) -> None:
    """Algorithm 1's inner loop alone: ``steps`` D updates against a fixed G (D approaches
    D* = p_data / (p_data + p_g)). ``opt``: an optimizer of D's own (default the trainer's). Changes D only."""
    for _ in range(steps):
        d_update(t, minibatch(t, t.cfg.batch_size), t.noise_sigma(), opt)


def train_g_only(t: Trainer, steps: int, opt: torch.optim.Optimizer | None = None) -> None:
    """``steps`` G updates against a fixed D, each on fresh noise: G(z) flows to where D says "data".
    ``opt``: an optimizer of G's own (default the trainer's). Changes G only."""
    for _ in range(steps):
        g_update(t, *generate(t, t.cfg.batch_size), t.noise_sigma(), opt)


class Engine(Protocol):
    """How a Trainer computes one iteration. Every engine gives the reference's numbers (float rounding aside)."""

    name: str  # "reference", "mlp", …: what a UI may show

    def covers(self, cfg: TrainConfig) -> bool:
        """Whether this engine can run a config (a live change of loss or unroll steps may end that)."""
        ...

    def iterate(self, t: Trainer) -> StepRecord: ...


class ReferenceEngine:
    """``iterate`` above, with autograd: any networks, any loss, unrolled D."""

    name = "reference"

    def covers(self, cfg: TrainConfig) -> bool:
        return True

    def iterate(self, t: Trainer) -> StepRecord:
        return iterate(t)


REFERENCE = ReferenceEngine()
