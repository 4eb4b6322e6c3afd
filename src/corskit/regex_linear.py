"""A linear-time proof for ``allow_origin_regex`` (the ReDoS check).

Python's ``re`` backtracks: nested or overlapping quantifiers (``([a-z0-9]+)*``,
``(\\w+\\.?)+``, ``.*\\..*``) cost exponential or polynomial time on a crafted
``Origin``. A regex is accepted only when every repeated part provably ends at a
character it cannot contain (or where nothing else repeated can take over), so a failed
match retries a bounded number of steps per character. Anything the analysis does not
understand (back-references, lookarounds, conditionals) is refused: origin patterns in
``allow_origins`` need no regex. ``benchmarks/regex_linear.py`` times accepted regexes.
"""

from __future__ import annotations

import re
import sys
from typing import Any

if sys.version_info >= (3, 11):
    import re._constants as sre_constants
    import re._parser as sre_parse
else:  # pragma: no cover
    import sre_constants
    import sre_parse

__all__ = ["regex_linear_problem"]

_ALPHABET = range(128)  # request Origins are ASCII (non-ASCII ones are refused before)
_MAX_CONTINUATIONS = 64
_UNPROVABLE_OPS = ("GROUPREF", "GROUPREF_EXISTS", "ASSERT", "ASSERT_NOT", "GROUPREF_IGNORE")


class _NotLinear(Exception):
    """Why a regex cannot be shown to match in linear time."""


def regex_linear_problem(source: str) -> str | None:
    """None when *source* (a valid regex) provably matches in linear time, else why not.

    >>> regex_linear_problem(r"https://([a-z0-9-]+\\.)*example\\.com") is None
    True
    >>> regex_linear_problem(r"https://([a-z0-9]+)*\\.example\\.com")
    "the repeated part '[a-z0-9]+' can also be matched by the repetition around or after it"
    """
    try:
        parsed: Any = sre_parse.parse(source)
        _Linear(source, parsed).check(list(parsed), [[]], in_loop=False)
    except _NotLinear as exc:
        return str(exc)
    except RecursionError:
        return "it is nested too deeply to analyse"
    except Exception as exc:  # never crash start-up on an unusual regex: refuse it instead
        return f"it could not be analysed ({type(exc).__name__})"
    return None


class _Linear:
    def __init__(self, source: str, parsed: Any) -> None:
        self.state = parsed.state
        self.source = source
        self._leaf: dict[str, frozenset[int]] = {}

    # -- character sets -------------------------------------------------------------------

    def leaf(self, node: tuple[Any, Any]) -> frozenset[int]:
        key = repr(node)
        found = self._leaf.get(key)
        if found is None:
            sub = sre_parse.SubPattern(self.state, [node])
            compiled = _sre_compile(sub, re.IGNORECASE)  # case-folded: a superset, conservative
            found = frozenset(c for c in _ALPHABET if compiled.fullmatch(chr(c)))
            self._leaf[key] = found
        return found

    def chars(self, items: list[tuple[Any, Any]]) -> frozenset[int]:
        out: set[int] = set()
        for op, av in items:
            name = str(op)
            if name in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
                out |= self.leaf((op, av))
            elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
                out |= self.chars(_body(name, av))
            elif name == "BRANCH":
                for branch in av[1]:
                    out |= self.chars(list(branch))
            elif _is_repeat(name):
                out |= self.chars(list(av[2]))
        return frozenset(out)

    def first(self, items: list[tuple[Any, Any]]) -> frozenset[int]:
        out: set[int] = set()
        for node in items:
            out |= self.first_of(node)
            if not self.nullable([node]):
                break
        return frozenset(out)

    def first_of(self, node: tuple[Any, Any]) -> frozenset[int]:
        op, av = node
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
            return self.leaf(node)
        if name in ("SUBPATTERN", "ATOMIC_GROUP"):
            return self.first(_body(name, av))
        if name == "BRANCH":
            return frozenset().union(*(self.first(list(b)) for b in av[1]))
        if _is_repeat(name):
            return self.first(list(av[2]))
        return frozenset()

    def nullable(self, items: list[tuple[Any, Any]]) -> bool:
        for op, av in items:
            name = str(op)
            if name in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
                return False
            if name in ("SUBPATTERN", "ATOMIC_GROUP") and not self.nullable(_body(name, av)):
                return False
            if name == "BRANCH" and not any(self.nullable(list(b)) for b in av[1]):
                return False
            if _is_repeat(name) and av[0] > 0 and not self.nullable(list(av[2])):
                return False
        return True

    # -- the proof ------------------------------------------------------------------------

    def check(
        self, items: list[tuple[Any, Any]], follows: list[list[tuple[Any, Any]]], in_loop: bool
    ) -> None:
        """Check the sequence *items*, followed by any one of *follows* (continuations)."""
        if len(follows) > _MAX_CONTINUATIONS:
            raise _NotLinear("it nests repetitions too deeply to analyse")
        for i, (op, av) in enumerate(items):
            name = str(op)
            rest = [items[i + 1 :] + f for f in follows]
            if name in _UNPROVABLE_OPS:
                raise _NotLinear(
                    "back-references and lookarounds cannot be shown to match in linear time"
                )
            if name in ("SUBPATTERN", "ATOMIC_GROUP"):
                self.check(_body(name, av), rest, in_loop)
            elif name == "BRANCH":
                self._branch((op, av), rest, in_loop)
            elif _is_repeat(name):
                self._repeat((op, av), rest)
            elif name not in ("LITERAL", "NOT_LITERAL", "ANY", "IN", "AT"):
                raise _NotLinear(
                    f"it uses {name.lower()}, which the linear-time check does not know"
                )

    def _branch(
        self, node: tuple[Any, Any], rest: list[list[tuple[Any, Any]]], in_loop: bool
    ) -> None:
        branches = [list(b) for b in node[1][1]]
        if in_loop:
            seen: set[int] = set()
            for branch in branches:
                first = self.first(branch)
                if first & seen or self.nullable(branch):
                    raise _NotLinear(
                        f"the alternatives in {self._show([node])!r} can start alike under a repetition"
                    )
                seen |= first
        for branch in branches:
            self.check(branch, rest, in_loop)

    def _repeat(self, node: tuple[Any, Any], rest: list[list[tuple[Any, Any]]]) -> None:
        high, body = node[1][1], list(node[1][2])
        if high <= 1:  # '?': no repetition, only a choice
            self.check(body, rest, in_loop=False)
            return
        if self.nullable(body):
            raise _NotLinear(f"the repeated part {self._show([node])!r} can match the empty string")
        mine = self.chars(body)
        for follow in rest:
            self._ends_cleanly(mine, node, follow)
        # Inside the body, what follows is either one more round of the body or the rest.
        self.check(body, [body + f for f in rest] + rest, in_loop=True)

    def _ends_cleanly(
        self, mine: frozenset[int], repeat: tuple[Any, Any], follow: list[tuple[Any, Any]]
    ) -> None:
        for node in follow:
            if not self.first_of(node) & mine:
                # The repetition cannot run into this part: it ends right before it (when
                # the part is mandatory) or the part is absent (a bounded choice).
                if not self.nullable([node]):
                    return
                continue
            if _has_repeat(node):
                raise _NotLinear(
                    f"the repeated part {self._show([repeat])!r} can also be matched by the repetition around or after it"
                )
            # overlapping, fixed length: a bounded number of retries per character

    def _show(self, items: list[tuple[Any, Any]]) -> str:
        return _unparse(items)


