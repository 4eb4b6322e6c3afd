"""SARIF 2.1.0 output for ``corskit audit --sarif FILE`` (code-scanning dashboards).

One rule per audit class (all fifteen, so a dashboard knows the whole catalogue), one
result per finding.  Levels follow severity: ``high`` → ``error``, ``medium`` →
``warning``, ``low`` → ``note``, ``info`` → ``none``.  Rules carry GitHub's
``security-severity`` property (a CVSS-like score of the class's worst case) and a CWE tag.
Every result carries the probe as a SARIF ``webRequest`` and the answer as a
``webResponse`` (SARIF 2.1.0, sections 3.46 and 3.47:
https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), a stable ``partialFingerprints`` entry, and a
location: the source file of an in-process ``module:app`` target, or the audited URL.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import TYPE_CHECKING, Any

from .classes import CLASS_IDS, CLASSES

if TYPE_CHECKING:
    from .model import AuditReport, Finding

__all__ = ["LEVELS", "SARIF_SCHEMA", "SARIF_VERSION", "to_sarif", "write_sarif"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

#: severity → SARIF result level.
LEVELS = {"high": "error", "medium": "warning", "low": "note", "info": "none"}
_SCORES = {"high": "8.1", "medium": "5.3", "low": "3.1", "info": "0.0"}


def _rule_name(class_id: str) -> str:
    return "".join(part.capitalize() for part in class_id.split("-"))


def _rules() -> list[dict[str, Any]]:
    rules = []
    for cid in CLASS_IDS:
        c = CLASSES[cid]
        explanation = c.render(c.explanation, None, None)
        fix = c.render(c.fix, None, None)
        rules.append(
            {
                "id": cid,
                "name": _rule_name(cid),
                "shortDescription": {"text": c.title},
                "fullDescription": {"text": explanation},
                "help": {
                    "text": fix,
                    "markdown": f"**{c.title}**\n\n{explanation}\n\n**Fix:** {fix}",
                },
                "defaultConfiguration": {"level": LEVELS[c.max_severity]},
                "properties": {
                    "tags": ["security", "cors", f"external/cwe/{c.cwe.lower()}"],
                    "security-severity": _SCORES[c.max_severity],
                    "precision": "high",
                    "rating": c.rating,
                },
            }
        )
    return rules


def _headers_object(pairs: list[list[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in pairs:
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _location(report: AuditReport, finding: Finding) -> dict[str, Any]:
    if report.source_file:
        path = os.path.abspath(report.source_file)
        try:
            rel = os.path.relpath(path)
        except ValueError:  # another drive on Windows
            rel = path
        if not rel.startswith(".."):
            artifact = {"uri": rel.replace(os.sep, "/"), "uriBaseId": "%SRCROOT%"}
        else:
            artifact = {"uri": "file://" + path.replace(os.sep, "/")}
        return {
            "physicalLocation": {
                "artifactLocation": artifact,
                "region": {"startLine": report.source_line},
            },
            "message": {"text": f"app serving {finding.path}"},
        }
    return {"physicalLocation": {"artifactLocation": {"uri": finding.url}}}


def _result(report: AuditReport, finding: Finding) -> dict[str, Any]:
    evidence = finding.evidence
    request = evidence.get("request", {})
    response = evidence.get("response")
    fingerprint = hashlib.sha256(
        f"{finding.id}|{report.target}|{finding.path}".encode()
    ).hexdigest()[:32]
    result: dict[str, Any] = {
        "ruleId": finding.id,
        "ruleIndex": CLASS_IDS.index(finding.id),
        "level": LEVELS[finding.severity],
        "kind": "fail",
        "message": {
            "text": f"{finding.title} on {finding.path} ({finding.severity}): {finding.detail}. Fix: {finding.fix}"
        },
        "locations": [_location(report, finding)],
        "partialFingerprints": {"corskitAudit/v1": fingerprint},
        "webRequest": {
            "protocol": "HTTP",
            "version": "1.1",
            "target": request.get("url", finding.url),
            "method": request.get("method", "GET"),
            "headers": _headers_object(request.get("headers", [])),
        },
        "properties": {
            "severity": finding.severity,
            "probeOrigin": finding.probe_origin,
            "alsoAccepted": finding.also_accepted,
            "explanation": finding.explanation,
            "fix": finding.fix,
        },
    }
    if response is not None:
        result["webResponse"] = {
            "protocol": "HTTP",
            "version": "1.1",
            "statusCode": response["status"],
            "headers": _headers_object(response["headers"]),
        }
    if "problems" in evidence:
        result["properties"]["problems"] = evidence["problems"]
    return result


def to_sarif(report: AuditReport) -> dict[str, Any]:
    """The SARIF 2.1.0 log for *report*."""
    try:
        from corskit import __version__ as version
    except Exception:  # pragma: no cover
        version = "0.1.0"
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "corskit audit",
                "semanticVersion": str(version),
                "rules": _rules(),
            }
        },
        "results": [_result(report, f) for f in report.findings],
        "invocations": [
            {
                "executionSuccessful": True,
                "properties": {
                    "target": report.target,
                    "urls": report.urls,
                    "knownGoodOrigins": report.known_good,
                    "probesSent": report.probes_sent,
                    "complete": report.complete,
                    "notes": report.notes,
                },
            }
        ],
        "columnKind": "unicodeCodePoints",
    }
    if report.source_file:
        run["originalUriBaseIds"] = {
            "%SRCROOT%": {"uri": "file://" + os.getcwd().replace(os.sep, "/") + "/"}
        }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def write_sarif(report: AuditReport, path: str) -> None:
    """Write the SARIF log for *report* to *path* (raises :class:`OSError` on failure)."""
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(to_sarif(report), fh, indent=2)
        fh.write("\n")
