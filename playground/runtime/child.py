"""Train in a child process, so a page's Python threads and the trainer never wait for each other's GIL.

Why: one Python process has one GIL. A training thread gives it up around each of its ~120 torch calls per
step and has to win it back each time, from the pages' redraw threads (4–5 a second per open page) and from the
other trainers: with the server on one core it trained ~23 % slower per CPU-second than alone, and two trainers
in one server could not use two cores. A child process has an interpreter of its own.

The server's ``Trainer`` stays the one the pages read. ``RemoteTrainer.run`` starts a child with a copy of it
(data, configs, ``Trainer.training_state``); the child trains chunk after chunk and sends each ``Chunk``, which
the server's trainer records (history, timeline snapshots, published weights). ``detach`` brings the full
state back and ends the child. ``TrainingWorker`` detaches before anything else touches the trainer (a command, a single
step, Pause, the end of its turn), so commands see exactly the trainer they would see without a child.

Children are forked from the server (Linux only), so a start costs milliseconds and shares the imported torch
copy-on-write. Forking a process that has threads is safe here for the same reasons it is for PyTorch's
DataLoader workers: the child runs one thread with one torch thread and imports nothing new. (The
forkserver and spawn methods would re-run the main module, which under Streamlit is the page script.) The
pipe carries pickles between the server and the child it forked, never bytes from outside (uploads and
checkpoints go through safetensors).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import sys
import time
import traceback
from multiprocessing.connection import Connection

import torch

from playground.gan.record import Chunk, Snapshot
from playground.gan.trainer import Trainer


def available() -> bool:
    """Forked children on Linux only (macOS's system libraries are not fork-safe); elsewhere a thread trains."""
    return sys.platform.startswith("linux")


def _send(conn: Connection, obj) -> None:
    conn.send_bytes(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _numpy(snap: Snapshot | None, back: bool = False) -> Snapshot | None:
    """A snapshot with numpy arrays instead of tensors (``back``: the reverse): numpy arrays pickle in
    microseconds, tensors through ``torch.save`` (~1.5 ms per chunk each way for the toy nets)."""
    if snap is None:
        return None
    convert = torch.from_numpy if back else torch.Tensor.numpy
    return Snapshot(
        snap.step,
        {k: convert(v) for k, v in snap.generator.items()},
        {k: convert(v) for k, v in snap.discriminator.items()},
    )


def _portable(chunk: Chunk, back: bool = False) -> Chunk:
    return Chunk(
        chunk.step_count, chunk.steps, chunk.table, chunk.rate, chunk.diverged,
        [_numpy(s, back) for s in chunk.snapshots], _numpy(chunk.published, back),
    )  # fmt: skip


def _leave_the_server(conn: Connection) -> None:
    """First thing in a forked child: let go of what it inherited from the server.

    - Close the server's file descriptors (browser connections, the listening socket): a connection the server
      closes would otherwise stay open until the child ends. Standard streams and the pipe stay.
    - ``gc.freeze()``: the server's objects are never scanned by the child's collector, so their memory pages
      stay shared with the server instead of being copied into the child.
    """
    keep = conn.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 16)
    gc.freeze()


def _serve(conn: Connection) -> None:
    """The child: build the trainer from the server's copy, train chunk after chunk and send each one, until
    the server asks for the state back (any message does) or the step budget ``stop_at`` is reached."""
    _leave_the_server(conn)
    try:
        data, model_cfg, state, make_engine, threads, chunk_seconds, max_steps_per_s, stop_at = pickle.loads(
            conn.recv_bytes()
        )
        torch.set_num_threads(threads)
        trainer = Trainer(data, model_cfg, state["cfg"], device="cpu", engine=make_engine)  # as the server's
        trainer.load_training_state(state)
        while not trainer.diverged and not conn.poll(0) and (stop_at is None or trainer.step_count < stop_at):
            start = time.monotonic()
            left = 10_000 if stop_at is None else min(10_000, stop_at - trainer.step_count)
            if max_steps_per_s:  # a lecture's speed limit: n steps, then wait out the chunk
                n = min(left, max(1, round(max_steps_per_s * chunk_seconds)))
                chunk = trainer.run_chunk(n)
            else:
                chunk = trainer.run_chunk(left, seconds=chunk_seconds)
            trainer.diverged = chunk.diverged  # the server's copy records it; here it ends the loop
            _send(conn, ("chunk", _portable(chunk)))
            if max_steps_per_s:
                time.sleep(max(0.0, n / max_steps_per_s - (time.monotonic() - start)))
        conn.recv_bytes()  # the request for the state
        _send(conn, ("state", trainer.training_state()))
    except (EOFError, BrokenPipeError):  # the server closed the pipe (it stopped or died): nothing to report to
        return
    except Exception:  # noqa: BLE001 -- a bug: hand the traceback to the server, which logs it
        _send(conn, ("error", traceback.format_exc()))


class RemoteTrainer:
    """Trains a CPU ``Trainer`` in a child process; see the module docstring for the protocol."""

    def __init__(
        self,
        trainer: Trainer,
        threads: int = 1,
        chunk_seconds: float = 0.05,
        timeout: float = 60.0,
    ) -> None:
        self.trainer, self.threads, self.timeout = trainer, threads, timeout
        self.chunk_seconds, self.max_steps_per_s, self.stop_at = chunk_seconds, None, None
        self._process = None
        self._conn: Connection | None = None

    @staticmethod
    def supports(trainer: object) -> bool:
        """A plain Trainer on the CPU (a GPU's kernels run outside the GIL already), on Linux."""
        return isinstance(trainer, Trainer) and trainer.device.type == "cpu" and available()

    @property
    def attached(self) -> bool:
        return self._process is not None

    def run(self, wait: float, max_steps_per_s: float | None = None, stop_at: int | None = None) -> int:
        """Keep the child training (starting it with a copy of the trainer if none runs) and record the chunks
        it has sent, waiting up to ``wait`` seconds for the first. Returns the steps recorded.

        The child does not wait for the server between chunks: a server thread busy with a page costs
        training nothing. It stops training at step ``stop_at`` (None: no budget). A changed speed limit
        (steps/s, None: full speed) or budget restarts the child with it.
        """
        self.start(max_steps_per_s, stop_at)
        steps = 0
        while self._conn.poll(wait if not steps else 0):
            kind, chunk = self._receive()
            if kind != "chunk":
                raise RuntimeError(f"the training process sent {kind!r} unasked")
            self.trainer.apply_chunk(_portable(chunk, back=True))
            steps += len(chunk.steps)
        if not steps and not self._process.is_alive():
            self._fail()
        return steps

    def detach(self) -> None:
        """Record the chunks still in the pipe, bring the child's full training state into the server's trainer
        and end the child (a Pause therefore lands after at most the chunk under way)."""
        if self._process is None:
            return
        try:
            _send(self._conn, ("state",))
            while True:
                kind, payload = self._receive()
                if kind == "state":
                    self.trainer.load_training_state(payload)
                    return
                self.trainer.apply_chunk(_portable(payload, back=True))
        finally:
            self._close()

    def start(self, max_steps_per_s: float | None = None, stop_at: int | None = None) -> None:
        """Have a child train with this speed limit and step budget: one that trains with others is ended (its
        state comes home) and a new one starts (``OSError`` if the system refuses)."""
        if (max_steps_per_s, stop_at) != (self.max_steps_per_s, self.stop_at):
            self.detach()
            self.max_steps_per_s, self.stop_at = max_steps_per_s, stop_at
        self.attach()

    def attach(self) -> None:
        """Start the child with a copy of the trainer, unless one runs (``OSError`` if the system refuses)."""
        if self._process is not None:
            return
        ctx = multiprocessing.get_context("fork")
        here, there = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(there,), name="gan-trainer", daemon=True)
        try:
            process.start()
        except OSError:
            here.close()
            raise
        finally:
            there.close()
        self._process, self._conn = process, here
        t = self.trainer
        _send(here, (t.data, t.model_cfg, t.training_state(), t.make_engine, self.threads, self.chunk_seconds,
                     self.max_steps_per_s, self.stop_at))  # fmt: skip

    def _receive(self) -> tuple[str, object]:
        """The child's next message; raises if it died or reported an error instead."""
        waited = 0.0
        while not self._conn.poll(1.0):
            waited += 1.0
            if not self._process.is_alive() or waited >= self.timeout:
                self._fail()
        try:
            kind, payload = pickle.loads(self._conn.recv_bytes())
        except EOFError:
            self._fail()
        if kind == "error":
            self._close()
            raise RuntimeError(f"the training process failed:\n{payload}")
        return kind, payload

    def _fail(self) -> None:
        code = self._process.exitcode
        self._close()
        raise RuntimeError(f"the training process stopped answering (exit code {code})")

    def _close(self) -> None:
        """End the child and the pipe (a no-op once closed: an error reply closes before ``detach`` does)."""
        process, conn, self._process, self._conn = self._process, self._conn, None, None
        if process is None:
            return
        conn.close()
        process.join(5.0)
        if process.is_alive():
            process.kill()
            process.join(1.0)
