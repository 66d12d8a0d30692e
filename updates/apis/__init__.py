"""DRF APIs of updates: `public` for clients; `publishing`, `artifacts`, `ramp`, `legacy` for release managers."""
