"""Superset's configuration for this project (`make superset`): its metadata in a SQLite file under SUPERSET_HOME,
its secret key generated at set-up and passed in by the launcher, and nothing that reaches the network."""

import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = f"sqlite:///{os.environ['SUPERSET_HOME']}/superset.db"
# Anonymous usage statistics and the example dashboards both reach out; neither is wanted here.
SCARF_ANALYTICS = False
# The DuckDB database is registered with its connection locked down (see orchestration.serving.sqlalchemy_engine);
# Superset must not let a user change it from SQL Lab.
FEATURE_FLAGS = {"ENABLE_TEMPLATE_PROCESSING": False}
# One process for a single analyst on loopback: SQL Lab runs queries in the web worker, results are kept in memory.
RESULTS_BACKEND = None
CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache"}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache"}
# Superset's pages draw a usage pixel from scarf.sh whatever SCARF_ANALYTICS says (it is decided when its JavaScript
# is built), and its default Content-Security-Policy allows map tiles and fonts from the internet. This policy allows
# nothing but Superset itself, so the browser never asks another host for anything.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
