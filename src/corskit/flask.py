"""Flask: ``CORS(app, ...)``, the ``init_app`` pattern, and a policy per blueprint.

::

    from corskit.flask import CORS

    app = Flask(__name__)
    CORS(app, allow_origins=["https://app.example.com"], allow_credentials=True)

    # or, with an application factory:
    cors = CORS(allow_origins=["https://app.example.com"])
    def create_app():
        app = Flask(__name__)
        cors.init_app(app)
        return app

    # a blueprint with a policy of its own (its routes only; nested blueprints inherit it):
    public = Blueprint("public", __name__, url_prefix="/public")
    CORS(public, allow_origins=["*"])
    app.register_blueprint(public)

The keywords are :class:`corskit.CORSPolicy`'s, plus ``policy=``, ``routes=`` and
``debug=`` (those of :class:`corskit.wsgi.CORSMiddleware`), validated when ``CORS`` is
built. ``app.config["CORSKIT"]`` (a dict of the same keywords) is read by ``init_app``;
keywords given in code win. flask-cors' names that map one to one (``origins``,
``methods``, ``supports_credentials``) are accepted with a ``renamed-setting`` warning
giving corskit's spelling (``docs/migrate-flask-cors.md``).

A request is handled by the policy of the innermost blueprint (Flask's
``request.blueprints``) that has one, else by the application's; preflights are
answered before any other ``before_request`` function and before the view, and every
response, error pages included, gets the CORS headers. The requests go through
:class:`corskit.wsgi.CORSMiddleware` (see :mod:`corskit.inline`): no CORS rules here.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, g, request
from flask.sansio.app import App
from flask.sansio.blueprints import BlueprintSetupState
from werkzeug.datastructures import Headers

from .inline import Early, InlineCORS, Pending
from .options import RoutesSetting
from .policy import CORSPolicy
from .problems import CATALOGUE, CORSConfigWarning, Problem, escape

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.11

    from .options import PolicyOptions

__all__ = ["CORS"]

EXTENSION = "corskit"  # app.extensions[EXTENSION]: the application's CORS state
CONFIG_KEY = "CORSKIT"

# flask-cors' name -> corskit's, for the names whose meaning is the same.
PEER_NAMES = {
    "origins": "allow_origins",
    "methods": "allow_methods",
    "supports_credentials": "allow_credentials",
}
# flask-cors' switches for what corskit always does.
NOT_NEEDED = {
    "send_wildcard": "corskit sends '*' whenever allow_origins=['*'] is used without credentials",
    "vary_header": "corskit always sends the Vary names its answer depends on",
    "automatic_options": "corskit answers preflights itself, before the view",
    "intercept_exceptions": "corskit adds the CORS headers to error responses too",
    "always_send": "corskit answers a request without Origin as its policy requires (with '*' and no credentials: Access-Control-Allow-Origin: *)",
}
_UNSUPPORTED = {
    "resources": "flask-cors' resources= (path regexes) has no corskit form: give a blueprint its own "
    "policy with CORS(blueprint, ...), or use routes={'/api': CORSPolicy(...)} (path prefixes)",
}
_G_KEY = "_corskit_pending"


def _translate(options: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """corskit's keywords from a mix of corskit's and flask-cors' names, and the warnings."""
    notes: list[Problem] = []
    out: dict[str, Any] = {}
    for name, value in options.items():
        if name in _UNSUPPORTED:
            raise TypeError(_UNSUPPORTED[name])
        if name in NOT_NEEDED:
            info = CATALOGUE["setting-not-needed"]
            fix = f"Remove {name}=: {NOT_NEEDED[name]}."
            notes.append(
                Problem("setting-not-needed", name, escape(value), info.why, fix, info.severity)
            )
            continue
        key = PEER_NAMES.get(name, name)
        if key != name:
            if name == "origins" and isinstance(value, str):
                value = [value]  # flask-cors takes one origin as a string
            info = CATALOGUE["renamed-setting"]
            fix = f"Use {key}={value!r} instead of {name}=."
            notes.append(
                Problem("renamed-setting", name, escape(value), info.why, fix, info.severity)
            )
            if key in options:
                continue  # corskit's own name wins
        out[key] = value
    return out, notes


