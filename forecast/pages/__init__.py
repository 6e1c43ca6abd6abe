"""Server-rendered pages for people: Jinja2 templates and inline SVG charts, no external
resource (they work offline). ``charts`` draws the SVGs, ``views`` assembles what each
page shows from the served forecasts and the ledger, ``render`` fills the templates; the
HTTP routes are in ``forecast.api.routes.pages``."""
