"""The database platform: pool, migrations, named queries, LISTEN/NOTIFY, embedded PostgreSQL."""
