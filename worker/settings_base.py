"""The shared base of the backend's and the worker's settings: BATTLEFIELD_* variables, read once.

A bad value stops the process with one line naming the variable (no traceback):
`BATTLEFIELD_PORT='abc': Input should be a valid integer, unable to parse string as an integer`.
"""

from typing import TypeVar

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

SettingsT = TypeVar("SettingsT", bound="BattlefieldSettings")


class SettingsError(SystemExit):
    """A BATTLEFIELD_* variable holds a value the process cannot use; exits with its one-line message."""


class BattlefieldSettings(BaseSettings):
    """Fields read from `BATTLEFIELD_<FIELD NAME>`; an empty variable counts as unset; frozen once read."""

    model_config = SettingsConfigDict(env_prefix="BATTLEFIELD_", env_ignore_empty=True, frozen=True, extra="ignore")


def _variable(cls: type[BattlefieldSettings], loc: tuple) -> str:
    """The environment variable behind the field an error's `loc` names."""
    if not loc:
        return "BATTLEFIELD_* settings"
    field = cls.model_fields.get(str(loc[0]))
    alias = getattr(field, "validation_alias", None) if field else None
    choices = getattr(alias, "choices", None)
    if choices:
        return " or ".join(str(choice) for choice in choices)
    if isinstance(alias, str):
        return alias
    return f"BATTLEFIELD_{str(loc[0]).upper()}"


def load_settings(cls: type[SettingsT]) -> SettingsT:
    """`cls()` read from the environment; raises SettingsError (a SystemExit) naming each bad variable."""
    try:
        return cls()
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            value = item.get("input")
            shown = f"={value!r}" if isinstance(value, str | int | float) else ""
            problems.append(f"{_variable(cls, item.get('loc', ()))}{shown}: {item['msg']}")
        raise SettingsError("error: bad setting " + "; ".join(problems)) from None
