"""Targets for ``corskit lint`` tests."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from corskit import CORSPolicy

starlette_app = FastAPI()
starlette_app.add_middleware(
    CORSMiddleware,
    allow_origins=["*", "http://localhost:5173/"],
    allow_credentials=True,
    allow_methods=["get", "POST"],
)

good_policy = CORSPolicy(allow_origins=["https://app.example.com"], allow_methods=["GET", "POST"])
