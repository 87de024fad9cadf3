"""Calculation formulas: an indicator's actual computed from named inputs.

E.g. ``planned_cost / actual_cost * 100`` or ``实际费用 / 计划费用 * 100``. This is the only
module that uses simpleeval, and it never calls ``eval``. A formula is plain arithmetic:

* numbers, input names (Python identifiers; Chinese names are fine), parentheses;
* ``+ - * /``, unary ``-`` and ``+``;
* ``**`` only with a whole-number literal exponent from 1 to ``MAX_EXPONENT`` (``x ** 2``):
  anything else could be huge or irrational;
* the functions ``min(a, b, ...)``, ``max(a, b, ...)``, ``abs(x)`` and ``round(x)`` /
  ``round(x, places)`` (ROUND_HALF_UP, places a literal from 0 to 10).

Everything else is refused when the formula is parsed, with a clear message: ``%`` (write
percentages as ``* 100``; simpleeval would read ``%`` as modulo), ``//``, comparisons,
``and``/``or``/``not``, attribute access, subscripts, strings, lambdas, comprehensions,
keyword arguments, unknown functions. Full-width punctuation typed on a Chinese keyboard
(``（ ） ＋ － ＊ ／ ， ％ ．``, full-width digits, ``×``, ``÷``) is read as its ASCII twin. At most
``MAX_LENGTH`` characters.

Arithmetic is Decimal throughout: every literal becomes a Decimal from its source text
(``0.1 + 0.2`` is exactly ``0.3``), inputs must be Decimal or int (a float raises
``TypeError``), and the work is done in a local Decimal context. The result is not
rounded: scoring rounds once, at the end.

Errors are ``FormulaError`` subclasses with an English ``message`` marked with
``gettext_noop``, a ``template`` and ``params`` for translation
(``gettext(error.template) % error.params``) and, where known, the 1-based character
``position`` in the formula.
"""

from __future__ import annotations

import ast
import operator
import unicodedata
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from functools import lru_cache
from typing import Any

from simpleeval import InvalidExpression, SimpleEval

__all__ = [
    "DivisionByZeroError",
    "FUNCTIONS",
    "Formula",
    "FormulaError",
    "FormulaSyntaxError",
    "InvalidInputError",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MissingInputError",
    "NumberTooLargeError",
    "UnknownFunctionError",
    "UnknownNameError",
    "UnsupportedOperatorError",
    "evaluate",
    "parse",
    "validate",
]


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it (no Django in this module)."""
    return message


MAX_LENGTH = 500
MAX_DEPTH = 50  # nesting of the expression tree; keeps the evaluator's recursion shallow
MAX_EXPONENT = 10
MAX_ROUND_PLACES = 10
FUNCTIONS = ("min", "max", "abs", "round")
_FUNCTION_LIST = "min, max, abs, round"

_CONTEXT = Context(
    prec=34,
    rounding=ROUND_HALF_EVEN,
    Emax=99,  # no business figure needs more than 100 digits; beyond that is a mistake
    Emin=-99,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

# Chinese keyboards type full-width punctuation; each maps to one ASCII character, so
# positions in messages stay right.
_FULL_WIDTH = str.maketrans("（）＋－＊／，％．０１２３４５６７８９×÷\u3000\r\n", "()+-*/,%.0123456789*/   ")

_SYMBOLS: dict[type, str] = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.MatMult: "@",
    ast.Invert: "~",
    ast.Not: "not",
    ast.And: "and",
    ast.Or: "or",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}

_CONSTRUCTS: dict[type, str] = {
    ast.Lambda: "lambda",
    ast.IfExp: "if ... else",
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
    ast.List: "[...] (list)",
    ast.Tuple: "a, b (tuple)",
    ast.Set: "{...} (set)",
    ast.Dict: "{...} (dict)",
    ast.NamedExpr: ":=",
    ast.Starred: "*",
    ast.Await: "await",
    ast.Slice: ":",
}


class FormulaError(ValueError):
    """A formula that cannot be parsed or evaluated. ``formula`` is its text, ``position``
    the 1-based character where the problem is (or ``None``)."""

    def __init__(
        self,
        template: str,
        params: Mapping[str, Any] | None = None,
        *,
        formula: str = "",
        position: int | None = None,
    ):
        self.template = template
        self.params = dict(params or {})
        self.message = template % self.params if self.params else template
        self.formula = formula
        self.position = position
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class FormulaSyntaxError(FormulaError):
    """Not a formula: bad syntax, or a construct a formula cannot use (attributes, text...)."""


class UnsupportedOperatorError(FormulaError):
    """An operator outside + - * / (and ``**`` with a small whole exponent)."""

    def __init__(self, template: str, params: Mapping[str, Any] | None = None, *, operator: str, **kwargs: Any):
        self.operator = operator
        super().__init__(template, {"operator": operator, **(params or {})}, **kwargs)


class UnknownFunctionError(FormulaError):
    def __init__(self, name: str, **kwargs: Any):
        self.name = name
        super().__init__(
            gettext_noop("Unknown function “%(name)s”; the functions are %(functions)s."),
            {"name": name, "functions": _FUNCTION_LIST},
            **kwargs,
        )


class UnknownNameError(FormulaError):
    """Names that are not among the indicator's inputs (checked when a formula is saved)."""

    def __init__(self, names: Iterable[str], allowed: Iterable[str], **kwargs: Any):
        self.names = tuple(sorted(names))
        self.allowed = tuple(sorted(allowed))
        params = {"names": ", ".join(self.names), "allowed": ", ".join(self.allowed)}
        if self.allowed:
            template = gettext_noop("Unknown input: %(names)s. The inputs are: %(allowed)s.")
        else:
            template = gettext_noop("Unknown input: %(names)s. No inputs are defined.")
        super().__init__(template, params, **kwargs)


