"""A Flask app that signs its users in through SSO Hub with Authlib (Debian's python3-authlib 1.2).

Authorization code with PKCE S256, the ID token checked against the hub's JWKS, email and name
from userinfo, refresh with rotation, and a back-channel logout endpoint that ends the app's
session when the user signs out anywhere. See ../python.md for each setting.

Sessions live in process memory to keep the recipe short; a real app keeps them in its own store
(Redis, SQL), indexed by the hub's ``sid`` so a logout token can find them.
"""

import logging
import os
import secrets
import threading
import time

from authlib.integrations.flask_client import OAuth
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.jose.errors import JoseError
from flask import Flask, abort, jsonify, redirect, render_template_string, request, session

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def env(name, default=None):
    value = os.environ.get(name) or default
    if value is None:
        raise SystemExit(f"{name} is required")
    return value


ISSUER = env("SSOHUB_ISSUER")
APP_URL = env("APP_URL").rstrip("/")
CLIENT_ID = env("CLIENT_ID")
# ES256 is what the hub gives clients onboarded without an explicit algorithm (decision 0008).
ID_TOKEN_ALG = env("ID_TOKEN_ALG", "ES256")

app = Flask(__name__)
# Signs Flask's session cookie, where Authlib keeps state, nonce and the PKCE verifier meanwhile.
app.secret_key = env("FLASK_SECRET_KEY")
app.config.update(SESSION_COOKIE_SECURE=APP_URL.startswith("https://"), SESSION_COOKIE_SAMESITE="Lax")
log = logging.getLogger("recipe")

oauth = OAuth(app)
hub = oauth.register(
    "hub",
    client_id=CLIENT_ID,
    client_secret=env("CLIENT_SECRET"),
    server_metadata_url=f"{ISSUER}/.well-known/openid-configuration",
    client_kwargs={
        # offline_access asks for a refresh token; email and profile make userinfo answer them.
        "scope": "openid email profile offline_access",
        # The hub requires PKCE with S256: Authlib then makes and keeps a code_verifier per sign-in.
        "code_challenge_method": "S256",
        # client_secret_basic, as the hub onboards clients.
        "token_endpoint_auth_method": "client_secret_basic",
    },
)

lock = threading.Lock()
sessions = {}  # app session id -> {"sub", "sid", "email", "name", "token"}
seen_jti = {}  # logout token ids already used -> when they expire
logout_jwt = JsonWebToken([ID_TOKEN_ALG])

PAGE = """<!doctype html><title>Python recipe</title>
{% if user %}<p data-testid="user">Signed in as <strong>{{ user.email }}</strong> ({{ user.name }})</p>
<form method="post" action="/auth/refresh"><button>Refresh tokens</button></form>
{% else %}<p data-testid="anonymous">Not signed in. <a href="/auth/login">Sign in</a></p>{% endif %}"""


def current():
    sid = session.get("app_session")
    with lock:
        return sid, sessions.get(sid) if sid else None


@app.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@app.get("/")
def home():
    return render_template_string(PAGE, user=current()[1])


@app.get("/auth/login")
def login():
    # Authlib adds state, nonce and the S256 code_challenge, and keeps them in Flask's session.
    return hub.authorize_redirect(f"{APP_URL}/auth/callback")


@app.get("/auth/callback")
def callback():
    # Checks state, sends the code_verifier, and verifies the ID token (signature against the
    # hub's JWKS, iss, aud, exp, nonce); its alg must be one the hub's discovery advertises.
    token = hub.authorize_access_token()
    claims = token["userinfo"]
    # The hub's ID token carries no email or name: they come from userinfo.
    info = hub.userinfo(token=token)
    if info["sub"] != claims["sub"]:
        abort(502)
    app_session = secrets.token_urlsafe(32)
    with lock:
        sessions[app_session] = {"sub": claims["sub"], "sid": claims.get("sid"), "email": info.get("email"), "name": info.get("name"), "token": token}
    session.clear()
    session["app_session"] = app_session
    return redirect("/")


@app.post("/auth/refresh")
def refresh():
    """Trades the refresh token for new tokens. The hub rotates refresh tokens: the new one
    replaces the old. A refused refresh means the user's hub session is over, so the app's ends."""
    sid, user = current()
    if user is None:
        return jsonify(error="not signed in"), 401
    old = user["token"]["refresh_token"]
    try:
        token = hub.fetch_access_token(grant_type="refresh_token", refresh_token=old)
    except Exception as err:  # Authlib raises OAuthError; requests may raise on transport errors.
        log.warning("refresh refused: %s", type(err).__name__)
        with lock:
            sessions.pop(sid, None)
        session.clear()
        return jsonify(error="refresh refused: signed out"), 401
    with lock:
        user["token"] = token
    return jsonify(refreshed=True, rotated=bool(token.get("refresh_token")) and token["refresh_token"] != old, expires_in=token.get("expires_in"))


def verify_logout_token(raw):
    """OpenID Connect Back-Channel Logout 1.0, section 2.6, with Authlib's jose."""

    def load_key(header, _payload):
        if header.get("typ") not in (None, "logout+jwt"):
            raise JoseError("unexpected typ")
        keys = JsonWebKey.import_key_set(hub.fetch_jwk_set())
        try:
            return keys.find_by_kid(header.get("kid"))
        except ValueError:  # the hub rotated its keys: fetch them again once
            return JsonWebKey.import_key_set(hub.fetch_jwk_set(force=True)).find_by_kid(header.get("kid"))

    claims = logout_jwt.decode(
        raw,
        load_key,
        claims_options={
            "iss": {"essential": True, "value": ISSUER},
            "aud": {"essential": True, "value": CLIENT_ID},
            "iat": {"essential": True},
            "exp": {"essential": True},
            "jti": {"essential": True},
        },
    )
    claims.validate(leeway=60)
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_LOGOUT_EVENT not in events:
        raise JoseError("no back-channel logout event")
    if "nonce" in claims:
        raise JoseError("a logout token must not carry a nonce")
    if not claims.get("sid") and not claims.get("sub"):
        raise JoseError("neither sid nor sub")
    return claims


@app.post("/auth/backchannel-logout")
def backchannel_logout():
    raw = request.form.get("logout_token")
    if not raw:
        return jsonify(error="invalid_request", error_description="no logout_token"), 400
    try:
        claims = verify_logout_token(raw)
    except (JoseError, ValueError) as err:
        log.warning("logout token refused: %s", err)
        return jsonify(error="invalid_request", error_description="logout token refused"), 400
    now = time.time()
    with lock:
        for jti, until in list(seen_jti.items()):
            if until < now:
                del seen_jti[jti]
        if claims["jti"] in seen_jti:
            return jsonify(error="invalid_request", error_description="logout token replayed"), 400
        seen_jti[claims["jti"]] = claims["exp"]
        # With a sid, only that hub session ends; with only a sub, every session of the user.
        ended = [k for k, s in sessions.items() if (s["sid"] == claims["sid"] if claims.get("sid") else s["sub"] == claims["sub"])]
        for k in ended:
            del sessions[k]
    log.info("back-channel logout ended %d session(s)", len(ended))
    return "", 200


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    host, _, port = env("LISTEN", "127.0.0.1:8080").rpartition(":")
    cert, key = os.environ.get("TLS_CERT_FILE"), os.environ.get("TLS_KEY_FILE")
    # Flask's own server is for the recipe and its test; production runs the app under a WSGI
    # server (gunicorn, uwsgi) behind TLS.
    app.run(host=host, port=int(port), ssl_context=(cert, key) if cert and key else None, threaded=True)
