"""Templates and static assets shared by the Flask pages and the XBlock."""