class MissingInputError(FormulaError):
    """Names the formula uses but the inputs do not supply."""

    def __init__(self, names: Iterable[str], **kwargs: Any):
        self.names = tuple(sorted(names))
        super().__init__(gettext_noop("Missing input: %(names)s."), {"names": ", ".join(self.names)}, **kwargs)


class InvalidInputError(FormulaError):
    """An input that is not a finite number (NaN, Infinity)."""

    def __init__(self, name: str, **kwargs: Any):
        self.name = name
        super().__init__(gettext_noop("The input %(name)s is not a finite number."), {"name": name}, **kwargs)


class DivisionByZeroError(FormulaError):
    def __init__(self, divisor: str, **kwargs: Any):
        self.divisor = divisor
        super().__init__(
            gettext_noop("Division by zero in “%(formula)s”: “%(divisor)s” is 0."),
            {"formula": kwargs.get("formula", ""), "divisor": divisor},
            **kwargs,
        )


class NumberTooLargeError(FormulaError):
    def __init__(self, **kwargs: Any):
        super().__init__(
            gettext_noop("The result of “%(formula)s” is too large."), {"formula": kwargs.get("formula", "")}, **kwargs
        )


@dataclass(frozen=True)
class Formula:
    """A checked formula: its text and the input names it uses."""

    text: str
    names: frozenset[str]


def _normal_name(name: str) -> str:
    # Python reads identifiers in NFKC form (full-width "ａ" is "a"); so do we.
    return unicodedata.normalize("NFKC", name)


@dataclass(frozen=True)
class _Compiled:
    tree: ast.expr
    names: frozenset[str]
    source: str  # what was parsed: the text translated, without its leading blanks
    lead: int  # how many leading blanks were taken off


def _char_position(encoded: bytes, byte_offset: int, lead: int) -> int:
    """1-based character in the formula as written, from a UTF-8 offset in the parsed source."""
    return len(encoded[:byte_offset].decode("utf-8", errors="ignore")) + 1 + lead


