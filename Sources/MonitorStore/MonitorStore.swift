import CSQLite
/// The SQLite store (DESIGN §10).
enum MonitorStoreNamespace {}
