"""The local web app and HTTP API (FastAPI): the same pipeline as the CLI."""

from tactful.web.app import create_app

__all__ = ["create_app"]
