"""DRF APIs of the updates app: `public` for clients, `publishing` for release managers."""
