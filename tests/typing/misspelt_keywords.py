"""Misspelt keywords that ``mypy --strict`` must report (``test_typing.py``); never run.

Each line marked ``# error: <code>`` must get exactly that error, and no other line any.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware import Middleware

from corskit import CORSMiddleware, WSGICORSMiddleware, outermost
from corskit.flask import CORS


def wsgi_app(environ: dict[str, object], start_response: object) -> list[bytes]:
    return []


def misspelt() -> None:
    app = FastAPI()
    app.add_middleware(CORSMiddleware, allow_origin=["https://app.example.com"])  # error: call-arg
    Middleware(CORSMiddleware, allow_credential=True)  # error: call-arg
    outermost(app, allow_origins=["https://app.example.com"], max_ages=600)  # error: call-arg
    CORSMiddleware(app, expose_header=["X-Total-Count"])  # error: call-arg
    WSGICORSMiddleware(wsgi_app, allow_method=["GET"])  # error: call-arg
    CORS(allow_origins=["https://app.example.com"], supports_credentials=True)  # error: call-arg
    app.add_middleware(CORSMiddleware, allow_credentials="yes")  # error: arg-type
