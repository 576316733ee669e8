"""k_G, an optimizer per network and the frozen network reach the Trainer from the CLI and from a share link."""

import json

import pytest
import torch

from playground.experiments.toy.settings import TOY, train_config
from playground.settings import url as U
from playground.train import configs_from, main, parse_args

FAST = ["--steps", "4", "--hidden", "16", "--batch-size", "32"]


def test_cli_flags_reach_the_train_config_and_the_run(tmp_path):
    args = parse_args(["--k-g", "3", "--optimizer", "sgd", "--optimizer-d", "rmsprop", "--freeze", "g", "--out", "o"])
    _, train = configs_from(args)
    assert (train.k_g, train.optimizer_d, train.optimizer_g, train.freeze) == (3, "rmsprop", "same", "g")
    assert (train.d_optimizer, train.g_optimizer) == ("rmsprop", "sgd")
    main(["--dataset", "ring8", "--k-g", "2", "--optimizer-g", "rmsprop", "--out", str(tmp_path), *FAST])
    saved = json.loads((tmp_path / "config.json").read_text())["train"]
    assert (saved["k_g"], saved["optimizer_g"], saved["optimizer"]) == (2, "rmsprop", "adam")


def test_without_the_new_flags_the_cli_and_presets_keep_their_configs():
    _, train = configs_from(parse_args(["--preset", "collapse-ring8", "--out", "o"]))
    assert (train.k_g, train.optimizer_d, train.optimizer_g, train.freeze) == (1, "same", "same", "none")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--k-g", "0"], "error: k_g (G steps per iteration) must be between 1 and 100"),
        (["--optimizer-d", "adagrad"], "error: argument --optimizer-d: invalid choice: 'adagrad'"),
        (["--freeze", "both"], "error: argument --freeze: invalid choice: 'both'"),
    ],
)
def test_bad_cli_values_exit_2_with_one_line(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exc:
        main([*args, "--out", str(tmp_path / "o"), "--steps", "1"])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2 and len(err.splitlines()) == 1 and err.startswith(message)


def test_a_link_carries_k_g_the_per_network_optimizers_and_the_frozen_network():
    values = {**TOY.defaults(), "toy.k_g": 4, "toy.optimizer_d": "sgd", "toy.freeze": "d"}
    params = U.encode(TOY.schema(), values, TOY.defaults())
    assert params == {"k_g": "4", "optimizer_d": "sgd", "freeze": "d"}
    decoded = U.decode(TOY.schema(), params)
    assert decoded.errors == []
    cfg = train_config(TOY.values({**TOY.defaults(), **decoded.values}))
    assert (cfg.k_g, cfg.d_optimizer, cfg.g_optimizer, cfg.freeze) == (4, "sgd", "adam", "d")


def test_a_link_with_bad_values_says_why_and_keeps_the_defaults():
    decoded = U.decode(TOY.schema(), {"k_g": "50", "optimizer_g": "adagrad", "freeze": "x"})
    assert decoded.values == {}
    assert decoded.errors == [
        "'k_g' must be between 1 and 10, not 50. It was ignored.",
        "'optimizer_g' must be one of same, adam, sgd, rmsprop; 'adagrad' is not. It was ignored.",
        "'freeze' must be one of none, g, d; 'x' is not. It was ignored.",
    ]


def test_the_trainer_built_from_the_page_uses_each_networks_optimizer():
    from playground.experiments.toy.build import make_trainer
    from playground.gan.data import make_dataset

    values = TOY.values({**TOY.defaults(), "toy.optimizer_g": "sgd", "toy.hidden": 16, "toy.batch_size": 32})
    t = make_trainer(make_dataset("ring8"), values)
    assert type(t.opt_d) is torch.optim.Adam and type(t.opt_g) is torch.optim.SGD
