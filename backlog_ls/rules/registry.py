"""Every rule module in this package, found by looking, so adding a rule is adding a file."""

from __future__ import annotations

import importlib
import pkgutil

from . import Rule

_NOT_RULES = {"registry", "suppress", "common"}


def _discover() -> tuple[Rule, ...]:
    found: list[Rule] = []
    for module_info in pkgutil.iter_modules(importlib.import_module(__package__).__path__):
        if module_info.name in _NOT_RULES or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__package__}.{module_info.name}")
        found.extend(getattr(module, "RULES", ()))
        rule = getattr(module, "RULE", None)
        if rule is not None:
            found.append(rule)
    names = [rule.name for rule in found]
    codes = [rule.code for rule in found]
    if len(set(names)) != len(names) or len(set(codes)) != len(codes):
        raise RuntimeError(f"two rules share a name or code: {sorted(zip(codes, names))}")
    return tuple(sorted(found, key=lambda rule: rule.code))


RULES = _discover()
