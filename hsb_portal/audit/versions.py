"""Snapshots of a record's fields as a reader sees them, kept with each change's audit event.

``snapshot_of`` re-reads the row from the database, because services sometimes save with a
conditional ``.update()`` and the object in memory can be stale. Internal fields (keys,
version counters, hashes, secrets) are left out; choices are kept as their labels, related
records by name, dates and times in ISO form.
"""

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

# Fields that say nothing to a reader, or must never be copied anywhere.
# A session key would let whoever reads the log take over the session (accounts/sessions.py).
INTERNAL_FIELDS = frozenset({"id", "public_id", "version", "key", "session_key"})
SECRET_WORDS = ("password", "secret", "token", "hash")


def is_versioned_field(field: "models.Field[Any, Any]") -> bool:
    if not field.concrete or field.primary_key or field.many_to_many:
        return False
    return field.name not in INTERNAL_FIELDS and not any(
        word in field.name for word in SECRET_WORDS
    )


def opaque_id(obj: models.Model) -> str:
    """The record's public id; a record without one (a rating, a screening decision) is
    known by the public id of the record it belongs to one-to-one."""
    public_id = getattr(obj, "public_id", None)
    if public_id is not None:
        return str(public_id)
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.OneToOneField):
            owner = getattr(obj, field.name, None)
            if owner is not None and getattr(owner, "public_id", None) is not None:
                return str(owner.public_id)
    return ""


def _related_words(related: models.Model) -> str:
    # A membership's own name says only the role and agency; the person matters here.
    if related._meta.label_lower == "accounts.membership":
        return f"{related.user}, {related}"  # type: ignore[attr-defined]
    return str(related)


def _words(obj: models.Model, field: "models.Field[Any, Any]") -> str:
    if isinstance(field, models.ForeignKey):
        related = getattr(obj, field.name)
        return "" if related is None else _related_words(related)
    value = getattr(obj, field.attname)
    if field.choices and value not in (None, ""):
        return str(getattr(obj, f"get_{field.name}_display")())
    if value is None or value in ([], {}):
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | int | float | str):
        return str(value)
    return json.dumps(value, sort_keys=True, default=str)


def reread(obj: models.Model) -> models.Model | None:
    """The row as it is now in the database, with the records it points to."""
    model = type(obj)
    relations = [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and is_versioned_field(field)
    ]
    # A one-to-one owner names the record (``opaque_id``) even when it is not shown.
    relations += [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.OneToOneField) and field.name not in relations
    ]
    return model._default_manager.select_related(*relations).filter(pk=obj.pk).first()


def snapshot_of(obj: models.Model) -> dict[str, str]:
    return {
        field.name: _words(obj, field)
        for field in obj._meta.concrete_fields
        if is_versioned_field(field)
    }


def field_label(object_kind: str, name: str) -> str:
    """The field's name as the forms call it, for "field: from -> to"."""
    try:
        model = apps.get_model(object_kind)
        label = str(model._meta.get_field(name).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        label = name.replace("_", " ")
    return label[:1].upper() + label[1:]
