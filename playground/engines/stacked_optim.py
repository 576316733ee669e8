"""torch.optim's Adam, SGD (momentum) and RMSprop for S members at once, over parameters stacked on a member axis.

Why: a ``TrainerStack`` (``playground.engines.group``) trains sessions that differ in their learning rates and in how
many steps they have taken (so in Adam's bias corrections); one torch optimizer over the stacked tensors has one
learning rate and one step counter. These are elementwise, so member s's slice is updated by member s's own numbers
(per-member columns [S, 1, 1]); the operations follow the kernels the Trainer's optimizers run (fused Adam and SGD on
the CPU, foreach RMSprop), in their order, so each member's weights are its own optimizer's to float rounding
(tests/engines/test_group.py). ``state`` and ``param_groups`` have torch's layout, so the engines' ``optimizer_step``
reads them as it reads a torch optimizer.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

SLOTS = {"adam": ("exp_avg", "exp_avg_sq"), "sgd": ("momentum_buffer",), "rmsprop": ("square_avg",)}
COUNTED = ("adam", "rmsprop")  # optimizers whose torch state holds a step counter

# member i's slice of a stacked tensor, as a view in the layout of its own parameter (the stack stores weights
# transposed): (stacked [S, ...], i, the member's parameter) → view
MemberView = Callable[[torch.Tensor, int, torch.Tensor], torch.Tensor]


class StackedOptimizer:
    """One optimizer of ``kind`` for S members: stacked parameters [S, a, b], a learning rate and a step count per
    member (``lrs``, ``steps``: plain numbers, changed between steps by the stack)."""

    def __init__(self, kind: str, params: list[torch.Tensor], lrs: list[float], hyper: dict) -> None:
        self.kind, self.params, self.lrs, self.hyper = kind, list(params), list(lrs), hyper
        self.steps = [0] * len(self.lrs)  # Adam/RMSprop: torch's "step"; SGD: > 0 once the member has a buffer
        self.slots = () if kind == "sgd" and not hyper["momentum"] else SLOTS[kind]
        self.state = {p: {name: torch.zeros_like(p, requires_grad=False) for name in self.slots} for p in self.params}
        self.param_groups = [{"params": self.params}]

    @classmethod
    def like(cls, opts: list[torch.optim.Optimizer], params: list[torch.Tensor], view: MemberView) -> StackedOptimizer:
        """The stack of the members' torch optimizers (their kind, hyperparameters, rates, moments and step counts)."""
        group = opts[0].param_groups[0]
        kind = {torch.optim.Adam: "adam", torch.optim.SGD: "sgd", torch.optim.RMSprop: "rmsprop"}[type(opts[0])]
        hyper = {"betas": group.get("betas"), "eps": group.get("eps"), "momentum": group.get("momentum"),
                 "alpha": group.get("alpha")}  # fmt: skip
        stacked = cls(kind, params, [opt.param_groups[0]["lr"] for opt in opts], hyper)
        for i, opt in enumerate(opts):
            stacked.load_member(i, opt, view)
        return stacked

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    # ---- torch's state of one member, both ways ---------------------------------------------------------------
    def load_member(self, i: int, opt: torch.optim.Optimizer, view: MemberView) -> None:
        """Member i's moments and step count from its torch optimizer (a fresh one has none: zeros, step 0)."""
        self.steps[i] = 0
        for stacked, p in zip(self.params, opt.param_groups[0]["params"]):
            state = opt.state.get(p)
            if not state:
                continue
            for name in self.slots:
                view(self.state[stacked][name], i, p).copy_(state[name])
            self.steps[i] = int(state["step"]) if self.kind in COUNTED else 1

    def store_member(self, i: int, opt: torch.optim.Optimizer, view: MemberView) -> None:
        """Write member i's moments, step count and rate into its torch optimizer, in torch's own format."""
        opt.param_groups[0]["lr"] = self.lrs[i]
        for stacked, p in zip(self.params, opt.param_groups[0]["params"]):
            if not self.steps[i] or not self.slots:
                opt.state.pop(p, None)  # torch keeps no state before the first step (nor for plain SGD)
                continue
            state = opt.state[p]
            if self.kind in COUNTED:
                if "step" in state:
                    state["step"].fill_(self.steps[i])  # in place: fused Adam's counters may be views of one tensor
                else:
                    state["step"] = torch.tensor(float(self.steps[i]), dtype=torch.float32, device=p.device)
            for name in self.slots:
                value = view(self.state[stacked][name], i, p)
                if name in state and state[name].shape == p.shape:
                    state[name].copy_(value)
                else:
                    state[name] = value.clone(memory_format=torch.contiguous_format)

    # ---- the update ---------------------------------------------------------------------------------------------
    def _column(self, values: list[float]) -> torch.Tensor:
        """Per-member numbers as a [S, 1, 1] column, rounded to the parameters' dtype as the kernels round them."""
        p = self.params[0]
        return torch.tensor(values, dtype=p.dtype, device=p.device).view(-1, 1, 1)

    @torch.no_grad()
    def step(self) -> None:
        grads = [p.grad for p in self.params]
        n = len(self.params)
        states = [self.state[p] for p in self.params]
        self.steps = [t + 1 for t in self.steps]
        if self.kind == "adam":  # torch's fused CPU kernel, with lr / (1 − β₁ᵗ) and √(1 − β₂ᵗ) per member
            beta1, beta2 = self.hyper["betas"]
            m, v = [s["exp_avg"] for s in states], [s["exp_avg_sq"] for s in states]
            neg_step = self._column([-lr / (1 - beta1**t) for lr, t in zip(self.lrs, self.steps)])
            root = self._column([math.sqrt(1 - beta2**t) for t in self.steps])
            torch._foreach_lerp_(m, grads, 1 - beta1)
            torch._foreach_mul_(v, beta2)
            torch._foreach_addcmul_(v, grads, grads, value=1 - beta2)
            denom = torch._foreach_sqrt(v)
            torch._foreach_div_(denom, [root] * n)
            torch._foreach_add_(denom, self.hyper["eps"])
            update = torch._foreach_mul(m, [neg_step] * n)
            torch._foreach_div_(update, denom)
        elif self.kind == "sgd":  # fused CPU SGD: buf ← μ·buf + g (a fresh member's buffer is 0), p ← p − lr·buf
            if self.slots:
                bufs = [s["momentum_buffer"] for s in states]
                torch._foreach_mul_(bufs, self.hyper["momentum"])
                torch._foreach_add_(bufs, grads)
                grads = bufs
            update = torch._foreach_mul(grads, [self._column([-lr for lr in self.lrs])] * n)
        else:  # foreach RMSprop: v ← α·v + (1 − α)·g², p ← p − lr·g / (√v + ε)
            alpha, square = self.hyper["alpha"], [s["square_avg"] for s in states]
            torch._foreach_mul_(square, alpha)
            torch._foreach_addcmul_(square, grads, grads, value=1 - alpha)
            avg = torch._foreach_sqrt(square)
            torch._foreach_add_(avg, self.hyper["eps"])
            update = torch._foreach_mul(grads, [self._column([-lr for lr in self.lrs])] * n)
            torch._foreach_div_(update, avg)
        torch._foreach_add_(self.params, update)
