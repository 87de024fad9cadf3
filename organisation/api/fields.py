from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key chosen from what the caller may see.

    Anything outside that set is answered like a missing id, so a request cannot
    probe for objects it has no right to know about.
    """

    def __init__(self, selector=None, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(self.context["request"].user)


class VisibleRelatedFieldSchema(OpenApiSerializerFieldExtension):
    target_class = VisibleRelatedField

    def map_serializer_field(self, auto_schema, direction):
        return build_basic_type(OpenApiTypes.INT)
