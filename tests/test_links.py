"""Absolute links for cards, alert emails and Open Badges: the public address wins over the request's host."""

from __future__ import annotations

from esafe_learn.links import public_url


def test_public_url_uses_the_configured_address_without_a_doubled_slash(app):
    app.config["PUBLIC_URL"] = "https://learn.example.org/"
    with app.test_request_context("/", base_url="http://10.0.0.7:8000/"):
        assert public_url("concerns.index") == "https://learn.example.org/concerns/"
        assert public_url("auth.card", token="abc") == "https://learn.example.org/card/abc"


def test_public_url_falls_back_to_the_request_host(app):
    app.config["PUBLIC_URL"] = ""
    with app.test_request_context("/", base_url="http://esafe.test/"):
        assert public_url("concerns.index") == "http://esafe.test/concerns/"