class _Checker:
    """Walks the parsed tree: refuses what a formula cannot hold, turns literals into Decimals."""

    def __init__(self, text: str, source: str, lead: int):
        self.text = text  # the formula as written
        self.source = source  # what was parsed: translated, without the `lead` leading blanks
        self.encoded = source.encode("utf-8")
        self.lead = lead
        self.names: set[str] = set()

    # positions -------------------------------------------------------------------------

    def _char(self, byte_offset: int) -> int:
        return _char_position(self.encoded, byte_offset, self.lead)

    def position(self, node: ast.AST) -> int | None:
        offset = getattr(node, "col_offset", None)
        return None if offset is None else self._char(offset)

    def operator_position(self, left: ast.AST, right: ast.AST, symbol: str) -> int | None:
        start, end = getattr(left, "end_col_offset", None), getattr(right, "col_offset", None)
        if start is None or end is None:
            return self.position(left)
        found = self.encoded[start:end].find(symbol.encode())
        return self._char(start + found) if found >= 0 else self.position(left)

    def segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or ""

    def fail(self, cls: type[FormulaError], template: str, params: Mapping[str, Any] | None = None, *, at: int | None, **extra: Any):
        return cls(template, params, formula=self.text, position=at, **extra)

    def refuse(self, node: ast.AST, template: str, params: Mapping[str, Any] | None = None) -> FormulaSyntaxError:
        return self.fail(FormulaSyntaxError, template, params, at=self.position(node))

    def refuse_operator(self, symbol: str, at: int | None) -> UnsupportedOperatorError:
        if symbol == "%":
            template = gettext_noop("“%%” is not supported: write percentages as “* 100”, e.g. a / b * 100.")
        elif symbol == "//":
            template = gettext_noop("“//” is not supported: use “/” and round() if needed.")
        elif symbol == "**":
            template = gettext_noop("“**” needs a whole-number exponent from 1 to %(max)s, e.g. x ** 2.")
        elif symbol in ("and", "or", "not"):
            template = gettext_noop("“%(operator)s” is not supported: a formula computes a number.")
        elif symbol in ("==", "!=", "<", "<=", ">", ">=", "is", "is not", "in", "not in"):
            template = gettext_noop("Comparisons (“%(operator)s”) are not supported: a formula computes a number.")
        else:
            template = gettext_noop("“%(operator)s” is not supported; use + - * / and parentheses.")
        return UnsupportedOperatorError(
            template, {"max": MAX_EXPONENT}, operator=symbol, formula=self.text, position=at
        )

    # the walk --------------------------------------------------------------------------

    def check(self, node: ast.AST) -> None:
        method = getattr(self, f"check_{type(node).__name__}", None)
        if method is None:
            self.check_other(node)
        else:
            method(node)

    def check_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            pass
        elif isinstance(node.op, ast.Pow):
            exponent = node.right
            if not (
                isinstance(exponent, ast.Constant)
                and type(exponent.value) is int
                and 1 <= exponent.value <= MAX_EXPONENT
            ):
                raise self.refuse_operator("**", self.operator_position(node.left, node.right, "**"))
        else:
            symbol = _SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise self.refuse_operator(symbol, self.operator_position(node.left, node.right, symbol))
        self.check(node.left)
        self.check(node.right)

    def check_UnaryOp(self, node: ast.UnaryOp) -> None:
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise self.refuse_operator(_SYMBOLS.get(type(node.op), type(node.op).__name__), self.position(node))
        self.check(node.operand)

    def check_BoolOp(self, node: ast.BoolOp) -> None:
        symbol = _SYMBOLS[type(node.op)]
        raise self.refuse_operator(symbol, self.operator_position(node.values[0], node.values[1], symbol))

    def check_Compare(self, node: ast.Compare) -> None:
        symbol = _SYMBOLS.get(type(node.ops[0]), "==")
        raise self.refuse_operator(symbol, self.operator_position(node.left, node.comparators[0], symbol.split()[0]))

    def check_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Name):
            self.check(func)  # an attribute, a lambda, ...: refused with its own message
            raise self.refuse(func, gettext_noop("Only the functions %(functions)s can be called."), {"functions": _FUNCTION_LIST})
        if func.id not in FUNCTIONS:
            raise UnknownFunctionError(func.id, formula=self.text, position=self.position(func))
        if node.keywords:
            raise self.refuse(node.keywords[0], gettext_noop("Named arguments are not supported in %(name)s()."), {"name": func.id})
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                raise self.refuse(argument, gettext_noop("“*” is not supported in %(name)s()."), {"name": func.id})
        count = len(node.args)
        if func.id in ("min", "max") and count < 2:
            raise self.refuse(node, gettext_noop("%(name)s() needs at least two values."), {"name": func.id})
        if func.id == "abs" and count != 1:
            raise self.refuse(node, gettext_noop("abs() takes one value."))
        if func.id == "round":
            if count not in (1, 2):
                raise self.refuse(node, gettext_noop("round() takes a value and, optionally, a number of decimal places."))
            if count == 2:
                places = node.args[1]
                if not (
                    isinstance(places, ast.Constant)
                    and type(places.value) is int
                    and 0 <= places.value <= MAX_ROUND_PLACES
                ):
                    raise self.refuse(
                        places,
                        gettext_noop("round()'s decimal places must be a whole number from 0 to %(max)s."),
                        {"max": MAX_ROUND_PLACES},
                    )
        for argument in node.args:
            self.check(argument)

    def check_Name(self, node: ast.Name) -> None:
        if node.id in FUNCTIONS:
            raise self.refuse(node, gettext_noop("“%(name)s” is a function: call it, e.g. %(name)s(a, b)."), {"name": node.id})
        self.names.add(node.id)

    def check_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, (str, bytes)):
            raise self.refuse(node, gettext_noop("Text is not allowed in a formula; use numbers and input names."))
        if isinstance(value, bool) or value is None or value is Ellipsis:
            raise self.refuse(node, gettext_noop("“%(value)s” is not a number."), {"value": self.segment(node) or value})
        if isinstance(value, complex):
            raise self.refuse(node, gettext_noop("Imaginary numbers are not supported."))
        if isinstance(value, int):
            number = Decimal(value)
        else:  # a float literal: read its digits, never the float
            try:
                number = Decimal(self.segment(node))
            except InvalidOperation:
                number = Decimal(repr(value))
        if not number.is_finite() or (number and number.adjusted() > _CONTEXT.Emax):
            raise self.refuse(node, gettext_noop("The number %(value)s is too large."), {"value": self.segment(node)})
        if number.as_tuple().exponent > 0:  # 1e3 -> 1000, not 1E+3
            number = Decimal(int(number))
        node.value = number

    def check_Attribute(self, node: ast.Attribute) -> None:
        raise self.refuse(
            node, gettext_noop("“.%(attribute)s”: attribute access is not allowed in a formula."), {"attribute": node.attr}
        )

    def check_Subscript(self, node: ast.Subscript) -> None:
        raise self.refuse(node, gettext_noop("“[ ]”: subscripts are not allowed in a formula."))

    def check_JoinedStr(self, node: ast.JoinedStr) -> None:
        raise self.refuse(node, gettext_noop("Text is not allowed in a formula; use numbers and input names."))

    def check_other(self, node: ast.AST) -> None:
        construct = _CONSTRUCTS.get(type(node), type(node).__name__)
        raise self.refuse(
            node,
            gettext_noop("“%(construct)s” is not allowed in a formula: use numbers, input names, + - * / ( ) and %(functions)s."),
            {"construct": construct, "functions": _FUNCTION_LIST},
        )


