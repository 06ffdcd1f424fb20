"""Build helpers for build.py: embeddable views, precompression, the offline service worker, the bundle and the static server."""
