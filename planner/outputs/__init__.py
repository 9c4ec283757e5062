"""What leaves the planner: tables (CSV, Excel, GeoPackage, GeoParquet), maps and report bundles."""
