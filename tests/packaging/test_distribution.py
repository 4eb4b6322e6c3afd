"""The distribution as a user gets it: build the sdist and the wheel, look inside both, install
the wheel into a fresh virtual environment without extras and run every command, ``corskit
check`` against a live server on 127.0.0.1 included, then add the ``doctor`` extra (kept for
old install lines; it installs nothing).

One sdist, one wheel and one virtual environment serve the whole module (module-scoped
fixtures); the build fetches setuptools for its isolated environment from the package index.
Every subprocess has a time limit.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from collections.abc import Iterator
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

import pytest

from corskit import WSGICORSMiddleware
from tests.servers import serve_wsgi

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
# The one place the version is written.
VERSION = re.findall(r'(?m)^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text())[0]
# What a build needs from the source tree (no .venv, no build output, no compiled module).
BUILD_INPUTS = (
    "pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "CHANGELOG.md",
    "SECURITY.md", "CONTRIBUTING.md", "src", "docs", "tests", "examples", "benchmarks", "scripts",
)  # fmt: skip
IGNORED = shutil.ignore_patterns("__pycache__", "*.py[cod]", "*.so", "*.egg-info", "results")
PAGE_ORIGIN = "http://localhost:5173"
HINT = re.compile(r"pip install '?corskit\[(doctor|browser)\]'?")


def _run(
    args: list[str], *, timeout: float = 120, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CORSKIT_NO_EXTENSIONS")}
    env.update({"NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"})
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env, **kwargs)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build the sdist, then the wheel from the sdist (``python -m build``), once."""
    tree = tmp_path_factory.mktemp("tree")
    for name in BUILD_INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=IGNORED)
        elif source.exists():
            shutil.copy2(source, tree / name)
    out = tmp_path_factory.mktemp("dist")
    done = _run([sys.executable, "-m", "build", "--outdir", str(out), str(tree)], timeout=420)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel, "tree": tree}


@pytest.fixture(scope="module")
def wheel_names(dist: dict[str, Path]) -> list[str]:
    with zipfile.ZipFile(dist["wheel"]) as archive:
        return archive.namelist()


def _wheel_text(dist: dict[str, Path], suffix: str) -> str:
    with zipfile.ZipFile(dist["wheel"]) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(suffix)]
        return archive.read(name).decode()


def _speedups_module(wheel_names: list[str]) -> str | None:
    found = [n for n in wheel_names if re.fullmatch(r"corskit/_speedups\..+\.so", n)]
    assert len(found) <= 1, found
    return found[0] if found else None


def _have_compiler() -> bool:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(os.environ.get("CC", compiler).split()[0]) is not None


def test_wheel_is_one_abi3_wheel_for_every_supported_python(
    dist: dict[str, Path], wheel_names: list[str]
) -> None:
    """The C module is built against the stable ABI of CPython 3.10 (``_speedups.abi3.so``,
    ``Py_LIMITED_API``), so the wheel is tagged ``cp310-abi3-<platform>``: one wheel serves
    every supported Python. Only a build without a C compiler gives ``py3-none-any``."""
    name, version, python_tag, abi_tag, platform_tag = dist["wheel"].name[: -len(".whl")].split("-")
    assert (name, version) == ("corskit", VERSION)
    tag = f"{python_tag}-{abi_tag}-{platform_tag}"
    assert f"Tag: {tag}" in _wheel_text(dist, ".dist-info/WHEEL")
    module = _speedups_module(wheel_names)
    if module is None:
        assert not _have_compiler(), "a C compiler is present, yet the wheel has no C module"
        assert tag == "py3-none-any"
        return
    assert module == "corskit/_speedups.abi3.so", module
    assert (python_tag, abi_tag) == ("cp310", "abi3"), tag
    assert platform_tag.startswith(("linux_", "manylinux", "musllinux")), tag


