"""JSON's own types kept as the schema states them (mysite.apis.validated checks every JSON body with this).

DRF coerces on the way in: a CharField takes the number 7 as "7", a BooleanField takes 0 and
"yes", an IntegerField takes 2.0. Forms and query strings carry only text, so coercion is right
there; a JSON body has real types, and the OpenAPI schema promises them ("type": "string"), so a
JSON value of the wrong type is a 400 like any other broken promise. Stateless: safe with any
number of processes and threads.
"""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import serializers

_NOT_A = {
    "string": "Not a string.",
    "integer": "Not an integer.",
    "number": "Not a number.",
    "boolean": "Not true or false.",
    "array": "Not a list.",
    "object": "Not an object.",
}


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _json_type_error(field: serializers.Field, value: object) -> list | dict | None:
    """What is wrong with the JSON type of `value` for `field` (None: nothing, or not ours to judge)."""
    if value is None:
        return None  # allow_null decides
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else [_NOT_A["boolean"]]
    if isinstance(field, serializers.IntegerField):
        return None if isinstance(value, int) and not isinstance(value, bool) else [_NOT_A["integer"]]
    if isinstance(field, (serializers.FloatField, serializers.DecimalField)):
        return None if _is_number(value) else [_NOT_A["number"]]
    if isinstance(field, serializers.ChoiceField):
        if all(isinstance(choice, str) for choice in field.choices):
            return None if isinstance(value, str) else [_NOT_A["string"]]
        return None
    if isinstance(field, (serializers.CharField, serializers.DateField, serializers.DateTimeField)):
        return None if isinstance(value, str) else [_NOT_A["string"]]
    if isinstance(field, serializers.ListSerializer):
        if not isinstance(value, list):
            return [_NOT_A["array"]]
        return _items_errors(field.child, value)
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return [_NOT_A["array"]]
        return _items_errors(field.child, value)
    if isinstance(field, serializers.Serializer):
        if not isinstance(value, Mapping):
            return [_NOT_A["object"]]
        return json_type_errors(field, value) or None
    return None


def _items_errors(child: serializers.Field, items: list) -> dict | None:
    errors = {index: problem for index, item in enumerate(items) if (problem := _json_type_error(child, item))}
    return errors or None


def json_type_errors(serializer: serializers.Serializer, data: Mapping) -> dict:
    """Field name -> problem, for each field whose JSON value has a type other than the field's."""
    errors = {}
    for name, field in serializer.fields.items():
        if field.read_only or field.source == "*" or name not in data:
            continue
        problem = _json_type_error(field, data[name])
        if problem:
            errors[name] = problem
    return errors