def _depth(tree: ast.AST) -> int:
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


@lru_cache(maxsize=512)
def _compile(text: str) -> _Compiled:
    if not isinstance(text, str):
        raise TypeError(f"A formula is text, not {type(text).__name__}.")
    if len(text) > MAX_LENGTH:
        raise FormulaSyntaxError(
            gettext_noop("The formula is too long (%(length)s characters; at most %(max)s)."),
            {"length": len(text), "max": MAX_LENGTH},
            formula=text,
        )
    translated = text.translate(_FULL_WIDTH)
    source = translated.lstrip()
    lead = len(translated) - len(source)
    if not source.strip():
        raise FormulaSyntaxError(gettext_noop("The formula is empty."), formula=text)
    for index, character in enumerate(translated, start=1):
        if unicodedata.category(character) in ("Cc", "Cf", "Cs", "Co", "Cn") and character != "\t":
            raise FormulaSyntaxError(
                gettext_noop("The formula has an invalid character at character %(position)s."),
                {"position": index},
                formula=text,
                position=index,
            )
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal" for "1and": refused anyway
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        offset = error.offset or 0
        if error.lineno and error.lineno > 1 or not 1 <= offset <= len(source.rstrip()):
            raise FormulaSyntaxError(gettext_noop("The formula is incomplete."), formula=text) from None
        position = offset + lead
        if "never closed" in (error.msg or ""):
            template = gettext_noop("The parenthesis at character %(position)s is never closed.")
        elif "unmatched" in (error.msg or ""):
            template = gettext_noop("The parenthesis at character %(position)s closes nothing.")
        else:
            template = gettext_noop("The formula is not valid at character %(position)s.")
        raise FormulaSyntaxError(template, {"position": position}, formula=text, position=position) from None
    except (ValueError, RecursionError, MemoryError):
        raise FormulaSyntaxError(gettext_noop("The formula is not valid."), formula=text) from None
    if _depth(tree) > MAX_DEPTH:
        raise FormulaSyntaxError(gettext_noop("The formula is nested too deeply."), formula=text)
    checker = _Checker(text, source, lead)
    checker.check(tree.body)
    return _Compiled(tree=tree.body, names=frozenset(checker.names), source=source, lead=lead)


