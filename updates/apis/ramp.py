"""Publishing API for ramp schedules: start one, read it with the release's history, resume after a halt."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from mysite.apis import validated
from updates import ramp
from updates.apis.fields import RELEASE_PATH
from updates.apis.publishing import PublishingApi


@extend_schema_field(
    {
        "type": "number",
        "format": "double",
        "minimum": 0,
        "exclusiveMinimum": True,
        "maximum": 1,
        "exclusiveMaximum": True,
    }
)
class ShareField(serializers.FloatField):
    """A share strictly between 0 and 1 (0.05 = 5%); the ramp's rules check it, the schema states it."""


class RampOutput(serializers.Serializer):
    class HistoryOutput(serializers.Serializer):
        at = serializers.CharField()
        kind = serializers.CharField()
        rollout = serializers.IntegerField()
        status = serializers.CharField()
        detail = serializers.CharField()
        actor = serializers.CharField()

    version = serializers.CharField()
    state = serializers.ChoiceField(choices=[ramp.RAMPING, ramp.HALTED, ramp.COMPLETE])
    steps = serializers.ListField(child=serializers.IntegerField())
    step = serializers.IntegerField(help_text="Index in steps of the rollout reached")
    interval_seconds = serializers.IntegerField()
    failure_threshold = serializers.FloatField()
    minimum_sample = serializers.IntegerField()
    next_step_at = serializers.DateTimeField(allow_null=True)
    history = HistoryOutput(many=True)


def ramp_body(item, *, product: str) -> dict:
    history = ramp.release_history(product=product, version=item.version_name)
    return {
        "version": item.version_name,
        "state": item.state,
        "steps": [int(s) for s in item.steps],
        "step": int(item.step_index),
        "interval_seconds": int(item.interval_seconds),
        "failure_threshold": float(item.failure_threshold),
        "minimum_sample": int(item.minimum_sample),
        "next_step_at": item.next_step_at if item.state == ramp.RAMPING else None,
        "history": [
            {
                "at": entry.at.split("#", 1)[0],
                "kind": entry.kind,
                "rollout": int(entry.rollout),
                "status": entry.status,
                "detail": entry.detail,
                "actor": entry.actor,
            }
            for entry in history
        ],
    }


class RampApi(PublishingApi):
    class InputSerializer(serializers.Serializer):
        # The bounds ramp._check_steps and ramp._check_rules hold a ramp to (steps also increase to 100).
        steps = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=100),
            min_length=1,
            max_length=10,
            help_text="Rollout percentages, increasing, the last one 100.",
        )
        interval_seconds = serializers.IntegerField(min_value=60, max_value=30 * 86400)
        failure_threshold = ShareField()
        minimum_sample = serializers.IntegerField(min_value=1, max_value=1_000_000)

    @extend_schema(operation_id="updates_ramp_get", parameters=RELEASE_PATH, responses={200: RampOutput})
    def get(self, request, product: str, version: str):
        return Response(ramp_body(ramp.ramp_get(product=product, version=version), product=product))

    @extend_schema(
        operation_id="updates_ramp_start",
        parameters=RELEASE_PATH,
        request=InputSerializer,
        responses={201: RampOutput},
    )
    def post(self, request, product: str, version: str):
        data = validated(self.InputSerializer, request.data)
        item = ramp.ramp_start(product=product, version=version, actor=request.user.email or request.user.sub, **data)
        return Response(ramp_body(item, product=product), status=status.HTTP_201_CREATED)


class RampResumeApi(PublishingApi):
    @extend_schema(
        operation_id="updates_ramp_resume", parameters=RELEASE_PATH, request=None, responses={200: RampOutput}
    )
    def post(self, request, product: str, version: str):
        item = ramp.ramp_resume(product=product, version=version, actor=request.user.email or request.user.sub)
        return Response(ramp_body(item, product=product))
