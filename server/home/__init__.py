"""The start page and what a PWA serves from the root: the service worker, manifest, health."""