def _other_pythons() -> list[str]:
    """Other CPython 3.10+ interpreters that start: ``python3.10`` ... ``python3.14`` on
    PATH, and those listed in ``CORSKIT_TEST_PYTHONS`` (paths, separated as in PATH)."""
    found: list[str] = []
    listed = [p for p in os.environ.get("CORSKIT_TEST_PYTHONS", "").split(os.pathsep) if p]
    on_path = [shutil.which(f"python3.{minor}") for minor in range(10, 15)]
    for path in dict.fromkeys([*listed, *on_path]):
        probe = "import sys; assert sys.implementation.name == 'cpython'; print(sys.executable)"
        done = _run([path, "-c", probe]) if path else None
        if done is not None and done.returncode == 0:
            found.append(done.stdout.strip())  # the interpreter itself, not a launcher
    here = os.path.realpath(sys.executable)
    return [p for p in dict.fromkeys(found) if os.path.realpath(p) != here]


def test_the_abi3_wheel_serves_other_pythons(
    dist: dict[str, Path], wheel_names: list[str], tmp_path: Path
) -> None:
    """The one wheel, unpacked, loads its C module and serves requests on every other
    CPython found here (the smoke test with ``--require-speedups``)."""
    if _speedups_module(wheel_names) is None:
        pytest.skip("this build has no C module (no C compiler)")
    pythons = _other_pythons()
    if not pythons:
        pytest.skip("no other CPython 3.10+ on PATH")
    with zipfile.ZipFile(dist["wheel"]) as archive:
        archive.extractall(tmp_path / "site")
    smoke = str(ROOT / "tests" / "packaging" / "wheel_smoke.py")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(tmp_path / "site"),
        "PYTHONNOUSERSITE": "1",
    }
    for python in pythons:
        done = subprocess.run(
            [python, "-s", smoke, "--require-speedups"],
            capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 0, (python, done.stdout, done.stderr)
        assert str(tmp_path / "site") in done.stdout, done.stdout


def test_wheel_contents(dist: dict[str, Path], wheel_names: list[str]) -> None:
    package = {n for n in wheel_names if not n.startswith(f"corskit-{VERSION}.dist-info/")}
    assert all(n.startswith("corskit/") for n in package), sorted(package)
    for needed in ("corskit/py.typed", "corskit/_speedups.pyi", "corskit/doctor/playground.html"):
        assert needed in package
    assert f"corskit-{VERSION}.dist-info/licenses/LICENSE" in wheel_names
    assert not [n for n in wheel_names if n.endswith((".c", ".h", ".pyc"))]
    assert not [n for n in wheel_names if "/tests/" in n or n.startswith("tests/")]
    suffix_list = "corskit/public_suffix_list.dat"
    assert (suffix_list in package) == (ROOT / "src" / suffix_list).is_file()


def test_wheel_metadata(dist: dict[str, Path]) -> None:
    metadata = HeaderParser().parsestr(_wheel_text(dist, ".dist-info/METADATA"))
    assert metadata["Version"] == VERSION
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["Requires-Python"] == ">=3.10"
    classifiers = set(metadata.get_all("Classifier") or [])
    for minor in (10, 11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    for framework in ("AsyncIO", "Django", "FastAPI", "Flask"):
        assert f"Framework :: {framework}" in classifiers
    assert "Typing :: Typed" in classifiers
    assert "cors" in (metadata["Keywords"] or "").split(",")
    assert set(metadata.get_all("Provides-Extra") or []) >= {"doctor", "browser"}
    requires = metadata.get_all("Requires-Dist") or []
    assert all("extra ==" in r for r in requires), requires  # no runtime dependency
    assert not [r for r in requires if 'extra == "doctor"' in r], requires  # kept, but empty
    browser = [re.split(r"[<>=;\s\[]", r)[0] for r in requires if 'extra == "browser"' in r]
    assert sorted(browser) == ["playwright", "uvicorn"], requires
    for url in metadata.get_all("Project-URL") or []:
        assert not re.search(r"example\.(com|org)|your-?name|USER|OWNER|TODO", url), url


def test_sdist_contents(dist: dict[str, Path]) -> None:
    with tarfile.open(dist["sdist"]) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    for needed in (
        "LICENSE", "README.md", "CHANGELOG.md", "SECURITY.md", "PKG-INFO", "pyproject.toml",
        "setup.py", "MANIFEST.in", "src/corskit/_speedups.c", "src/corskit/py.typed",
        "tests/packaging/test_distribution.py", "tests/packaging/wheel_smoke.py",
        "docs/errors.md", "docs/api.md", "docs/blocked.md",
    ):  # fmt: skip
        assert needed in names, needed
    assert not [n for n in names if n.endswith((".so", ".pyc")) or "__pycache__" in n]
    assert not [n for n in names if n.startswith((".venv", ".git/"))]


# ------------------------------------------------------------------------------------------
# the wheel installed into a fresh virtual environment


@pytest.fixture(scope="module")
def bare(dist: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A fresh virtual environment with the wheel and nothing else (no extras)."""
    home = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    done = _run([str(python), "-m", "pip", "install", "-q", str(dist["wheel"])], timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    cwd = tmp_path_factory.mktemp("work")  # not the repository: nothing of it is importable
    return {"python": python, "corskit": home / "bin" / "corskit", "cwd": cwd}


def _installed(bare: dict[str, Path]) -> set[str]:
    done = _run([str(bare["python"]), "-m", "pip", "list", "--format=json"], cwd=bare["cwd"])
    return {p["name"].lower() for p in json.loads(done.stdout)}


def test_bare_install_has_no_dependencies(bare: dict[str, Path]) -> None:
    assert _installed(bare) - {"pip", "setuptools"} == {"corskit"}


def test_middleware_runs_from_the_wheel(
    dist: dict[str, Path], bare: dict[str, Path], wheel_names: list[str]
) -> None:
    """The ASGI and WSGI middleware answer from the installed wheel, with the C module when
    the wheel has one."""
    smoke = [str(bare["python"]), str(ROOT / "tests" / "packaging" / "wheel_smoke.py")]
    if _speedups_module(wheel_names):
        smoke.append("--require-speedups")
    done = _run(smoke, cwd=bare["cwd"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert str(bare["cwd"]) not in done.stdout and "site-packages" in done.stdout


def _assert_clean(done: subprocess.CompletedProcess[str]) -> None:
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    assert "internal error" not in output, output
    assert "scripts/" not in output, output  # never a path inside the repository


def test_help_version_explain_and_lint_on_a_bare_install(bare: dict[str, Path]) -> None:
    exe, cwd = str(bare["corskit"]), bare["cwd"]
    done = _run([exe, "--help"], cwd=cwd)
    _assert_clean(done)
    assert done.returncode == 0
    for command in ("check", "lint", "explain", "audit", "playground"):
        assert command in done.stdout
    done = _run([exe, "--version"], cwd=cwd)
    assert (done.returncode, done.stdout.strip()) == (0, f"corskit {VERSION}")
    done = _run([exe, "explain", "wildcard-origin-with-credentials"], cwd=cwd)
    _assert_clean(done)
    assert done.returncode == 0 and "allow_credentials" in done.stdout
    (cwd / "cors_settings.py").write_text(
        "from corskit import CORSPolicy\n"
        "policy = dict(allow_origins=['https://app.example.com'], allow_methods=['GET'])\n"
    )
    done = _run([exe, "lint", "cors_settings:policy"], cwd=cwd)
    _assert_clean(done)
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run(
        [exe, "lint", "env"], capture_output=True, text=True, timeout=60, cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", "CORS_ALLOW_ORIGINS": "*", "CORS_ALLOW_CREDENTIALS": "true"},
    )  # fmt: skip
    _assert_clean(done)
    assert done.returncode == 1 and "wildcard-origin-with-credentials" in done.stdout


def _assert_one_line_hint(stderr: str, extras: set[str]) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    hint = HINT.search(lines[0])
    assert hint and hint.group(1) in extras, lines[0]


def _run_briefly(
    args: list[str], *, cwd: Path, seconds: float = 8
) -> subprocess.CompletedProcess[str]:
    """Run a command that may serve forever: its result, or returncode -1 when it was still
    running after *seconds* (then stopped)."""
    try:
        return _run(args, cwd=cwd, timeout=seconds)
    except subprocess.TimeoutExpired as exc:

        def text(data: bytes | str | None) -> str:
            return data.decode(errors="replace") if isinstance(data, bytes) else data or ""

        return subprocess.CompletedProcess(args, -1, text(exc.stdout), text(exc.stderr))


def test_commands_needing_an_extra_name_it(bare: dict[str, Path], wheel_names: list[str]) -> None:
    """On a bare install, ``check --browser`` ends with one line naming the extra to install
    (``pip install 'corskit[browser]'``), and the playground starts (its simulation needs
    nothing) and says in one line that its browser run needs that extra: never a traceback,
    an internal error or a path inside this repository."""
    assert "corskit/__main__.py" in wheel_names
    exe, cwd = str(bare["corskit"]), bare["cwd"]
    api = "http://127.0.0.1:9/items"  # never contacted: the command stops at the missing extra
    done = _run([exe, "check", api, "--origin", PAGE_ORIGIN, "--browser"], cwd=cwd, timeout=60)
    _assert_clean(done)
    assert done.returncode == 2, (done.stdout, done.stderr)
    _assert_one_line_hint(done.stderr, {"browser"})
    done = _run_briefly([exe, "playground", "--api", api, "--port", "0"], cwd=cwd)
    _assert_clean(done)
    assert done.returncode == -1, (done.stdout, done.stderr)  # still serving when stopped
    hint = HINT.search(done.stdout + done.stderr)
    assert hint and hint.group(1) == "browser", (done.stdout, done.stderr)
    done = _run([str(bare["python"]), "-m", "corskit", "--version"], cwd=cwd)
    assert (done.returncode, done.stdout.strip()) == (0, f"corskit {VERSION}")
    done = _run([str(bare["python"]), "-m", "corskit", "--help"], cwd=cwd)
    _assert_clean(done)
    assert done.returncode == 0 and "check" in done.stdout


# ------------------------------------------------------------------------------------------
# URL targets on the bare install, against a live server; then the (empty) doctor extra


@pytest.fixture(scope="module")
def live_api() -> Iterator[str]:
    """A real corskit-protected WSGI server on 127.0.0.1 that allows one page origin."""

    def items(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"[]"]

    app = WSGICORSMiddleware(
        items,
        allow_origins=[PAGE_ORIGIN],
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
    )
    with serve_wsgi(app) as url:
        yield url


def _check(env: dict[str, Path], url: str, *extra: str) -> tuple[int, dict[str, Any]]:
    args = [str(env["corskit"]), "check", url, "--origin", PAGE_ORIGIN, "--method", "POST"]
    done = _run(
        [*args, "-H", "Content-Type: application/json", *extra, "--json"],
        cwd=env["cwd"],
        timeout=60,
    )
    _assert_clean(done)
    return done.returncode, json.loads(done.stdout)


def test_check_and_audit_of_a_live_server_on_the_bare_install(
    bare: dict[str, Path], live_api: str
) -> None:
    """The doctor's URL targets need no third-party package: its HTTP/1.1 client is its own."""
    assert _installed(bare) - {"pip", "setuptools"} == {"corskit"}
    status, report = _check(bare, f"{live_api}/items")
    assert (status, report["verdict"]) == (0, "allowed"), report
    status, report = _check(bare, f"{live_api}/items", "-H", "Authorization: Bearer t0ken")
    assert (status, report["verdict"]) == (1, "blocked"), report
    message = report["chromium_message"]
    assert message.startswith(f"Access to fetch at '{live_api}/items' from origin '{PAGE_ORIGIN}'")
    args = [str(bare["corskit"]), "audit", f"{live_api}/items", "--origin", PAGE_ORIGIN, "--json"]
    done = _run(args, cwd=bare["cwd"], timeout=120)
    _assert_clean(done)
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert isinstance(json.loads(done.stdout), dict)


def test_the_doctor_extra_is_accepted_and_installs_nothing(
    bare: dict[str, Path], dist: dict[str, Path], live_api: str
) -> None:
    """``pip install 'corskit[doctor]'`` (old install lines) still works, without a warning
    about an unknown extra, and adds no package; ``corskit check`` runs as before."""
    requirement = f"corskit[doctor] @ {dist['wheel'].as_uri()}"
    done = _run([str(bare["python"]), "-m", "pip", "install", "-q", requirement], timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "does not provide the extra" not in done.stdout + done.stderr, done.stderr
    assert _installed(bare) - {"pip", "setuptools"} == {"corskit"}
    status, report = _check(bare, f"{live_api}/items")
    assert (status, report["verdict"]) == (0, "allowed"), report
