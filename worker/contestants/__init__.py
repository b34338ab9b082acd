"""The contestant registry: look contestants up, validate their hyperparameters, count parameters."""

import json
from typing import Any

import torch
from pydantic import ValidationError
from torch import nn

from worker.contestants.base import Contestant, TrainingParams, count_parameters
from worker.contestants.convolutional import CNN
from worker.contestants.fasttext import FASTTEXT
from worker.contestants.feedforward import FF_EMBEDDING, FF_RAW
from worker.contestants.nbsvm import NBSVM_CONTESTANT
from worker.contestants.recurrent import BILSTM, CNN_LSTM, GRU, LSTM, RNN
from worker.contestants.transformer import TRANSFORMER

__all__ = [
    "REGISTRY",
    "Contestant",
    "HyperparamError",
    "TrainingParams",
    "UnknownContestant",
    "count_parameters",
    "get_contestant",
    "params_schema",
    "parse_hyperparams",
    "summarize",
]

REGISTRY: dict[str, Contestant] = {
    contestant.name: contestant
    for contestant in (
        FF_RAW, FF_EMBEDDING, CNN, RNN, LSTM, CNN_LSTM, GRU, BILSTM, FASTTEXT, TRANSFORMER, NBSVM_CONTESTANT,
    )
}


class UnknownContestant(KeyError):
    """No contestant has this name; the message lists the names there are."""

    def __init__(self, name: str):
        self.name = name
        self.message = f"Unknown contestant '{name}'; choose one of: {', '.join(REGISTRY)}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message  # KeyError would quote it


class HyperparamError(ValueError):
    """Hyperparameters that do not validate; `.errors` has one {"loc", "msg", "type"} per problem."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__("; ".join(error["msg"] for error in errors))


def get_contestant(name: str) -> Contestant:
    """The contestant called `name`, or UnknownContestant."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownContestant(name) from None


def params_schema(name: str) -> dict:
    """JSON Schema of the contestant's hyperparameters: defaults, bounds and a description per field."""
    return get_contestant(name).params.model_json_schema()


def parse_hyperparams(name: str, values: dict[str, Any] | None) -> TrainingParams:
    """Validate `values` for contestant `name`; missing ones take the defaults.

    Strings as a CLI's --set gives them ("0.001", "true", "[3, 4]") are accepted where they parse.
    Raises UnknownContestant or HyperparamError.
    """
    params = get_contestant(name).params
    values = values or {}
    takes = sorted(params.model_fields)
    errors = [
        {
            "loc": key,
            "msg": f"Unknown hyperparameter '{key}' for {name}; it takes: {', '.join(takes)}",
            "type": "unknown_field",
        }
        for key in values
        if key not in params.model_fields
    ]
    known = {key: _decode_list(value) for key, value in values.items() if key in params.model_fields}
    try:
        parsed = params.model_validate(known)
    except ValidationError as invalid:
        errors.extend(_describe(error) for error in invalid.errors())
    if errors:
        raise HyperparamError(errors)
    return parsed


def summarize(name: str, values_or_params: dict[str, Any] | TrainingParams | None) -> dict:
    """Parameter count and per-layer counts of the contestant built with these hyperparameters.

    Built on the meta device, so nothing is allocated or initialised however large the model.
    Each layer is a module that owns parameters directly; their counts add up to param_count.
    """
    contestant = get_contestant(name)
    if isinstance(values_or_params, contestant.params):
        hp = values_or_params
    elif isinstance(values_or_params, TrainingParams):
        hp = parse_hyperparams(name, values_or_params.model_dump())
    else:
        hp = parse_hyperparams(name, values_or_params)
    with torch.device("meta"):
        model = contestant.build(hp)
    layers = []
    for layer_name, module in model.named_modules():
        own = sum(parameter.numel() for parameter in module.parameters(recurse=False))
        if own:
            layers.append({"name": layer_name or "model", "type": type(module).__name__, "params": own})
    return {"param_count": count_parameters(model), "layers": layers}


def _decode_list(value: Any) -> Any:
    """A string that reads as a JSON list ("[3, 4, 5]") becomes that list; anything else is unchanged."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


_BOUNDS = {
    "greater_than": ("greater than", "gt"),
    "greater_than_equal": ("greater than or equal to", "ge"),
    "less_than": ("less than", "lt"),
    "less_than_equal": ("less than or equal to", "le"),
}
_KINDS = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
}


def _describe(error: dict) -> dict:
    """One pydantic error as {"loc", "msg", "type"} with a message naming the field, the rule and the value."""
    loc = error["loc"]
    field = str(loc[0]) if loc else ""
    where = field + "".join(f"[{part}]" for part in loc[1:])
    message = f"{where} {_rule(error)}".strip()
    if "input" in error:
        message += f" (got {error['input']!r})"
    return {"loc": field, "msg": message, "type": error["type"]}


def _rule(error: dict) -> str:
    """What the value must be, in words: 'must be greater than 0', 'must be an integer'."""
    kind, ctx = error["type"], error.get("ctx", {})
    if kind in _BOUNDS:
        words, key = _BOUNDS[kind]
        return f"must be {words} {_number(ctx[key])}"
    if kind in _KINDS:
        return f"must be {_KINDS[kind]}"
    if kind == "literal_error":
        return f"must be one of {ctx['expected']}"
    if kind == "too_short":
        return f"must have at least {_items(ctx['min_length'])}"
    if kind == "too_long":
        return f"must have at most {_items(ctx['max_length'])}"
    if kind == "value_error":
        return str(ctx["error"])
    return error["msg"][:1].lower() + error["msg"][1:]


def _number(bound: Any) -> str:
    """A bound as people write it: 0 rather than 0.0."""
    if isinstance(bound, float) and bound.is_integer():
        return str(int(bound))
    return str(bound)


def _items(count: int) -> str:
    """'1 item', '3 items'."""
    return f"{count} item" if count == 1 else f"{count} items"
