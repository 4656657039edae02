"""One module per page: its layout and its callbacks (ids prefixed with the page name)."""
