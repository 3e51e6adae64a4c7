"""Server-rendered web pages (Jinja2, autoescaped); ``create_app`` includes ``service.web.routes.router``."""

from service.web.routes import router

__all__ = ["router"]
