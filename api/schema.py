"""The OpenAPI description: every operation documents its error answers in the one error shape."""

from __future__ import annotations

from drf_spectacular.drainage import set_override
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes

from api.errors import ErrorSerializer
from org.unit_filter import UnitSubtreeFilter

# The pages' unit filter takes a unit id (its choices are the caller's scope).
set_override(UnitSubtreeFilter, "field", OpenApiTypes.INT)

ERRORS = {
    "400": "Invalid input or filter value",
    "401": "No or unknown credentials",
    "403": "The role or token may not do this",
    "404": "Not found, or outside your scope",
    "429": "Too many requests for this token",
}
WRITE_ERRORS = {"409": "Changed by somebody else meanwhile (send the current version)"}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(ERRORS)
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            errors.update(WRITE_ERRORS)
        for code, description in errors.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal or service API token: `Authorization: Bearer bt_...`",
        }
