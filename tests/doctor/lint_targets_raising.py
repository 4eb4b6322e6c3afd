"""A module that builds an invalid policy at import time (lint reports its problems)."""

from corskit import CORSPolicy

policy = CORSPolicy(allow_origins=["*"], allow_credentials=True)
