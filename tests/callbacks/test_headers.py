"""Every response carries the security headers; pages do not name the server's versions."""

import sys

import plotly
import pytest

from dashboard.headers import VERSION_KEYS

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def assert_security_headers(headers) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, name
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "'sha256-" in script_src  # Dash's inline renderer start, by hash


@pytest.mark.parametrize(
    "path", ["/", "/concentration", "/_dash-layout", "/_dash-dependencies", "/assets/style.css"]
)
def test_pages_callbacks_and_assets_carry_the_security_headers(dash_app, path):
    response = dash_app.server.test_client().get(path)
    assert response.status_code == 200
    assert_security_headers(response.headers)


def test_refused_requests_carry_them_too(dash_app):
    refused = dash_app.server.test_client().get("/", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert refused.status_code == 403
    assert_security_headers(refused.headers)


def test_the_page_does_not_name_python_dash_or_plotly_versions(dash_app):
    page = dash_app.server.test_client().get("/").get_data(as_text=True)
    assert sys.version not in page and f'"{plotly.__version__}"' not in page
    for key in VERSION_KEYS:
        assert f'"{key}"' not in page
    assert '"end_id"' in page  # the rest of Dash's config is still there
