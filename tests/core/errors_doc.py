"""Render ``docs/errors.md`` from ``corskit.problems.CATALOGUE`` and the triggering examples.

Regenerate after changing the catalogue (``test_docs.py`` fails until you do)::

    .venv/bin/python -m tests.core.errors_doc > docs/errors.md

Every example is run while rendering, and its real output is printed under it.
"""

from __future__ import annotations

import re
import sys

from corskit import CATALOGUE

from .catalogue_cases import CASES, run

GROUPS: list[tuple[str, str]] = [
    ("Types", r"str-instead-of-list|wrong-type"),
    (
        "Origins",
        r"wildcard-origin-.*|origin-(?!func-).*|public-suffix-.*|insecure-origin-.*|no-origins-allowed",
    ),
    ("Regular expressions (`allow_origin_regex`)", r"regex-.*"),
    ("Methods (`allow_methods`)", r"method-.*"),
    ("Request headers (`allow_headers`)", r"header-.*"),
    ("Exposed headers (`expose_headers`)", r"expose-.*"),
    (
        "Preflight caching and status (`max_age`, `preflight_status`)",
        r"max-age-.*|preflight-status-.*",
    ),
    ("Dynamic origins (`allow_origin_func`)", r"origin-func-.*"),
    ("Per-route policies (`routes`)", r"route-.*"),
    ("Configuration from the environment (`CORSPolicy.from_env`)", r"env-.*"),
    (
        "Django and Flask (`corskit.django`, `corskit.flask`)",
        r"renamed-setting|setting-not-needed|middleware-order",
    ),
]

INTRO = """\
# Configuration errors

corskit checks a CORS configuration once, when it is built (`CORSPolicy(...)`,
`CORSMiddleware(app, ...)`, `corskit.outermost(app, ...)`, `CORSPolicy.from_env()`), and
reports **every** problem it finds in one `corskit.CORSConfigError` (a `ValueError`). Each
problem has a stable **code**, the **field** and the offending **value**, **why** it breaks
(in browser terms) and the **fix** for that value:

```python
from corskit import CORSConfigError, CORSPolicy

try:
    CORSPolicy(allow_origins=["https://app.example.com/", "*"], allow_credentials=True)
except CORSConfigError as exc:
    for problem in exc.problems:
        print(problem.code, problem.field, problem.value, problem.fix, sep=" | ")
```

Codes marked *warning* do not stop start-up: the policy is built, the problem is issued
as a `corskit.CORSConfigWarning` and kept in `policy.warnings`. Turn them into errors with
`python -W error::corskit.CORSConfigWarning` or a `filterwarnings` entry in your test
configuration.

Choices that are dangerous but sometimes legitimate are not errors when you opt in with a
keyword whose name says so: `dangerously_allow_null_origin`,
`dangerously_tolerate_insecure_origins`, `dangerously_tolerate_public_suffix_wildcards`.

`corskit explain CODE` prints one entry. The codes never change meaning once released.
This page is generated from `corskit.problems.CATALOGUE` by `tests/core/errors_doc.py`;
every example below is run by the test suite and its output is the real one.
"""


def group_of(code: str) -> str:
    for title, pattern in GROUPS:
        if re.fullmatch(pattern, code):
            return title
    return "Other"


def _example_output(code: str) -> str:
    problems, _ = run(CASES[code].snippet)
    text = "\n".join(str(p) for p in problems if p.code == code)
    return re.sub(r"corskit-probe-[0-9a-f]{6,}", "corskit-probe-<random>", text)


def render() -> str:
    """The whole of ``docs/errors.md``."""
    by_group: dict[str, list[str]] = {}
    for code in CATALOGUE:
        by_group.setdefault(group_of(code), []).append(code)
    order = [title for title, _ in GROUPS if title in by_group] + (
        ["Other"] if "Other" in by_group else []
    )
    out = [INTRO, "## Index\n", "| code | severity | title |", "|---|---|---|"]
    for title in order:
        for code in by_group[title]:
            info = CATALOGUE[code]
            out.append(f"| [`{code}`](#{code}) | {info.severity} | {_cell(info.title)} |")
    out.append("")
    for title in order:
        out.append(f"## {title}\n")
        for code in by_group[title]:
            info = CATALOGUE[code]
            severity = " *(warning)*" if info.severity == "warning" else ""
            out += [
                f"### {code}\n",
                f"**{info.title}**{severity}\n",
                f"- **Why:** {info.why}",
                f"- **Fix:** {info.fix}\n",
                "Example:\n",
                "```python",
                CASES[code].snippet,
                "```\n",
                "```text",
                _example_output(code),
                "```\n",
            ]
    return "\n".join(out).rstrip() + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(render())