def parse(text: str) -> Formula:
    """Check a formula's text; raises a ``FormulaError`` saying what is wrong and where."""
    compiled = _compile(text)
    return Formula(text=text, names=compiled.names)


def validate(text: str, allowed_names: Iterable[str] | None = None) -> Formula:
    """Check a formula when it is saved: its syntax and, if given, that it only uses
    ``allowed_names`` (the indicator's inputs)."""
    formula = parse(text)
    if allowed_names is not None:
        allowed = {_normal_name(name) for name in allowed_names}
        unknown = formula.names - allowed
        if unknown:
            raise UnknownNameError(unknown, allowed, formula=text)
    return formula


def _round(value: Decimal, places: Decimal = Decimal(0)) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)


_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,  # exponent checked at parse time: a literal from 1 to MAX_EXPONENT
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
_FUNCTIONS = {"min": min, "max": max, "abs": abs, "round": _round}
_NODES = (ast.Name, ast.UnaryOp, ast.BinOp, ast.Call, ast.Constant)


class _Evaluator(SimpleEval):
    """simpleeval restricted to the checked arithmetic, reporting which divisor is 0."""

    def __init__(self, names: Mapping[str, Decimal], compiled: _Compiled, text: str):
        super().__init__(operators=dict(_OPERATORS), functions=dict(_FUNCTIONS), names=dict(names))
        self.nodes = {kind: handler for kind, handler in self.nodes.items() if kind in _NODES}
        self.compiled = compiled
        self.text = text

    def _eval_binop(self, node: ast.BinOp) -> Any:
        if isinstance(node.op, ast.Div):
            left, right = self._eval(node.left), self._eval(node.right)
            if right == 0:
                source, lead = self.compiled.source, self.compiled.lead
                divisor = ast.get_source_segment(source, node.right) or "0"
                position = _char_position(source.encode("utf-8"), node.right.col_offset, lead)
                raise DivisionByZeroError(divisor, formula=self.text, position=position)
            return left / right
        return super()._eval_binop(node)


def _inputs(inputs: Mapping[str, Any]) -> dict[str, Decimal]:
    if not isinstance(inputs, Mapping):
        raise TypeError(f"inputs must be a mapping of names to Decimals, not {type(inputs).__name__}.")
    values = {}
    for name, value in inputs.items():
        if isinstance(value, float):
            raise TypeError(f"Input {name!r} is a float; build Decimals from strings.")
        if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
            raise TypeError(f"Input {name!r} must be a Decimal or an int, not {type(value).__name__}.")
        number = Decimal(value)
        if not number.is_finite():
            raise InvalidInputError(str(name))
        values[_normal_name(str(name))] = number
    return values


def evaluate(formula: Formula | str, inputs: Mapping[str, Decimal | int]) -> Decimal:
    """The formula's value for these inputs, unrounded. Extra inputs are ignored."""
    text = formula.text if isinstance(formula, Formula) else formula
    compiled = _compile(text)
    values = _inputs(inputs)
    missing = compiled.names - values.keys()
    if missing:
        raise MissingInputError(missing, formula=text)
    evaluator = _Evaluator({name: values[name] for name in compiled.names}, compiled, text)
    try:
        with localcontext(_CONTEXT):
            result = evaluator.eval(text, previously_parsed=compiled.tree)
            if not isinstance(result, Decimal):  # cannot happen: every leaf is a Decimal
                raise FormulaSyntaxError(gettext_noop("The formula does not compute a number."), formula=text)
            if result.is_finite() and result and result.adjusted() > _CONTEXT.Emax:
                raise Overflow
    except ZeroDivisionError:  # a safety net; division is checked in _Evaluator
        raise DivisionByZeroError("0", formula=text) from None
    except (Overflow, InvalidOperation):
        raise NumberTooLargeError(formula=text) from None
    except InvalidExpression as error:  # a safety net; the tree was checked when parsed
        raise FormulaSyntaxError(gettext_noop("The formula is not valid."), formula=text) from error
    return result
