"""The contestant registry: every model's contract, parameter counts, hyperparameter parsing."""

import pytest
import torch

from worker.contestants import (
    REGISTRY,
    HyperparamError,
    UnknownContestant,
    count_parameters,
    get_contestant,
    params_schema,
    parse_hyperparams,
    summarize,
)
from worker.contestants.base import TrainingParams
from worker.contestants.layers import final_states, masked_max, masked_mean

NAMES = list(REGISTRY)
TINY = {"num_words": 200, "maxlen": 32}
MODEL_FIELDS = {
    "embedding_dim", "hidden_dim", "num_layers", "bidirectional", "filters", "kernel_size",
    "kernel_sizes", "pool_size", "dense_dim", "ngram_buckets", "bigrams", "num_heads", "pooling",
}  # fmt: skip



def tiny_params(name: str, **overrides) -> TrainingParams:
    """The contestant's defaults on a 200-word vocabulary and 32-token reviews."""
    values = dict(TINY, **overrides)
    if "ngram_buckets" in REGISTRY[name].params.model_fields:
        values.setdefault("ngram_buckets", 1000)
    return parse_hyperparams(name, values)


def tiny_model(name: str, **overrides) -> torch.nn.Module:
    """The contestant built small and seeded."""
    torch.manual_seed(0)
    return REGISTRY[name].build(tiny_params(name, **overrides))


