"""HTTP endpoints, one module per resource; the route table lives in ``server.app``."""
