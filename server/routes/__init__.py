"""The HTTP routes: the JSON API (kiosk and staff) and the web pages."""
