"""Strata's demo data, installed as the package ``strata_data`` (see ``portfolio.resources``)."""
