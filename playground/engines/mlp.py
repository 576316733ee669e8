"""The Trainer's fast path: plain MLP GANs trained with a hand-written backward pass.

Why: at the toy sizes (batch 256, width 128) one iteration is ~20 small matmuls, and autograd's
graph bookkeeping plus ``torch.optim``'s per-call Python cost more time than the arithmetic. For a
stack of Linear + activation layers the backward pass is three lines per layer, so it is written out
here, and each loss's gradient w.r.t. D's logits is written out beside the loss (``playground.gan.losses``).

Used when both networks are such stacks (D may pack samples, but has no minibatch-stddev feature), the
loss has no gradient penalty and D is not unrolled; everything else takes the autograd path. The two
paths compute the same numbers in the same order of random draws (tests/test_fast_step.py checks the
weights agree after a short run).
"""

from __future__ import annotations

import torch
from torch import nn

from playground.gan.losses import GanLoss
from playground.gan.models import Discriminator

# each activation: its forward pass in place (on the fresh output of a Linear) and its derivative written in terms
# of its *output* a (what the forward pass keeps), in place on the incoming gradient where that is one kernel
ACTIVATION_PASSES = {
    nn.ReLU: (torch.relu_, lambda a, g: torch.ops.aten.threshold_backward.grad_input(g, a, 0, grad_input=g)),
    nn.LeakyReLU: (lambda x: nn.functional.leaky_relu_(x, 0.2), lambda a, g: torch.where(a > 0, g, g * 0.2)),
    nn.Tanh: (torch.tanh_, lambda a, g: g * (1 - a * a)),
    nn.ELU: (nn.functional.elu_, lambda a, g: torch.where(a > 0, g, g * (a + 1))),
}


_ONE = torch.ones(())


class Stack:
    """An ``nn.Sequential`` of Linear layers, each optionally followed by an activation, run by hand.

    Its parameters' gradients live in one flat buffer (``grad``; ``.grad`` of each parameter is a view of it), so the
    gradient norm is one call, and the backward pass writes into it instead of allocating.
    """

    def __init__(self, seq: nn.Sequential) -> None:
        mods = list(seq)
        linears = [(i, m) for i, m in enumerate(mods) if isinstance(m, nn.Linear)]
        self.params = [p for _, m in linears for p in (m.weight, m.bias)]
        self.grad = self.params[0].new_zeros(sum(p.numel() for p in self.params))
        self.grads = [g.view_as(p) for g, p in zip(self.grad.split([p.numel() for p in self.params]), self.params)]
        # one tuple per layer, everything the passes need, looked up once (reading a module's parameter costs ~1 µs):
        # (weight, bias, activation's passes or (None, None), its gradient buffers, and two orders of products:
        #  in < out: ∂L/∂W = (xᵀg)ᵀ, 136 → 30 µs for 2-D data; in ≤ 8: ∂L/∂x = (Wᵀgᵀ)ᵀ, 41 → 20 µs)
        self.layers = []
        for j, (i, m) in enumerate(linears):
            act = mods[i + 1] if i + 1 < len(mods) and not isinstance(mods[i + 1], nn.Linear) else None
            passes = ACTIVATION_PASSES[type(act)] if act is not None else (None, None)
            grad_w, grad_b = self.grads[2 * j], self.grads[2 * j + 1]
            self.layers.append((m.weight, m.bias, *passes, grad_w, grad_b, m.in_features < m.out_features,
                                m.in_features <= 8))  # fmt: skip

    @staticmethod
    def supports(seq: nn.Module) -> bool:
        """True for Linear layers with known activations between them (and no other modules)."""
        if not isinstance(seq, nn.Sequential) or not len(seq) or not isinstance(seq[0], nn.Linear):
            return False
        if any(m.negative_slope != 0.2 for m in seq if isinstance(m, nn.LeakyReLU)):
            return False
        if any(getattr(m, "alpha", 1.0) != 1.0 for m in seq if isinstance(m, nn.ELU)):
            return False
        kinds = [type(m) for m in seq]
        return all(k is nn.Linear or k in ACTIVATION_PASSES for k in kinds) and not any(
            a is not nn.Linear and b is not nn.Linear for a, b in zip(kinds, kinds[1:])
        )

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's output, input first: [x, a₁, …, output]."""
        outs = [x]
        for weight, bias, act, _, _, _, _, _ in self.layers:
            x = nn.functional.linear(x, weight, bias)
            x = x if act is None else act(x)
            outs.append(x)
        return outs

    def backward(self, outs: list[torch.Tensor], grad: torch.Tensor, params: bool) -> torch.Tensor:
        """Back-propagate ∂L/∂output (consumed: it may be overwritten); if ``params``, write the parameter
        gradients into ``grad`` and make them the parameters' ``.grad``.

        Returns ∂L/∂input (skipped, returning None, when only parameter gradients are wanted).
        """
        if params and self.params[0].grad is not self.grads[0]:  # autograd (after a change of loss) made its own
            for p, g in zip(self.params, self.grads):
                p.grad = g
        for i in range(len(self.layers) - 1, -1, -1):
            weight, _, _, act_grad, grad_w, grad_b, wide_out, narrow_in = self.layers[i]
            if act_grad is not None:
                grad = act_grad(outs[i + 1], grad)
            if params:
                x = outs[i]  # ∂L/∂W = gᵀx, ∂L/∂b = Σg
                if wide_out:
                    grad_w.copy_(x.t().mm(grad).t())
                else:
                    torch.mm(grad.t(), x, out=grad_w)
                torch.sum(grad, 0, out=grad_b)
                if i == 0:
                    return None
            grad = weight.t().mm(grad.t()).t() if narrow_in else grad.mm(weight)  # ∂L/∂x = gW
        return grad

    def grad_norm(self) -> torch.Tensor:
        """‖∇‖ over all parameters, from the last ``backward`` with ``params``."""
        return torch.linalg.vector_norm(self.grad)


