"""The todos REST API (DRF): one module per resource."""