def batch(steps: int) -> torch.Tensor:
    """Four pre-padded reviews of `steps` columns: full, half padded, one token, all padding."""
    generator = torch.Generator().manual_seed(1)
    ids = torch.randint(3, 200, (4, steps), generator=generator)  # (4, T)
    ids[1, : steps // 2] = 0
    ids[2, :-1] = 0
    ids[3] = 0
    return ids


def test_registry_lists_the_contestants_in_order():
    assert NAMES == [
        "ff_raw", "ff_embedding", "cnn", "rnn", "lstm", "cnn_lstm", "gru", "bilstm", "fasttext", "transformer",
        "nbsvm",
    ]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_contestant_record_has_texts_and_seed_preset(name):
    contestant = REGISTRY[name]
    assert contestant.name == name
    assert contestant.title and len(contestant.description) > 100
    assert "seed" in contestant.presets


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("steps", [32, 7, 2, 40])
def test_model_gives_one_finite_logit_per_review(name, steps):
    model = tiny_model(name).eval()
    with torch.no_grad():
        logits = model(batch(steps))
    assert logits.shape == (4,)
    assert logits.dtype == torch.float32
    assert torch.isfinite(logits).all()


@pytest.mark.parametrize("name", NAMES)
def test_training_step_gives_finite_gradients_with_an_all_pad_review(name):
    model = tiny_model(name).train()
    loss = torch.nn.functional.binary_cross_entropy_with_logits(model(batch(7)), torch.ones(4))
    loss.backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads
    assert all(torch.isfinite(grad).all() for grad in grads)


@pytest.mark.parametrize("name", NAMES)
def test_model_hyperparameters_use_the_shared_names(name):
    extra = set(REGISTRY[name].params.model_fields) - set(TrainingParams.model_fields)
    assert extra <= MODEL_FIELDS


def test_ff_raw_has_125501_parameters_at_maxlen_500():
    model = REGISTRY["ff_raw"].build(parse_hyperparams("ff_raw", {"maxlen": 500}))
    assert count_parameters(model) == 125_501


def test_ff_embedding_parameter_count_matches_its_layers():
    words, length, width, dense = 200, 32, 8, 16
    model = tiny_model("ff_embedding", embedding_dim=width, dense_dim=dense)
    expected = words * width + (length * width * dense + dense) + (dense + 1)
    assert count_parameters(model) == expected


def test_cnn_kernel_sizes_build_one_convolution_per_width():
    model = tiny_model("cnn", kernel_sizes=[2, 3, 5], filters=4)
    assert [conv.kernel_size[0] for conv in model.convs] == [2, 3, 5]
    assert model.head[0].in_features == 12


def test_fasttext_logit_does_not_depend_on_padding():
    model = tiny_model("fasttext").eval()
    review = torch.tensor([[5, 17, 42, 9]])  # (1, 4)
    padded = torch.nn.functional.pad(review, (6, 0))  # (1, 10)
    with torch.no_grad():
        assert torch.allclose(model(review), model(padded), atol=1e-6)


def test_transformer_logit_does_not_depend_on_padding():
    model = tiny_model("transformer").eval()
    review = torch.tensor([[5, 17, 42, 9]])  # (1, 4)
    padded = torch.nn.functional.pad(review, (6, 0))  # (1, 10)
    with torch.no_grad():
        assert torch.allclose(model(review), model(padded), atol=1e-5)


def test_cnn_lstm_logit_depends_on_the_last_word():
    model = tiny_model("cnn_lstm", kernel_size=5, pool_size=4).eval()
    review = torch.arange(3, 13).unsqueeze(0)  # (1, 10): 6 convolution steps, not a whole number of pools
    changed = review.clone()
    changed[0, -1] = 150
    with torch.no_grad():
        assert not torch.allclose(model(review), model(changed))


def test_pooling_doubles_the_recurrent_summary_and_rejects_unknown_modes():
    final, pooled = tiny_model("lstm", pooling="final"), tiny_model("lstm", pooling="max_mean")
    assert pooled.head[-1].in_features == 2 * final.head[-1].in_features
    with pytest.raises(HyperparamError, match="pooling"):
        parse_hyperparams("lstm", {"pooling": "sum"})


@pytest.mark.parametrize("name", NAMES)
def test_every_embedding_table_starts_on_keras_scale(name):
    tables = [m for m in tiny_model(name).modules() if isinstance(m, torch.nn.Embedding)]
    assert all(table.weight.abs().max() <= 0.05 for table in tables)  # torch's N(0, 1) would reach ~3


def test_masked_mean_and_max_skip_padding_and_give_zeros_for_an_empty_row():
    x = torch.tensor([[[9.0], [1.0], [3.0]], [[9.0], [9.0], [9.0]]])  # (2, 3, 1)
    mask = torch.tensor([[False, True, True], [False, False, False]])  # (2, 3)
    assert masked_mean(x, mask).tolist() == [[2.0], [0.0]]
    assert masked_max(x, mask).tolist() == [[3.0], [0.0]]


def test_final_states_reads_the_backward_direction_at_the_first_real_token():
    outputs = torch.arange(2 * 4 * 2, dtype=torch.float32).reshape(2, 4, 2)  # (B=2, T=4, 2 directions x H=1)
    ids = torch.tensor([[0, 0, 7, 8], [0, 0, 0, 0]])  # (2, 4)
    summary = final_states(outputs, ids, bidirectional=True)  # (2, 2)
    forward_last = outputs[:, 3, 0]  # (2,)
    backward_at_first_word = torch.stack([outputs[0, 2, 1], outputs[1, 3, 1]])  # (2,), last column when empty
    assert torch.equal(summary, torch.stack([forward_last, backward_at_first_word], dim=1))


def test_get_contestant_unknown_name_lists_the_names():
    with pytest.raises(UnknownContestant) as raised:
        get_contestant("foo")
    assert str(raised.value) == (
        "Unknown contestant 'foo'; choose one of: ff_raw, ff_embedding, cnn, rnn, lstm, cnn_lstm, gru, "
        "bilstm, fasttext, transformer, nbsvm"
    )


def test_parse_hyperparams_unknown_contestant_raises_unknown_contestant():
    with pytest.raises(UnknownContestant):
        parse_hyperparams("foo", {})


def test_parse_hyperparams_fills_missing_values_with_defaults():
    hp = parse_hyperparams("lstm", {"epochs": 3})
    assert hp.epochs == 3
    assert hp.hidden_dim == REGISTRY["lstm"].defaults().hidden_dim


def test_parse_hyperparams_unknown_name_lists_the_names_it_takes():
    with pytest.raises(HyperparamError) as raised:
        parse_hyperparams("lstm", {"foo": 1})
    assert raised.value.errors == [
        {
            "loc": "foo",
            "msg": "Unknown hyperparameter 'foo' for lstm; it takes: batch_size, bidirectional, dropout, "
            "embedding_dim, epochs, grad_clip, hidden_dim, lr, lr_schedule, maxlen, momentum, num_layers, num_words, "
            "optimizer, patience, pooling, seed, val_split, weight_decay",
            "type": "unknown_field",
        }
    ]


def test_parse_hyperparams_below_bound_names_the_bound_and_value():
    with pytest.raises(HyperparamError) as raised:
        parse_hyperparams("lstm", {"lr": -1.0})
    assert raised.value.errors == [
        {"loc": "lr", "msg": "lr must be greater than 0 (got -1.0)", "type": "greater_than"}
    ]


def test_parse_hyperparams_above_bound_names_the_bound_and_value():
    with pytest.raises(HyperparamError) as raised:
        parse_hyperparams("lstm", {"epochs": 500})
    assert str(raised.value) == "epochs must be less than or equal to 200 (got 500)"


def test_parse_hyperparams_wrong_type_says_what_type():
    with pytest.raises(HyperparamError) as raised:
        parse_hyperparams("lstm", {"batch_size": "abc"})
    assert str(raised.value) == "batch_size must be an integer (got 'abc')"


def test_parse_hyperparams_unknown_optimizer_lists_the_choices():
    with pytest.raises(HyperparamError) as raised:
        parse_hyperparams("cnn", {"optimizer": "rmsprop"})
    assert str(raised.value) == "optimizer must be one of 'adam', 'adamw' or 'sgd' (got 'rmsprop')"


def test_parse_hyperparams_heads_must_divide_embedding_dim():
    with pytest.raises(HyperparamError) as raised:
        parse_hyperparams("transformer", {"embedding_dim": 64, "num_heads": 3})
    assert str(raised.value) == "num_heads must divide embedding_dim (64) evenly (got 3)"


def test_parse_hyperparams_joins_several_errors_with_semicolons():
    with pytest.raises(HyperparamError) as raised:
        parse_hyperparams("lstm", {"epochs": 0, "lr": 0})
    assert str(raised.value) == (
        "epochs must be greater than or equal to 1 (got 0); lr must be greater than 0 (got 0)"
    )


def test_parse_hyperparams_accepts_command_line_strings():
    hp = parse_hyperparams("cnn", {"lr": "0.001", "epochs": "3", "kernel_sizes": "[3,4]"})
    assert (hp.lr, hp.epochs, hp.kernel_sizes) == (0.001, 3, [3, 4])


def test_parse_hyperparams_accepts_true_as_a_string():
    assert parse_hyperparams("lstm", {"bidirectional": "true"}).bidirectional is True


def test_parse_hyperparams_kernel_width_out_of_bounds_names_the_item():
    with pytest.raises(HyperparamError) as raised:
        parse_hyperparams("cnn", {"kernel_sizes": [3, 0]})
    assert str(raised.value) == "kernel_sizes[1] must be greater than or equal to 1 (got 0)"


@pytest.mark.parametrize("name", NAMES)
def test_seed_preset_keeps_only_the_notebooks_training_settings(name):
    seed = REGISTRY[name].presets["seed"]
    training = {"optimizer", "lr", "batch_size", "epochs", "lr_schedule"}
    assert {"optimizer", "lr", "batch_size", "epochs"} <= set(seed) <= training | {"num_words", "maxlen"}
    assert {key: seed[key] for key in ("num_words", "maxlen") if key in seed} in (
        {}, {"num_words": 10_000, "maxlen": 500})  # a contestant whose defaults move them gives the notebook's back
    assert parse_hyperparams(name, seed).lr_schedule == "constant"  # the notebook never decayed its lr


@pytest.mark.parametrize("name", NAMES)
def test_every_preset_parses(name):
    for values in REGISTRY[name].presets.values():
        parse_hyperparams(name, values)


def test_ff_raw_seed_preset_is_the_notebooks():
    assert REGISTRY["ff_raw"].presets["seed"] == {"optimizer": "sgd", "lr": 1e-5, "batch_size": 2048, "epochs": 10}


@pytest.mark.parametrize("name", NAMES)
def test_summarize_total_equals_count_parameters(name):
    hp = tiny_params(name)
    summary = summarize(name, hp)
    assert summary["param_count"] == count_parameters(REGISTRY[name].build(hp))
    assert sum(layer["params"] for layer in summary["layers"]) == summary["param_count"]


def test_summarize_takes_a_dict_and_fills_defaults():
    summary = summarize("ff_raw", {})
    assert summary == {
        "param_count": 125_501,
        "layers": [
            {"name": "hidden", "type": "Linear", "params": 125_250},
            {"name": "out", "type": "Linear", "params": 251},
        ],
    }


def test_summarize_rejects_invalid_values():
    with pytest.raises(HyperparamError):
        summarize("lstm", {"hidden_dim": 0})


@pytest.mark.parametrize("name", NAMES)
def test_params_schema_describes_every_field_with_a_default(name):
    properties = params_schema(name)["properties"]
    assert set(properties) == set(REGISTRY[name].params.model_fields)
    assert all("description" in field and "default" in field for field in properties.values())


@pytest.mark.parametrize("name", NAMES)
def test_parse_hyperparams_round_trips_its_own_dump(name):
    hp = REGISTRY[name].defaults()
    assert parse_hyperparams(name, hp.model_dump(mode="json")) == hp


def test_hyperparameter_groups_cover_the_common_fields_once():
    from worker.catalog import HYPERPARAM_GROUPS
    from worker.contestants import TrainingParams

    listed = [name for fields in HYPERPARAM_GROUPS.values() for name in fields]
    assert sorted(listed) == sorted(TrainingParams.model_fields)
    assert len(listed) == len(set(listed))
