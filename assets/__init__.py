"""Strata's CSS and JS served by Dash, installed as the package ``strata_assets`` (see
``portfolio.resources``)."""
