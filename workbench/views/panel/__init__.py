"""Pages and components of the Panel web app served from `app.py`."""