def _body(name: str, av: Any) -> list[tuple[Any, Any]]:
    """The items of a group: SUBPATTERN holds (group, flags..., items), ATOMIC_GROUP the items."""
    return list(av) if name == "ATOMIC_GROUP" else list(av[-1])


def _is_repeat(name: str) -> bool:
    return name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _has_repeat(node: tuple[Any, Any]) -> bool:
    op, av = node
    name = str(op)
    if _is_repeat(name):
        return bool(av[1] > 1) or any(_has_repeat(n) for n in av[2])
    if name in ("SUBPATTERN", "ATOMIC_GROUP"):
        return any(_has_repeat(n) for n in _body(name, av))
    if name == "BRANCH":
        return any(_has_repeat(n) for b in av[1] for n in b)
    return False


def _sre_compile(sub: Any, flags: int) -> re.Pattern[str]:
    if sys.version_info >= (3, 11):
        import re._compiler as sre_compile
    else:  # pragma: no cover
        import sre_compile
    return sre_compile.compile(sub, flags)


_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
}


def _unparse(items: Any) -> str:
    """A readable regex for a parsed fragment (for problem messages)."""
    return "".join(_unparse_node(op, av) for op, av in items)


def _unparse_node(op: Any, av: Any) -> str:
    name = str(op)
    if name == "LITERAL":
        return re.escape(chr(av))
    if name == "NOT_LITERAL":
        return f"[^{re.escape(chr(av))}]"
    if name == "ANY":
        return "."
    if name == "IN":
        parts = [_unparse_set_item(o, a) for o, a in av]
        if len(parts) == 1 and parts[0].startswith("\\") and len(parts[0]) == 2:
            return parts[0]
        return "[" + "".join(parts) + "]"
    if name in ("SUBPATTERN", "ATOMIC_GROUP"):
        return "(" + _unparse(_body(name, av)) + ")"
    if name == "BRANCH":
        return "|".join(_unparse(b) for b in av[1])
    if _is_repeat(name):
        low, high = av[0], av[1]
        body = _unparse(av[2])
        quantifier = {
            (0, 1): "?",
            (0, sre_constants.MAXREPEAT): "*",
            (1, sre_constants.MAXREPEAT): "+",
        }.get((low, high), f"{{{low},{'' if high == sre_constants.MAXREPEAT else high}}}")
        return body + quantifier
    if name == "AT":
        return {"AT_BEGINNING": "^", "AT_END": "$"}.get(str(av), "")
    return "…"


def _unparse_set_item(op: Any, av: Any) -> str:
    name = str(op)
    if name == "LITERAL":
        return re.escape(chr(av))
    if name == "RANGE":
        return f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}"
    if name == "NEGATE":
        return "^"
    if name == "CATEGORY":
        return _CATEGORIES.get(str(av), "…")
    return "…"