@dataclass
class _AppState:
    """One application's CORS: its own policy and the blueprints' (full name -> policy)."""

    default: InlineCORS | None = None
    blueprints: dict[str, InlineCORS] = field(default_factory=dict)

    def select(self, names: list[str]) -> InlineCORS | None:
        for name in names:  # innermost blueprint first
            cors = self.blueprints.get(name)
            if cors is not None:
                return cors
        return self.default


class CORS:
    """CORS for a Flask application or blueprint (see the module documentation).

    ``CORS(app_or_blueprint, **keywords)``, or ``CORS(**keywords)`` then
    :meth:`init_app`. :attr:`warnings` holds the warnings of the configuration (also
    issued as :class:`~corskit.CORSConfigWarning`).
    """

    def __init__(
        self,
        app: Flask | Blueprint | None = None,
        *,
        policy: CORSPolicy | None = None,
        routes: RoutesSetting | None = None,
        debug: bool = False,
        **settings: Unpack[PolicyOptions],
    ) -> None:
        adapter = {"policy": policy, "routes": routes, "debug": debug or None}
        self._options: dict[str, Any] = {
            **{k: v for k, v in adapter.items() if v is not None},
            **settings,
        }
        self.cors: InlineCORS | None = None
        self.warnings: tuple[Problem, ...] = ()
        if self._options:
            self.cors, self.warnings = self._build(self._options)  # validate now
        if app is not None:
            self.init_app(app)

    @staticmethod
    def _build(options: dict[str, Any]) -> tuple[InlineCORS, tuple[Problem, ...]]:
        translated, notes = _translate(options)
        cors = InlineCORS(**translated)
        for note in notes:
            warnings.warn(f"corskit: {note}", CORSConfigWarning, stacklevel=3)
        return cors, (*notes, *cors.warnings)

    def init_app(self, app: Flask | Blueprint, **overrides: Unpack[PolicyOptions]) -> None:
        """Install on *app* (a Flask application or a blueprint), with *overrides* (keywords
        as for ``CORS``) and, for an application, ``app.config["CORSKIT"]`` under them."""
        config = app.config.get(CONFIG_KEY) if isinstance(app, Flask) else None
        cors = self.cors
        if cors is None or overrides or config:
            cors, self.warnings = self._build({**(config or {}), **self._options, **overrides})
        self.cors = cors
        if isinstance(app, Blueprint):
            app.record(lambda state: _register_blueprint(state, cors))
        else:
            _state(app).default = cors


def _state(app: App) -> _AppState:
    """The application's CORS state; installs the request hooks the first time."""
    state = app.extensions.get(EXTENSION)
    if state is None:
        state = app.extensions[EXTENSION] = _AppState()
        # Before every other before_request function (authentication must not see a
        # preflight); the first after_request function registered runs last.
        app.before_request_funcs.setdefault(None, []).insert(0, _before_request)
        app.after_request_funcs.setdefault(None, []).insert(0, _after_request)
    assert isinstance(state, _AppState)
    return state


def _register_blueprint(setup: BlueprintSetupState, cors: InlineCORS) -> None:
    name = f"{setup.name_prefix}.{setup.name}".lstrip(".")
    _state(setup.app).blueprints[name] = cors


def _early_response(early: Early) -> Response:
    response = Response(early.body, status=early.status)
    response.headers = Headers(early.headers)
    return response


def _start() -> Early | Pending | None:
    from flask import current_app

    state: _AppState = current_app.extensions[EXTENSION]
    cors = state.select(request.blueprints)
    return None if cors is None else cors.begin(request.environ)


def _before_request() -> Response | None:
    started = _start()
    if isinstance(started, Early):
        return _early_response(started)
    setattr(g, _G_KEY, started)
    return None


def _after_request(response: Response) -> Response:
    # A request whose earlier hooks failed before ours ran is decided here.
    started = g.pop(_G_KEY) if _G_KEY in g else _start()
    if isinstance(started, Early):
        return _early_response(started)
    if started is not None:
        response.headers = Headers(
            started.finish(response.status_code, response.headers.to_wsgi_list())
        )
    return response