class FastStep:
    """Gradients of one GAN iteration for networks that are plain MLP stacks, without autograd.

    The caller (``Trainer``) draws the random numbers, adds instance noise and steps the optimizers, so
    both paths share that code; these methods run under ``torch.no_grad()`` and only fill ``.grad``.
    """

    def __init__(self, G: nn.Module, D: Discriminator) -> None:
        self.G, self.D, self.pack = Stack(G), Stack(D.net), D.pack

    @staticmethod
    def supports(G: nn.Module, D: nn.Module) -> bool:
        return Stack.supports(G) and isinstance(D, Discriminator) and not D.group and Stack.supports(D.net)

    def generate(self, z: torch.Tensor) -> list[torch.Tensor]:
        """G's forward pass, keeping what its backward needs; the fakes are the last entry."""
        return self.G.forward(z)

    def _d_forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        return self.D.forward(x if self.pack == 1 else x.reshape(-1, self.pack * x.shape[-1]))  # PacGAN: side by side

    def d_grads(self, loss: GanLoss, x: torch.Tensor) -> torch.Tensor:
        """D's gradients for its loss on the batch x = [real; fake], in D's ``.grad``; returns the logits."""
        outs = self._d_forward(x)
        self.D.backward(outs, loss.d_grad(outs[-1]), params=True)
        return outs[-1]

    def g_grads(self, loss: GanLoss, g_outs: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        """G's gradients for its loss when D judges x (its fakes, maybe with additive noise), in G's ``.grad``;
        returns D's logits."""
        outs = self._d_forward(x)
        grad_x = self.D.backward(outs, loss.g_grad(outs[-1]), params=False)  # D gets no gradient
        grad_x = grad_x if self.pack == 1 else grad_x.reshape(x.shape)
        self.G.backward(g_outs, grad_x, params=True)
        return outs[-1]


def optimizer_step(opt: torch.optim.Optimizer) -> None:
    """``opt.step()``; for fused Adam with its state in place, the same update as one call of its kernel, without
    ``torch.optim``'s per-call bookkeeping (hooks, profiler records, state checks, grouping tensors by device:
    ~100 µs a call, ~4 % of a toy step; tests/test_fast_step.py checks the weights against autograd + opt.step)."""
    group = opt.param_groups[0]
    states = [opt.state.get(p) for p in group["params"]]
    if not (isinstance(opt, torch.optim.Adam) and group["fused"] and len(opt.param_groups) == 1 and all(states)) or (
        group["amsgrad"] or group["capturable"] or group["decoupled_weight_decay"]
    ):
        with torch.inference_mode(False):  # the first step creates the moments and step counters: ordinary tensors
            return opt.step()
    beta1, beta2 = group["betas"]
    steps = [s["step"] for s in states]
    counters = steps[0]._base
    if counters is None or counters.shape[0] != len(steps) or any(s._base is not counters for s in steps):
        # the per-parameter step counters become views of one tensor: one add_ a step, not six (~20 → 5 µs)
        with torch.inference_mode(False):  # ordinary tensors: the autograd path's opt.step() updates them too
            counters = torch.stack(steps)
            for i, s in enumerate(states):
                s["step"] = counters[i]
        steps = [s["step"] for s in states]
    counters.add_(_ONE)  # a tensor: an in-place op converts a Python number into one on every call (~2.7 µs)
    torch._fused_adam_(
        group["params"],
        [p.grad for p in group["params"]],
        [s["exp_avg"] for s in states],
        [s["exp_avg_sq"] for s in states],
        [],
        steps,
        lr=group["lr"],
        beta1=beta1,
        beta2=beta2,
        weight_decay=group["weight_decay"],
        eps=group["eps"],
        amsgrad=False,
        maximize=group["maximize"],
    )
    return None
